// Child process for the unreadable-files test: runs one history import and prints its log lines and
// summary as JSON lines. The parent starts it without the capabilities that let root read any file
// (so a chmod 000 file is unreadable to it). Usage: importChild.js <codex home> <claude home> <db file>
import { systemClock } from '../../src/engine/platform/clock';
import { importHistory } from '../../src/engine/history/importer';
import { openStore } from '../../src/engine/store/sqliteStore';

const [codexHome, claudeHome, file] = process.argv.slice(2);
const store = openStore({ file, clock: systemClock });
void importHistory({ store, codexHome, claudeHome, log: (level, msg) => process.stdout.write(JSON.stringify({ log: `${level} ${msg}` }) + '\n') })
  .then(summary => {
    store.close();
    process.stdout.write(JSON.stringify({ summary }) + '\n');
  });
