// Child process for the crash test: writes numbered messages through the store's batched writer as
// fast as it can and prints the highest seq of every committed flush. The parent kills it with SIGKILL.
// Usage: crashWriterChild.js <db file> <driver>
import { systemClock } from '../../src/engine/platform/clock';
import { newSession } from '../../src/engine/sessions/model';
import type { DriverName } from '../../src/engine/store/driver';
import { openStore } from '../../src/engine/store/sqliteStore';

const file = process.argv[2];
const driver = process.argv[3] as DriverName;
let current = -1;
const store = openStore({ file, driver, clock: systemClock, onFlush: () => { process.stdout.write(`committed ${current}\n`); } });
const session = newSession({ id: 'crash-session', provider: 'codex', mode: 'passive', providerSessionId: 'crash' }, Date.now());
store.saveSession(session);
store.flush();
let seq = 0;
function burst(): void {
  for (let i = 0; i < 37; i++, seq++) {
    current = seq;
    store.saveMessage({ id: `m${seq}`, sessionId: session.id, seq, kind: 'agent', text: `line ${seq} ${'x'.repeat(seq % 200)}`, createdAt: new Date().toISOString() });
  }
  setImmediate(burst);
}
burst();
