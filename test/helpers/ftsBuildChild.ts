// Child process for the background search-index build test: opens the store (which starts the build)
// with slices of a fixed size and prints `slice <done> <target>` after each committed one. The parent
// SIGKILLs it mid-build. Usage: ftsBuildChild.js <db file> <driver> <rows per slice>
import { systemClock } from '../../src/engine/platform/clock';
import type { DriverName } from '../../src/engine/store/driver';
import { openStore } from '../../src/engine/store/sqliteStore';

const [file, driver, rows] = process.argv.slice(2);
// The store's timers do not keep a process alive (unref'd); this one does until the build ends.
const alive = setInterval(() => {}, 60_000);
openStore({
  file, driver: driver as DriverName, clock: systemClock, ftsSliceRows: Number(rows),
  onFtsSlice: left => {
    process.stdout.write(left ? `slice ${left.done} ${left.target}\n` : 'complete\n');
    if (!left) clearInterval(alive);
  },
});
