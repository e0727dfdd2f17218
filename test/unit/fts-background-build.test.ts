import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { LATEST_VERSION, currentVersion, migrate } from '../../src/engine/store/migrations';
import { openStore } from '../../src/engine/store/sqliteStore';
import type { Store } from '../../src/engine/store/types';
import { FakeClock, iso } from '../../src/engine/platform/clock';
import { newSession } from '../../src/engine/sessions/model';
import { ClientConnection, attachReplay } from '../../src/engine/clients/connection';
import type { ServerMessage } from '../../src/engine/protocol';
import { SessionEngine } from '../../src/engine/sessions/engine';
import { openTestDb, TEST_DRIVER } from '../helpers/storeDriver';
import { assertIndexEqualsRebuild } from '../helpers/searchIndex';
import { cleanupTmpDirs, tmpDir } from '../helpers/tmp';

const CHILD = path.join(__dirname, '..', 'helpers', 'ftsBuildChild.js');
const ROWS = 40_000;
const SESSIONS = 40;
const WORDS = ['deploy', 'kubernetes', 'payment', 'rollout', 'memory', 'limiter', 'snapshot', 'coverage', 'parser', 'worker', 'pause', 'retry'];
const QUERIES = ['deploy', 'kub', 'pa', 'memory limiter', 'snapshot cov', 'retr', 'zebra'];

/** A file at schema 6 (before migration 7) holding ROWS messages over SESSIONS sessions, as an upgrade finds it. */
function writeVersion6File(file: string): void {
  const db = openTestDb(file);
  migrate(db, 6);
  db.transaction(() => {
    const insSession = db.prepare('INSERT INTO sessions (id, provider, mode, provider_session_id, status, last_activity_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (let i = 0; i < SESSIONS; i++) {
      const s = newSession({ id: `s${i}`, provider: i % 2 ? 'codex' : 'claude', mode: 'passive', providerSessionId: `p${i}`, cwd: `/w/p${i % 4}` }, Date.parse('2026-01-01T00:00:00.000Z'));
      insSession.run(s.id, s.provider, s.mode, s.providerSessionId, s.status, s.lastActivityAt, JSON.stringify(s));
    }
    const insMessage = db.prepare('INSERT INTO messages (id, session_id, seq, kind, text, created_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)');
    let x = 12345;
    const next = () => { x = (x * 1103515245 + 12345) % 2147483648; return x >>> 16; };
    for (let i = 0; i < ROWS; i++) {
      const text = Array.from({ length: 3 + (next() % 6) }, () => WORDS[next() % WORDS.length]).join(' ') + ` item${i}`;
      insMessage.run(`m${i}`, `s${i % SESSIONS}`, Math.floor(i / SESSIONS), i % 3 ? 'agent' : 'user', text, iso(i * 1000), '{}');
    }
  });
  db.close();
}

function backfillRow(file: string): { done: number; target: number } | undefined {
  const db = openTestDb(file);
  try {
    const r = db.prepare('SELECT done, target FROM fts_backfill WHERE id = 1').get();
    return r ? { done: Number(r.done), target: Number(r.target) } : undefined;
  } finally { db.close(); }
}

/** The index is consistent with its content, and answers like an index rebuilt from scratch over the same rows. */
function assertEqualsFreshBuild(file: string, queries = ['deploy', 'kubernetes', 'pa*', 'kub*', 'retry', 'memory limiter', 'item7*']): void {
  const built = assertIndexEqualsRebuild(file, queries);
  assert.ok(built[queries[0]].length > 1000, 'the old rows are in the index');
}

function runToCompletion(store: Store, clock: FakeClock): number {
  let ticks = 0;
  while (store.searchIndexPercent() !== undefined) {
    clock.advance(5);
    assert.ok(++ticks < 10_000, 'the build ends');
  }
  return ticks;
}

