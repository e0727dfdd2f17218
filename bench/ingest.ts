// Ingest benchmark bodies, each run in its own child process (so peak RSS is its own):
// - floor: read every .jsonl file and JSON.parse each line (the bare minimum any reader does);
// - codex: the passive watcher's cold start over the whole sessions tree (seed window wide open),
//   into a fresh store with FTS, until the last write is committed;
// - claude: what the hook receiver does for each session's first hook (TranscriptTailer.follow),
//   into a fresh store with FTS.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TranscriptTailer } from '../src/engine/claude/transcriptTailer';
import { createCodexWatcher } from '../src/engine/codex/rollout/watcher';
import { FakeClock } from '../src/engine/platform/clock';
import { SessionEngine } from '../src/engine/sessions/engine';
import { openStore } from '../src/engine/store/sqliteStore';
import type { Corpus } from './corpus';
import { ms, now } from './stats';

export interface IngestRun { ms: number; bytes: number; lines: number; maxRssMb: number; messages?: number }

export function floorRun(files: string[]): IngestRun {
  const t0 = now();
  let bytes = 0;
  let lines = 0;
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    bytes += Buffer.byteLength(text);
    for (const line of text.split('\n')) {
      if (!line) continue;
      JSON.parse(line);
      lines++;
    }
  }
  return { ms: ms(t0), bytes, lines, maxRssMb: process.resourceUsage().maxRSS / 1024 };
}

function freshStore(clock: FakeClock) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-bench-ingest-'));
  const file = path.join(dir, 'flightdeck.db');
  const store = openStore({ file, clock });
  if (!store.ftsAvailable) throw new Error('this SQLite has no FTS5: the ingest benchmark measures FTS indexing');
  const engine = new SessionEngine({ store, clock });
  engine.start();
  return { dir, store, engine };
}

function countMessages(store: ReturnType<typeof openStore>, engine: SessionEngine): number {
  let n = 0;
  for (const s of engine.listSessions()) n += store.countMessages(s.id);
  return n;
}

export async function codexRun(corpus: Corpus): Promise<IngestRun> {
  const clock = new FakeClock(Date.parse('2026-11-26T00:00:00.000Z'));
  const { dir, store, engine } = freshStore(clock);
  try {
    const t0 = now();
    const watcher = createCodexWatcher({ engine, store, codexHome: corpus.codexHome, clock, watchFiles: false, seedWindowMs: 10 * 365 * 86_400_000 });
    // Seeding reads each file to its end (files here are under the 64 MB a read may take at once).
    await watcher.start();
    await watcher.stop();
    store.flush();
    const elapsed = ms(t0);
    return { ms: elapsed, bytes: corpus.codexBytes, lines: watcher.totals.lines, maxRssMb: process.resourceUsage().maxRSS / 1024, messages: countMessages(store, engine) };
  } finally {
    engine.stop();
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function claudeRun(corpus: Corpus): IngestRun {
  const clock = new FakeClock(Date.parse('2026-11-26T00:00:00.000Z'));
  const { dir, store, engine } = freshStore(clock);
  try {
    const t0 = now();
    const tailer = new TranscriptTailer({ engine, store, clock, log: () => {}, watch: false });
    for (const file of corpus.claudeFiles) {
      const s = engine.createSession({ provider: 'claude', mode: 'passive', providerSessionId: path.basename(file, '.jsonl'), cwd: null, sourcePath: file });
      tailer.follow(s.id, file);
    }
    tailer.stop();
    store.flush();
    const elapsed = ms(t0);
    return { ms: elapsed, bytes: corpus.claudeBytes, lines: 0, maxRssMb: process.resourceUsage().maxRSS / 1024, messages: countMessages(store, engine) };
  } finally {
    engine.stop();
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
