// The engine's history import runs on a thread of its own (history/workerImport.ts, issue 14: live
// sessions keep their latency while it runs), over a generated corpus of many short sessions, into a
// real SQLite file: rows keep landing while the engine's thread is blocked, the engine's own writes
// go through meanwhile, a stop mid-import loses nothing and the next import ends equal to an
// uninterrupted one, and sessions the engine holds are left to the live rules.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureCorpus, type Corpus } from '../../bench/corpus';
import { importHistory } from '../../src/engine/history/importer';
import { type HistoryService, createHistoryService } from '../../src/engine/history/service';
import { canImportInWorker, importOnThread } from '../../src/engine/history/workerImport';
import { FakeClock } from '../../src/engine/platform/clock';
import type { ImportProgressMessage } from '../../src/engine/protocol/messages';
import { SessionEngine } from '../../src/engine/sessions/engine';
import { NEW_DB_PAGE_SIZE, WAL_AUTOCHECKPOINT_BYTES, openStore } from '../../src/engine/store/sqliteStore';
import type { Store } from '../../src/engine/store/types';
import { TEST_DRIVER, openTestDb } from '../helpers/storeDriver';
import { cleanupTmpDirs, tmpDir } from '../helpers/tmp';

/** wal_autocheckpoint of a new store: ~4 MB in pages of the new page size. */
const WAL_AUTOCHECKPOINT_PAGES = WAL_AUTOCHECKPOINT_BYTES / NEW_DB_PAGE_SIZE;

/** An old generation too small for a 7 MB line (the thread runs out, then goes on uncapped). */
const OUT_OF_HEAP_MB = 10;

interface Engine { store: Store; engine: SessionEngine; history: HistoryService; progress: ImportProgressMessage[]; logs: string[]; file: string }

function startEngine(dataDir: string, c: Corpus, workerFile?: string): Engine {
  const file = path.join(dataDir, 'flightdeck.db');
  const clock = new FakeClock(Date.parse('2026-12-04T12:00:00.000Z'));
  const store = openStore({ file, clock, driver: TEST_DRIVER });
  const engine = new SessionEngine({ store, clock });
  engine.start();
  const logs: string[] = [];
  const history = createHistoryService({ engine, store, log: (l, m) => logs.push(`${l} ${m}`), codexHome: c.codexHome, claudeHome: c.claudeHome, skipRecentMs: 0, workerFile });
  engine.setHistory(history);
  const progress: ImportProgressMessage[] = [];
  engine.bus.subscribe(m => { if (m.type === 'import_progress') progress.push(m.progress); });
  return { store, engine, history, progress, logs, file };
}

async function stopEngine(e: Engine): Promise<void> {
  await e.history.stop();
  e.engine.stop();
  e.store.close();
}

/** Committed rows, read through a connection of its own (what another reader of the file sees). */
function committed(file: string): { messages: number; sessions: number } {
  const db = openTestDb(file);
  try {
    return {
      messages: Number(db.prepare('SELECT COUNT(*) AS n FROM messages').get()?.n),
      sessions: Number(db.prepare('SELECT COUNT(*) AS n FROM sessions').get()?.n),
    };
  } finally { db.close(); }
}

/** Waits, yielding to the event loop, until an import_progress matches. */
async function progressWhere(e: Engine, pred: (p: ImportProgressMessage) => boolean): Promise<ImportProgressMessage> {
  for (let i = 0; i < 6_000; i++) {
    const p = e.progress.find(pred);
    if (p) return p;
    await new Promise(r => setTimeout(r, 10));
  }
  throw new Error(`no such import_progress; got ${JSON.stringify(e.progress.slice(-3))}`);
}