/** Runs the child until it reported `slices` committed slices, then SIGKILLs it. */
function runAndKill(file: string, slices: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, file, TEST_DRIVER, '500'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = 0, buf = '', err = '';
    child.stderr.on('data', d => { err += d; });
    child.stdout.on('data', d => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('slice ') && ++seen === slices) child.kill('SIGKILL');
      }
    });
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited on its own after ${seen} slices: ${err}`)); else resolve();
    });
  });
}

describe(`search index built in the background after an upgrade [${TEST_DRIVER}]`, function () {
  this.timeout(120_000);
  afterEach(() => cleanupTmpDirs());

  it('openStore migrates without indexing the old rows; search says how far the build is; the finished index equals a fresh build', () => {
    const file = path.join(tmpDir(), 'v6.db');
    writeVersion6File(file);
    const clock = new FakeClock();
    const slices: number[] = [];
    const store = openStore({ file, clock, driver: TEST_DRIVER, ftsSliceRows: 1000, onFtsSlice: left => slices.push(left?.done ?? -1) });
    const db = openTestDb(file);
    assert.equal(currentVersion(db), LATEST_VERSION);
    db.close();
    // The open indexed one slice of the 40,000 rows, not all of them (counted in rows, not timed).
    assert.deepEqual(slices, [1000]);
    assert.deepEqual(backfillRow(file), { done: 1000, target: ROWS });
    assert.equal(store.searchIndexPercent(), 2);

    // Writes while it builds: a new item (the triggers' row), an update and a delete of rows not yet
    // indexed and of rows already indexed. None may corrupt the index or appear twice.
    store.saveMessage({ id: 'fresh', sessionId: 's1', seq: 99_999, kind: 'user', text: 'deploy the zebra', createdAt: iso(ROWS * 1000) });
    store.patchMessage({ id: 'm30000', text: 'zebra crossing, not yet indexed' });
    store.patchMessage({ id: 'm10', text: 'zebra already indexed' });
    store.flush();
    const during = store.search('zebra', 50);
    assert.deepEqual(during.map(h => h.messageId), ['fresh', 'm10'], 'indexed rows are found, the rest is not yet');
    store.deleteSession('s7');
    store.flush();

    runToCompletion(store, clock);
    assert.equal(slices.length, ROWS / 1000, 'built in slices of 1,000 rows, one after the other on the clock');
    assert.equal(backfillRow(file), undefined, 'the progress row is gone');
    assert.deepEqual(store.search('zebra', 50).map(h => h.messageId), ['fresh', 'm30000', 'm10']);
    for (const q of QUERIES) assert.ok(store.search(q, 50).length > 0 || q === 'zebra', q);
    assert.equal(store.search('item7', 50).filter(h => h.sessionId === 's7').length, 0, 'the deleted session left the index');
    store.close();
    assertEqualsFreshBuild(file);
  });

  it('rows deleted over a span wider than a slice: the build goes past the gap a slice at a time and equals a fresh build', () => {
    const file = path.join(tmpDir(), 'gap.db');
    writeVersion6File(file);
    const db = openTestDb(file);
    db.exec('DELETE FROM messages WHERE rowid > 5000 AND rowid <= 12500');
    db.close();
    const clock = new FakeClock();
    const done: number[] = [];
    const store = openStore({ file, clock, driver: TEST_DRIVER, ftsSliceRows: 1000, onFtsSlice: left => done.push(left?.done ?? -1) });
    runToCompletion(store, clock);
    // Slices of up to 1,000 rows: none spans the gap's empty rowids, and none holds more than 1,000 rows.
    assert.deepEqual(done.slice(0, 7), [1000, 2000, 3000, 4000, 5000, 13500, 14500]);
    assert.equal(done.length, 5 + 27 + 1, '5 slices before the gap, 27 of the 27,500 rows after it, the last one the rest');
    assert.equal(done.at(-1), -1, 'complete');
    store.close();
    assertEqualsFreshBuild(file);
  });

  it('a build killed (SIGKILL) mid-way goes on from its last slice at the next open, and the index equals a fresh build', async () => {
    const file = path.join(tmpDir(), 'kill.db');
    writeVersion6File(file);
    await runAndKill(file, 5);
    const left = backfillRow(file);
    assert.ok(left && left.done >= 2500 && left.done < ROWS, `killed mid-build: ${JSON.stringify(left)}`);

    const clock = new FakeClock();
    const firstDone: number[] = [];
    const store = openStore({ file, clock, driver: TEST_DRIVER, ftsSliceRows: 2000, onFtsSlice: l => firstDone.push(l?.done ?? ROWS) });
    assert.equal(firstDone[0], Math.min(left.done + 2000, ROWS), 'resumed where the killed one stopped');
    const before = store.search('deploy', 200).length;
    runToCompletion(store, clock);
    assert.ok(store.search('deploy', 200).length >= before);
    store.close();
    assertEqualsFreshBuild(file);
  });

  it('a bulk writer defers indexing: its rows are indexed in batches, live writes meanwhile are not lost, the index equals a fresh build', () => {
    const file = path.join(tmpDir(), 'bulk.db');
    const clock = new FakeClock();
    const store = openStore({ file, clock, driver: TEST_DRIVER });
    const s = newSession({ id: 'bulk', provider: 'claude', mode: 'passive' }, 0);
    store.saveSession(s);
    store.saveMessage({ id: 'before', sessionId: s.id, seq: 0, kind: 'user', text: 'zebra before the import', createdAt: iso(0) });
    store.flush();
    store.beginBulkWrite();
    for (let i = 1; i <= 3000; i++) store.saveMessage({ id: `b${i}`, sessionId: s.id, seq: i, kind: 'agent', text: `zebra bulk row ${i} ${WORDS[i % WORDS.length]}`, createdAt: iso(i) });
    store.flush();
    assert.deepEqual(store.search('zebra', 5).map(h => h.messageId), ['before'], 'deferred rows are not indexed one by one');
    assert.ok(store.searchIndexPercent() !== undefined, 'search says the index is behind');
    // Writes to deferred rows before they are indexed: an update and a delete (the triggers leave them alone).
    store.patchMessage({ id: 'b5', text: 'okapi instead' });
    store.flush();
    let slices = 0;
    while (store.fillSearchIndex(700)) slices++;
    assert.equal(slices, 4, '3,000 rows in slices of 700');
    store.endBulkWrite();
    assert.equal(store.searchIndexPercent(), undefined, 'complete once the writer is done and caught up');
    assert.equal(store.search('zebra', 5000).length, 3000);
    assert.deepEqual(store.search('okapi', 5).map(h => h.messageId), ['b5']);
    store.saveMessage({ id: 'after', sessionId: s.id, seq: 9999, kind: 'user', text: 'okapi after', createdAt: iso(9999) });
    assert.deepEqual(store.search('okapi', 5).map(h => h.messageId), ['after', 'b5'], 'the triggers index new rows again');
    store.close();
    assertEqualsFreshBuild(file, ['zebra', 'okapi', 'bulk*', 'deploy']);
  });

  it('a bulk writer killed before it ended: the next open bounds what it left and builds it in the background', () => {
    const file = path.join(tmpDir(), 'bulk-kill.db');
    const first = openStore({ file, clock: new FakeClock(), driver: TEST_DRIVER });
    const s = newSession({ id: 'bulk', provider: 'codex', mode: 'passive' }, 0);
    first.saveSession(s);
    first.beginBulkWrite();
    for (let i = 0; i < 5000; i++) first.saveMessage({ id: `k${i}`, sessionId: s.id, seq: i, kind: 'agent', text: `zebra ${WORDS[i % WORDS.length]} ${i}`, createdAt: iso(i) });
    first.fillSearchIndex(1000);
    first.flush();
    // What a kill leaves on disk: committed rows, an open range, no endBulkWrite.
    first.close();
    assert.deepEqual(backfillRow(file), { done: 1000, target: Number.MAX_SAFE_INTEGER });
    const clock = new FakeClock();
    const store = openStore({ file, clock, driver: TEST_DRIVER, ftsSliceRows: 1000 });
    assert.ok(store.searchIndexPercent()! >= 20 && store.searchIndexPercent()! < 100);
    runToCompletion(store, clock);
    assert.equal(store.search('zebra', 10_000).length, 5000);
    store.close();
    assertEqualsFreshBuild(file, ['zebra', 'deploy', 'pa*']);
  });

  it("another bulk connection opening while a bulk writer defers leaves the writer's range open (the import's threads open side by side)", () => {
    const file = path.join(tmpDir(), 'bulk-side.db');
    openStore({ file, clock: new FakeClock(), driver: TEST_DRIVER }).close();
    const gate = new SharedArrayBuffer(8);
    const writer = openStore({ file, clock: new FakeClock(), driver: TEST_DRIVER, bulkWriterGate: gate });
    const s = newSession({ id: 'bulk', provider: 'claude', mode: 'passive' }, 0);
    writer.saveSession(s);
    writer.beginBulkWrite();
    writer.saveMessage({ id: 'first', sessionId: s.id, seq: 0, kind: 'agent', text: 'zebra first', createdAt: iso(0) });
    writer.flush();
    const reader = openStore({ file, clock: new FakeClock(), driver: TEST_DRIVER, bulkWriterGate: gate });
    assert.equal(backfillRow(file)?.target, Number.MAX_SAFE_INTEGER, 'still open after the reader opened');
    writer.saveMessage({ id: 'second', sessionId: s.id, seq: 1, kind: 'agent', text: 'zebra second', createdAt: iso(1) });
    writer.flush();
    assert.deepEqual(reader.search('zebra', 5), [], 'rows wait for the filler, not indexed one by one by the triggers');
    while (writer.fillSearchIndex(1000)) { /* all of it */ }
    writer.endBulkWrite();
    assert.deepEqual(reader.search('zebra', 5).map(h => h.messageId), ['second', 'first']);
    reader.close();
    writer.close();
    // The engine's own open still bounds a range a killed writer left (the test above).
  });

  it('a client searching while the index is built is told so (search_results.indexing), and no longer once it is complete', async () => {
    const file = path.join(tmpDir(), 'v6-client.db');
    writeVersion6File(file);
    const clock = new FakeClock();
    const store = openStore({ file, clock, driver: TEST_DRIVER, ftsSliceRows: 1000 });
    const engine = new SessionEngine({ store, clock, openFiles: () => null });
    engine.start();
    const ask = async (requestId: string) => {
      const sent: ServerMessage[] = [];
      const conn = new ClientConnection({ engine, replay: attachReplay(engine), serverVersion: 't', send: m => sent.push(m) });
      await conn.handle({ type: 'search', query: 'deploy', requestId });
      conn.close();
      const answer = sent.find(m => 'requestId' in m && m.requestId === requestId);
      assert.ok(answer && answer.type === 'search_results', JSON.stringify(answer));
      return answer;
    };
    try {
      const during = await ask('r1');
      assert.deepEqual(during.indexing, { percent: 2 });
      assert.ok(during.results.length > 0, 'the indexed part answers');
      runToCompletion(store, clock);
      const after = await ask('r2');
      assert.equal(after.indexing, undefined);
      assert.equal(after.results.length, 50);
    } finally {
      engine.stop();
      store.close();
    }
  });

  it('a new store has nothing to build', () => {
    const store = openStore({ file: path.join(tmpDir(), 'new.db'), clock: new FakeClock(), driver: TEST_DRIVER });
    assert.equal(store.searchIndexPercent(), undefined);
    store.close();
  });
});
