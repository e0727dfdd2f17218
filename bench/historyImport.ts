// History import benchmark bodies, each run in its own child process (so peak RSS is its own):
// - floor: read every .jsonl file of the chosen agent(s) and JSON.parse each line, nothing else;
// - import: the import as the engine and `flightdeck import` run it — on its own thread with its bounded
//   heap (history/workerImport.ts) — over the same files into a fresh store with FTS, until its last
//   commit; peak RSS from process.resourceUsage().maxRSS of that process (both threads).
// Knobs for profiling by hand (none is set by `npm run bench`): FD_BENCH_SQLPROF=1 prints time per SQL
// statement; FD_BENCH_PRAGMA / FD_BENCH_NOFTS run SQL on the fresh store first (e.g. a cache size);
// FD_BENCH_SLICE_MS sets the import's slice;
// FD_BENCH_KEEP=<file> keeps a copy of the imported database; FD_BENCH_INLINE=1 (implied by the knobs
// above) imports on the main thread, e.g. for --cpu-prof.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { importHistory } from '../src/engine/history/importer';
import { importOnThread } from '../src/engine/history/workerImport';
import { systemClock } from '../src/engine/platform/clock';
import type { Db } from '../src/engine/store/db';
import { openDatabase } from '../src/engine/store/driver';
import { openStore } from '../src/engine/store/sqliteStore';
import type { Corpus } from './corpus';
import { ms, now } from './stats';

export type ImportWhich = 'codex' | 'claude' | 'all';
export interface ImportRun { ms: number; bytes: number; lines: number; items: number; sessions: number; maxRssMb: number; dbMb?: number }

export function filesOf(c: Corpus, which: ImportWhich): string[] {
  return which === 'codex' ? c.codexFiles : which === 'claude' ? c.claudeFiles : [...c.codexFiles, ...c.claudeFiles];
}

/** Streams each file in 1 MiB chunks (as the importer reads) and JSON.parses every line. */
export function importFloorRun(c: Corpus, which: ImportWhich): ImportRun {
  const t0 = now();
  let bytes = 0;
  let lines = 0;
  const buf = Buffer.allocUnsafe(1 << 20);
  for (const f of filesOf(c, which)) {
    const fd = fs.openSync(f, 'r');
    let carry = '';
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n <= 0) break;
      bytes += n;
      const text = carry + buf.toString('utf8', 0, n);
      const parts = text.split('\n');
      carry = parts.pop() ?? '';
      for (const line of parts) { if (line) { JSON.parse(line); lines++; } }
    }
    if (carry) { JSON.parse(carry); lines++; }
    fs.closeSync(fd);
  }
  return { ms: ms(t0), bytes, lines, items: 0, sessions: 0, maxRssMb: process.resourceUsage().maxRSS / 1024 };
}

export async function importRun(c: Corpus, which: ImportWhich): Promise<ImportRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-bench-import-'));
  const sqlTimes = new Map<string, { n: number; ms: number }>();
  const openDb = process.env.FD_BENCH_PRAGMA ? (file: string): Db => { const db = openDatabase(file); db.exec(process.env.FD_BENCH_PRAGMA!); return db; }
    : process.env.FD_BENCH_SQLPROF ? (file: string): Db => {
    const db = openDatabase(file);
    const timed = <T>(sql: string, f: () => T): T => {
      const t = now();
      try { return f(); } finally { const e = sqlTimes.get(sql) ?? { n: 0, ms: 0 }; e.n++; e.ms += ms(t); sqlTimes.set(sql, e); }
    };
    return {
      ...db, driver: db.driver, path: db.path, exec: sql => db.exec(sql), close: () => db.close(),
      transaction: fn => db.transaction(fn),
      prepare(sql) {
        const st = db.prepare(sql);
        return { run: (...p) => timed(sql, () => st.run(...p)), get: (...p) => timed(sql, () => st.get(...p)), all: (...p) => timed(sql, () => st.all(...p)) };
      },
    };
  } : undefined;
  process.on('exit', () => {
    for (const [sql, e] of [...sqlTimes].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) process.stderr.write(`${e.ms.toFixed(0).padStart(7)} ms ${String(e.n).padStart(7)}× ${sql.replace(/\s+/g, ' ').slice(0, 150)}\n`);
  });
  const store = openStore({ file: path.join(dir, 'flightdeck.db'), clock: systemClock, openDb });
  if (process.env.FD_BENCH_NOFTS) { const d = openDatabase(path.join(dir, 'flightdeck.db')); d.exec(process.env.FD_BENCH_NOFTS); d.close(); }
  if (!store.ftsAvailable) throw new Error('this SQLite has no FTS5: the import benchmark measures FTS indexing');
  try {
    const homes = { codexHome: which === 'claude' ? null : c.codexHome, claudeHome: which === 'codex' ? null : c.claudeHome };
    // The knobs that act on this thread's connection or slices need the import on this thread.
    const inline = !!(process.env.FD_BENCH_INLINE || process.env.FD_BENCH_SQLPROF || process.env.FD_BENCH_PRAGMA || process.env.FD_BENCH_SLICE_MS);
    const t0 = now();
    const s = inline ? await importHistory({
      store, log: () => {}, ...homes, ownCheckpoints: true, // as on the thread
      ...(process.env.FD_BENCH_SLICE_MS ? { sliceMs: Number(process.env.FD_BENCH_SLICE_MS), commitItems: 1e9 } : {}),
    }) : await importOnThread({ store, log: () => {}, ...homes, skipRecentMs: 0, loaded: [], onProgress: () => {} });
    store.flush();
    const elapsed = ms(t0);
    if (process.env.FD_BENCH_KEEP) fs.copyFileSync(path.join(dir, 'flightdeck.db'), process.env.FD_BENCH_KEEP);
    return {
      dbMb: ['flightdeck.db', 'flightdeck.db-wal'].reduce((n, f) => n + (fs.existsSync(path.join(dir, f)) ? fs.statSync(path.join(dir, f)).size : 0), 0) / 1048576,
      ms: elapsed, bytes: s.bytesDone, lines: s.counts.lines, items: s.counts.items, sessions: s.counts.sessionsCreated,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
    };
  } finally {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
