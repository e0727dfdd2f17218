// Child process of the crash-exact ingest test: grows every file of the corpus (see
// fixtures/crashCorpus.ts) by a random slice at a time, cut anywhere (mid-line too), and reads it
// through the real Codex watcher and Claude transcript tailer into a real SQLite file, until every
// file is whole and read. The parent SIGKILLs it at random moments and starts it again; each start
// goes on growing the files from where they are.
// Prints (synchronously, so a line printed is a line the parent gets): `start <listRevision>`,
// `id <message id>` for every message a client was told about, `rev <listRevision>` after each step,
// `done`.
// Usage: crashIngestChild.js <work dir> <seed> <driver>
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TranscriptTailer } from '../../src/engine/claude/transcriptTailer';
import { createCodexWatcher } from '../../src/engine/codex/rollout/watcher';
import { systemClock } from '../../src/engine/platform/clock';
import { SessionEngine } from '../../src/engine/sessions/engine';
import type { DriverName } from '../../src/engine/store/driver';
import { openStore } from '../../src/engine/store/sqliteStore';
import { between, seededRng } from '../fixtures/bench/rng';
import type { CorpusFile } from '../fixtures/crashCorpus';

const [dir, seedArg, driver] = process.argv.slice(2);
const rng = seededRng(Number(seedArg));
const out = (line: string) => fs.writeSync(1, line + '\n');
const corpus = JSON.parse(fs.readFileSync(path.join(dir, 'corpus.json'), 'utf8')) as CorpusFile[];
const files = corpus.map(f => ({ ...f, source: fs.readFileSync(path.join(dir, 'corpus', f.name)), abs: path.join(dir, f.target) }));
for (const f of files) fs.mkdirSync(path.dirname(f.abs), { recursive: true });

const log = (level: string, msg: string) => { if (level === 'error') process.stderr.write(`${msg}\n`); };
const store = openStore({ file: path.join(dir, 'data', 'flightdeck.db'), clock: systemClock, driver: driver as DriverName });
const engine = new SessionEngine({ store, clock: systemClock, log });
engine.bus.subscribe(e => { if (e.type === 'message_appended') out(`id ${e.message.id}`); });
engine.start();
out(`start ${engine.listRevision}`);
const watcher = createCodexWatcher({ engine, store, codexHome: path.join(dir, 'codex'), clock: systemClock, log, watchFiles: false });
const tailer = new TranscriptTailer({ engine, store, clock: systemClock, log, watch: false });
tailer.start();
const claudeSessions = new Map<string, string>();

function size(file: string): number {
  try { return fs.statSync(file).size; } catch { return 0; }
}

/** Appends the next slice of each file that is not whole yet and reads everything; true when all is read. */
function step(): boolean {
  let whole = true;
  for (const f of files) {
    const at = size(f.abs);
    if (at < f.source.length) {
      // Now and then a burst (a hook-driven catch-up read spans more than one writer flush).
      const slice = rng() < 0.1 ? between(rng, 30_000, 80_000) : between(rng, 1, 6_000);
      fs.appendFileSync(f.abs, f.source.subarray(at, at + slice));
      whole = false;
    }
    if (f.provider === 'codex') {
      watcher.processNow(f.abs);
      continue;
    }
    let sid = claudeSessions.get(f.providerSessionId);
    if (!sid) {
      // What the first hook event of the session does: find or create it, follow its transcript.
      sid = engine.createSession({ provider: 'claude', mode: 'passive', providerSessionId: f.providerSessionId, cwd: '/work/crash', sourcePath: f.abs }).id;
      claudeSessions.set(f.providerSessionId, sid);
      tailer.follow(sid, f.abs);
    } else {
      tailer.readNow(sid);
    }
  }
  out(`rev ${engine.listRevision}`);
  return whole;
}

async function main(): Promise<void> {
  await watcher.start();
  while (!step()) await new Promise(r => setImmediate(r));
  step();
  tailer.stop();
  await watcher.stop();
  engine.stop();
  store.close();
  out('done');
}

main().catch(e => { process.stderr.write(`${(e as Error).stack}\n`); process.exit(1); });