describe('history import on its own thread (issue 14)', function () {
  this.timeout(120_000);
  let corpus: Corpus;
  before(() => { corpus = ensureCorpus(tmpDir('fd-import-thread-'), 24 * 1024 * 1024, () => {}, 'short'); });
  after(cleanupTmpDirs);

  it('keeps committing rows while the engine\'s thread is blocked, and the engine\'s own writes go through meanwhile', async () => {
    const e = startEngine(tmpDir(), corpus);
    assert.ok(canImportInWorker(e.store), 'the worker file is built next to the service');
    e.history.start();
    await progressWhere(e, p => p.phase === 'importing' && p.filesDone > 0);
    // Block this thread (no event loop turn) until another connection sees more committed rows: an
    // import on this thread could not make any.
    const before = committed(e.file).messages;
    let after = before;
    const until = Date.now() + 60_000;
    while (after === before && Date.now() < until) after = committed(e.file).messages;
    assert.ok(after > before, `rows landed while the engine's thread was blocked (${before} → ${after})`);
    // The engine writes a live session while the import runs: it is committed, not starved.
    const live = e.engine.createSession({ provider: 'codex', mode: 'passive', providerSessionId: 'live-during-import' });
    e.store.flush();
    assert.ok(e.store.getSession(live.id), 'the engine\'s write went through during the import');
    const summary = await e.history.current!;
    assert.equal(summary.cancelled, false);
    assert.equal(summary.filesDone, corpus.codexFiles.length + corpus.claudeFiles.length);
    assert.ok(e.logs.some(l => l.startsWith('info history: import done')), e.logs.slice(-3).join('\n'));
    assert.equal(e.store.searchIndexPercent(), undefined, 'the search index is complete');
    assert.ok(e.store.search('the', 5).length > 0, 'imported items are found by search');
    await stopEngine(e);
  });

  it('the engine\'s connection leaves WAL checkpoints to the import thread while it runs, and takes them back after', async () => {
    const e = startEngine(tmpDir(), corpus);
    assert.equal(e.store.autoCheckpointPages(), WAL_AUTOCHECKPOINT_PAGES);
    e.history.start();
    await progressWhere(e, p => p.phase === 'importing' && p.filesDone > 0);
    assert.equal(e.store.autoCheckpointPages(), 0, 'no checkpoint of the import\'s pages inside the engine\'s commits');
    await e.history.current!;
    assert.equal(e.store.autoCheckpointPages(), WAL_AUTOCHECKPOINT_PAGES, 'the engine checkpoints again after the import');
    await stopEngine(e);
  });

  it('an import that checkpoints by itself leaves every page in the database file, and the connection as it was', async () => {
    const file = path.join(tmpDir(), 'own.db');
    const store = openStore({ file, clock: new FakeClock(Date.parse('2026-12-04T12:00:00.000Z')), driver: TEST_DRIVER });
    const paused: number[] = [];
    await importHistory({
      store, log: () => {}, codexHome: corpus.codexHome, claudeHome: corpus.claudeHome, ownCheckpoints: true,
      onProgress: () => paused.push(store.autoCheckpointPages()),
    });
    assert.ok(paused.includes(0), 'its commits did not checkpoint');
    assert.equal(store.autoCheckpointPages(), WAL_AUTOCHECKPOINT_PAGES);
    // Its last step is a checkpoint: the file alone holds the whole database (the WAL is all copied).
    const db = openTestDb(file);
    try {
      const pages = Number(db.prepare('PRAGMA page_count').get()?.page_count) * Number(db.prepare('PRAGMA page_size').get()?.page_size);
      assert.ok(pages > 10e6, `the corpus made a database (${pages} B)`);
      assert.equal(fs.statSync(file).size, pages, 'the database file has every page');
    } finally { db.close(); store.close(); }
  });

  it('a checkpoint that fails is logged once and the import goes on to its end', async () => {
    const file = path.join(tmpDir(), 'failing-checkpoint.db');
    const real = openStore({ file, clock: new FakeClock(Date.parse('2026-12-04T12:00:00.000Z')), driver: TEST_DRIVER });
    let tries = 0;
    const store = new Proxy(real, {
      get: (t, k) => k === 'checkpointWal' ? () => { tries++; throw new Error('disk I/O error'); } : Reflect.get(t, k),
    });
    const logs: string[] = [];
    const summary = await importHistory({ store, log: (l, m) => logs.push(`${l} ${m}`), codexHome: corpus.codexHome, claudeHome: corpus.claudeHome, ownCheckpoints: true });
    assert.equal(summary.cancelled, false);
    assert.equal(summary.filesDone, corpus.codexFiles.length + corpus.claudeFiles.length);
    assert.ok(tries >= 1, 'it tried');
    assert.deepEqual(logs.filter(l => l.includes('checkpoint')), ['warn history: a WAL checkpoint failed (the import goes on): disk I/O error']);
    assert.equal(real.autoCheckpointPages(), WAL_AUTOCHECKPOINT_PAGES, 'the connection checkpoints by itself again');
    real.close();
    assert.ok(committed(file).messages > 0);
  });

  it('a stop mid-import loses nothing: the next import ends equal to an uninterrupted one', async () => {
    const reference = path.join(tmpDir(), 'ref.db');
    const ref = openStore({ file: reference, clock: new FakeClock(Date.parse('2026-12-04T12:00:00.000Z')), driver: TEST_DRIVER });
    await importHistory({ store: ref, log: () => {}, codexHome: corpus.codexHome, claudeHome: corpus.claudeHome });
    ref.close();

    const dataDir = tmpDir();
    const first = startEngine(dataDir, corpus);
    first.history.start();
    await progressWhere(first, p => p.phase === 'importing' && p.filesDone >= 3);
    await stopEngine(first);
    const partial = committed(first.file);
    const whole = committed(reference);
    assert.ok(partial.messages < whole.messages, `stopped before the end (${partial.messages} of ${whole.messages})`);

    const second = startEngine(dataDir, corpus);
    second.history.start();
    const summary = await second.history.current!;
    assert.equal(summary.cancelled, false);
    await stopEngine(second);
    const ids = (file: string) => {
      const db = openTestDb(file);
      try { return db.prepare('SELECT id, session_id, seq, text FROM messages ORDER BY id').all(); } finally { db.close(); }
    };
    assert.deepEqual(ids(first.file), ids(reference), 'the same items, ids and order as an uninterrupted import');
  });

  it('a stop right after the start (before the thread is up) cancels the import, not lets it run to its end', async () => {
    const e = startEngine(tmpDir(), corpus);
    e.history.start();
    const run = e.history.current!;
    await e.history.stop();
    const summary = await run;
    assert.equal(summary.cancelled, true, 'the import was cancelled');
    assert.ok(summary.filesDone < corpus.codexFiles.length + corpus.claudeFiles.length, `stopped early (${summary.filesDone} files)`);
    e.engine.stop();
    e.store.close();
  });

  it('leaves the files of sessions the engine holds to the live rules', async () => {
    const e = startEngine(tmpDir(), corpus);
    // A corpus transcript's session, held by the engine before the import starts.
    const sid = path.basename(corpus.claudeFiles[0], '.jsonl');
    const live = e.engine.createSession({ provider: 'claude', mode: 'passive', providerSessionId: sid });
    e.history.start();
    const summary = await e.history.current!;
    assert.equal(summary.counts.live, 1);
    assert.equal(e.store.countMessages(live.id), 0, 'the live session got nothing from the import');
    await stopEngine(e);
  });

  it('a thread that runs out of its bounded heap is started again without the bound, and imports everything', async () => {
    // A transcript that ends in a 7 MB prompt (under the 8 MiB line cap): its line, parsed and stored,
    // needs more than the capped heap.
    const claudeHome = path.join(tmpDir(), 'claude');
    const lines = fs.readFileSync(corpus.claudeFiles[0], 'utf8').split('\n').filter(Boolean);
    const prompt = JSON.parse(lines.find(l => l.includes('"type":"user"'))!);
    prompt.uuid = '00000000-0000-4000-8000-00000000b16b';
    prompt.message.content = 'enormous '.repeat(7_000_000 / 9);
    fs.mkdirSync(path.join(claudeHome, 'projects', '-home-dev-big'), { recursive: true });
    fs.writeFileSync(path.join(claudeHome, 'projects', '-home-dev-big', path.basename(corpus.claudeFiles[0])), [...lines, JSON.stringify(prompt), ''].join('\n'));
    const importInto = async (file: string, oldGenerationMb?: number) => {
      const store = openStore({ file, clock: new FakeClock(Date.parse('2026-12-04T12:00:00.000Z')), driver: TEST_DRIVER });
      try {
        return await importOnThread({
          store, log: (l, m) => logs.push(`${l} ${m}`), codexHome: null, claudeHome, skipRecentMs: 0, loaded: [], oldGenerationMb,
          onProgress: () => {},
        });
      } finally { store.close(); }
    };
    const logs: string[] = [];
    const reference = path.join(tmpDir(), 'ref.db');
    await importInto(reference, 1024);
    assert.ok(!logs.some(l => l.includes('needed more than')), 'a heap of 1 GiB is enough');
    logs.length = 0;
    const file = path.join(tmpDir(), 'flightdeck.db');
    const summary = await importInto(file, OUT_OF_HEAP_MB);
    assert.ok(logs.some(l => l.startsWith(`info history: the import thread needed more than its ${OUT_OF_HEAP_MB} MiB heap`)), logs.join('\n'));
    assert.equal(summary.cancelled, false);
    const ids = (f: string) => {
      const db = openTestDb(f);
      try { return db.prepare('SELECT id, session_id, seq, length(text) AS n FROM messages ORDER BY id').all(); } finally { db.close(); }
    };
    const stored = ids(file);
    assert.ok(stored.some(r => Number(r.n) >= 7_000_000 - 9), 'the enormous prompt is stored');
    assert.deepEqual(stored, ids(reference), 'the same items as an import that never ran out');
  });

  it('a thread that cannot run: the import goes on on the engine\'s thread, logged', async () => {
    const dir = tmpDir();
    const broken = path.join(dir, 'broken-worker.js');
    fs.writeFileSync(broken, "throw new Error('no SQLite driver in this thread');\n");
    const e = startEngine(dir, corpus, broken);
    e.history.start();
    const summary = await e.history.current!;
    assert.equal(summary.cancelled, false);
    assert.equal(summary.filesDone, corpus.codexFiles.length + corpus.claudeFiles.length);
    assert.ok(e.logs.some(l => l.startsWith('warn history: the import thread failed (') && l.includes('no SQLite driver in this thread')), e.logs.join('\n'));
    assert.ok(committed(e.file).messages > 0);
    await stopEngine(e);
  });
});
