import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Db } from '../../src/engine/store/db';
import { FTS_AUTOMERGE, FTS_BULK_AUTOMERGE, FTS_HASH_BYTES, FTS_LEAF_BYTES_8K, LATEST_VERSION, MIGRATIONS, currentVersion, migrate } from '../../src/engine/store/migrations';
import { BatchedWriter } from '../../src/engine/store/writer';
import * as fs from 'node:fs';
import { NEW_DB_PAGE_SIZE, WAL_AUTOCHECKPOINT_BYTES, WAL_SIZE_LIMIT_BYTES, configureConnection, openStore, toFtsQuery } from '../../src/engine/store/sqliteStore';
import { FakeClock, iso } from '../../src/engine/platform/clock';
import { newSession } from '../../src/engine/sessions/model';
import { openTestDb, TEST_DRIVER } from '../helpers/storeDriver';
import { cleanupTmpDirs, tmpDir } from '../helpers/tmp';

/** wal_autocheckpoint of a new store: ~4 MB in pages of the new page size. */
const WAL_AUTOCHECKPOINT_PAGES = WAL_AUTOCHECKPOINT_BYTES / NEW_DB_PAGE_SIZE;

describe(`store [${TEST_DRIVER}]`, () => {
  afterEach(() => cleanupTmpDirs());

  it('opens with the driver of this run, and that driver has FTS5', () => {
    const logs: string[] = [];
    const store = openStore({ file: path.join(tmpDir(), 'd.db'), clock: new FakeClock(), driver: TEST_DRIVER, log: (l, m) => logs.push(`${l} ${m}`) });
    assert.equal(store.driver, TEST_DRIVER);
    assert.equal(store.ftsAvailable, true);
    assert.ok(logs.some(l => l.startsWith(`info store: SQLite driver ${TEST_DRIVER} `) && l.includes('FTS5 available')), logs.join('\n'));
    store.close();
  });

  it('sets WAL, busy_timeout 5000, foreign keys and temporary storage in memory', () => {
    const file = path.join(tmpDir(), 'a.db');
    const db = openTestDb(file);
    configureConnection(db);
    assert.equal(db.prepare('PRAGMA journal_mode').get()?.journal_mode, 'wal');
    assert.equal(db.prepare('PRAGMA busy_timeout').get()?.timeout, 5000);
    assert.equal(db.prepare('PRAGMA foreign_keys').get()?.foreign_keys, 1);
    // 2 = MEMORY: statement journals of import transactions never become files in /var/tmp.
    assert.equal(db.prepare('PRAGMA temp_store').get()?.temp_store, 2);
    assert.equal(db.prepare('PRAGMA wal_autocheckpoint').get()?.wal_autocheckpoint, WAL_AUTOCHECKPOINT_PAGES);
    assert.equal(Number(db.prepare('PRAGMA journal_size_limit').get()?.journal_size_limit), WAL_SIZE_LIMIT_BYTES);
    assert.equal(db.prepare('PRAGMA page_size').get()?.page_size, NEW_DB_PAGE_SIZE, 'a new database gets the larger pages');
    db.close();
  });

  it('a database made with 4 KiB pages keeps them, checkpoints at the same ~4 MB, and reads and writes as before', () => {
    const file = path.join(tmpDir(), 'old.db');
    const old = openTestDb(file);
    old.exec('PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; CREATE TABLE t(x)');
    old.close();
    const store = openStore({ file, clock: new FakeClock(), driver: TEST_DRIVER });
    store.setKv('k', 'v');
    store.flush();
    assert.equal(store.getKv('k'), 'v');
    assert.equal(store.autoCheckpointPages(), 1000);
    store.close();
    const db = openTestDb(file);
    assert.equal(db.prepare('PRAGMA page_size').get()?.page_size, 4096);
    db.close();
  });

  it('a paused connection leaves checkpoints to checkpointWal; resumed (every pause), its commits checkpoint again', () => {
    /** 8 MB in 80 commits: twice the ~4 MB autocheckpoint threshold. */
    const write8Mb = (store: ReturnType<typeof openStore>, prefix: string) => {
      for (let i = 0; i < 80; i++) { store.setKv(`${prefix}-${i}`, String(i % 10).repeat(100_000)); store.flush(); }
    };
    const size = (f: string) => fs.statSync(f).size;
    const control = path.join(tmpDir(), 'auto.db');
    const auto = openStore({ file: control, clock: new FakeClock(), driver: TEST_DRIVER });
    write8Mb(auto, 'a');
    assert.ok(size(`${control}-wal`) < 6e6, `commits checkpoint at ${WAL_AUTOCHECKPOINT_PAGES} pages: WAL ${size(`${control}-wal`)} B`);
    auto.close();

    const file = path.join(tmpDir(), 'paused.db');
    const store = openStore({ file, clock: new FakeClock(), driver: TEST_DRIVER });
    assert.equal(store.autoCheckpointPages(), WAL_AUTOCHECKPOINT_PAGES);
    const resumeA = store.pauseAutoCheckpoint();
    const resumeB = store.pauseAutoCheckpoint();
    assert.equal(store.autoCheckpointPages(), 0);
    const dbBefore = size(file);
    write8Mb(store, 'p');
    assert.ok(size(`${file}-wal`) > 8e6, `no checkpoint while paused: WAL ${size(`${file}-wal`)} B`);
    assert.ok(size(file) - dbBefore < 1e6, 'the database file has not received the pages');
    store.checkpointWal();
    assert.ok(size(file) - dbBefore > 8e6, `checkpointWal copied them: database grew by ${size(file) - dbBefore} B`);
    resumeA();
    resumeA(); // a second call of the same resume counts once
    assert.equal(store.autoCheckpointPages(), 0, 'still paused by the other caller');
    resumeB();
    assert.equal(store.autoCheckpointPages(), WAL_AUTOCHECKPOINT_PAGES);
    const other = openTestDb(file);
    assert.equal(other.prepare("SELECT COUNT(*) AS n FROM kv WHERE key LIKE 'p-%'").get()?.n, 80, 'every write is there for another connection');
    other.close();
    store.close();
    assert.doesNotThrow(() => resumeB(), 'resuming after close is harmless');
  });

  it('migrates an empty file to the latest version, once', () => {
    const db = openTestDb(path.join(tmpDir(), 'm.db'));
    assert.deepEqual(migrate(db), MIGRATIONS.map(m => m.version));
    assert.equal(currentVersion(db), LATEST_VERSION);
    assert.deepEqual(migrate(db), [], 'a second run applies nothing');
    db.close();
  });

  it('refuses a file a newer Flightdeck wrote (one clear StoreLoadError naming the fix) and leaves it as it was', () => {
    const file = path.join(tmpDir(), 'newer.db');
    openStore({ file, clock: new FakeClock(), driver: TEST_DRIVER }).close();
    const db = openTestDb(file);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(LATEST_VERSION + 1, 'from the future', iso(0));
    const before = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    db.close();
    assert.throws(() => openStore({ file, clock: new FakeClock(), driver: TEST_DRIVER }), (e: Error) => {
      assert.equal(e.name, 'StoreLoadError');
      assert.match(e.message, new RegExp(`cannot open its database at .*newer\\.db: a newer Flightdeck wrote it \\(schema version ${LATEST_VERSION + 1}; this one knows versions up to ${LATEST_VERSION}\\)`));
      assert.match(e.message, /Fix: update Flightdeck, or give this one another data folder/);
      return true;
    });
    const after = openTestDb(file);
    assert.deepEqual(after.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all(), before, 'nothing migrated or written');
    after.close();
  });

  it('upgrades a migration-1 file that holds data, and the old data becomes searchable', () => {
    const file = path.join(tmpDir(), 'old.db');
    const db = openTestDb(file);
    migrate(db, 1);
    assert.equal(currentVersion(db), 1);
    const s = newSession({ provider: 'codex', mode: 'passive', providerSessionId: 'old-thread', cwd: '/w/legacy' }, Date.parse('2026-01-01T00:00:00.000Z'));
    db.prepare('INSERT INTO sessions (id, provider, mode, provider_session_id, status, last_activity_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(s.id, s.provider, s.mode, s.providerSessionId, s.status, s.lastActivityAt, JSON.stringify(s));
    db.prepare('INSERT INTO messages (id, session_id, seq, kind, text, created_at, data) VALUES (?, ?, 0, ?, ?, ?, ?)')
      .run('old-1', s.id, 'user', 'refactor the flux capacitor', s.createdAt, '{}');
    db.close();

    const store = openStore({ file, clock: new FakeClock(), driver: TEST_DRIVER });
    const db2 = openTestDb(file);
    assert.equal(currentVersion(db2), LATEST_VERSION);
    db2.close();
    assert.equal(store.loadRecentSessions(10)[0].id, s.id);
    assert.deepEqual(store.getMessages(s.id).map(m => m.text), ['refactor the flux capacitor']);
    assert.deepEqual(store.search('capacitor', 10).map(h => h.messageId), ['old-1']);
    store.setOffset({ path: '/r.jsonl', sessionId: s.id, providerSessionId: 'old-thread', offset: 42 });
    assert.equal(store.getOffset('/r.jsonl')?.offset, 42, 'tables of later migrations work');
    store.close();
  });

  it('upgrades a migration-6 file to the FTS5 prefix index: old items found by 2- and 3-character prefixes, new ones indexed too', () => {
    const file = path.join(tmpDir(), 'v6.db');
    const db = openTestDb(file);
    migrate(db, 6);
    assert.doesNotMatch(String(db.prepare("SELECT sql FROM sqlite_master WHERE name = 'messages_fts'").get()?.sql), /prefix/);
    const s = newSession({ provider: 'claude', mode: 'passive', providerSessionId: 'v6', cwd: '/w/old' }, Date.parse('2026-01-01T00:00:00.000Z'));
    db.prepare('INSERT INTO sessions (id, provider, mode, provider_session_id, status, last_activity_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(s.id, s.provider, s.mode, s.providerSessionId, s.status, s.lastActivityAt, JSON.stringify(s));
    db.prepare('INSERT INTO messages (id, session_id, seq, kind, text, created_at, data) VALUES (?, ?, 0, ?, ?, ?, ?)')
      .run('old-k8s', s.id, 'agent', 'the kubernetes rollout paused', s.createdAt, '{}');
    db.close();

    const store = openStore({ file, clock: new FakeClock(), driver: TEST_DRIVER });
    const db2 = openTestDb(file);
    assert.equal(currentVersion(db2), LATEST_VERSION);
    assert.match(String(db2.prepare("SELECT sql FROM sqlite_master WHERE name = 'messages_fts'").get()?.sql), /prefix='2 3'/);
    // The prefix index itself answers (not only a doclist merge): FTS5 checks it against the content.
    assert.doesNotThrow(() => db2.exec("INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)"));
    db2.close();
    for (const q of ['ku', 'kub', 'kuber', 'rollout pa']) assert.deepEqual(store.search(q, 10).map(h => h.messageId), ['old-k8s'], q);
    store.saveMessage({ id: 'new-1', sessionId: s.id, seq: 1, kind: 'user', text: 'pause the payments worker', createdAt: iso(1) });
    assert.deepEqual(store.search('pa', 10).map(h => h.messageId), ['new-1', 'old-k8s'], 'a new item is indexed with its prefixes, newest first');
    store.patchMessage({ id: 'new-1', text: 'stop the billing worker' });
    store.flush();
    assert.deepEqual(store.search('pa', 10).map(h => h.messageId), ['old-k8s'], 'an updated item leaves the prefix index');
    store.close();
  });

  it('the search index takes the settings of migration 9 (fewer, larger segments); a file of 4 KiB pages keeps its leaf size; the index stays exact', () => {
    const settings = (file: string) => {
      const db = openTestDb(file);
      try { return Object.fromEntries(db.prepare('SELECT k, v FROM messages_fts_config').all().map(r => [String(r.k), Number(r.v)])); } finally { db.close(); }
    };
    const fresh = path.join(tmpDir(), 'fts-settings.db');
    const store = openStore({ file: fresh, clock: new FakeClock(), driver: TEST_DRIVER });
    assert.deepEqual(settings(fresh), { automerge: FTS_AUTOMERGE, hashsize: FTS_HASH_BYTES, pgsz: FTS_LEAF_BYTES_8K, version: 4 });
    // Many commits of a few rows each: the index is written and merged under these settings.
    const s = newSession({ provider: 'claude', mode: 'passive', providerSessionId: 'fts', cwd: '/w' }, 0);
    store.saveSession(s);
    for (let i = 0; i < 400; i++) {
      store.saveMessage({ id: `m${i}`, sessionId: s.id, seq: i, kind: 'agent', text: `rollout ${i % 7 ? 'paused' : 'payments'} step${i}`, createdAt: iso(i) });
      if (i % 5 === 4) store.flush();
    }
    store.flush();
    assert.equal(store.search('payments', 500).length, 58);
    assert.equal(store.search('pa', 500).length, 400);
    store.close();
    const db = openTestDb(fresh);
    assert.doesNotThrow(() => db.exec("INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)"));
    db.close();

    const old = path.join(tmpDir(), 'fts-4k.db');
    const v8 = openTestDb(old);
    v8.exec('PRAGMA page_size = 4096');
    migrate(v8, 8);
    v8.close();
    openStore({ file: old, clock: new FakeClock(), driver: TEST_DRIVER }).close();
    assert.deepEqual(settings(old), { automerge: FTS_AUTOMERGE, hashsize: FTS_HASH_BYTES, version: 4 }, 'no leaf size past its pages');
  });

  it('a bulk write merges the search index 16 segments at a time, and puts migration 9\'s 8 back when the last bulk writer ends', () => {
    const file = path.join(tmpDir(), 'fts-bulk.db');
    const automerge = () => {
      const db = openTestDb(file);
      try { return Number(db.prepare("SELECT v FROM messages_fts_config WHERE k = 'automerge'").get()?.v); } finally { db.close(); }
    };
    const store = openStore({ file, clock: new FakeClock(), driver: TEST_DRIVER });
    assert.equal(automerge(), FTS_AUTOMERGE);
    store.beginBulkWrite();
    assert.equal(automerge(), FTS_BULK_AUTOMERGE);
    store.beginBulkWrite();
    store.endBulkWrite();
    assert.equal(automerge(), FTS_BULK_AUTOMERGE, 'another bulk writer of this store is still writing');
    const s = newSession({ provider: 'claude', mode: 'passive', providerSessionId: 'bulk', cwd: '/w' }, 0);
    store.saveSession(s);
    store.saveImportBatch({ sessions: [s], messages: [{ id: 'b1', sessionId: s.id, seq: 0, kind: 'agent', text: 'merged later', createdAt: iso(0) }], patches: [], offsets: [], kv: [] });
    while (store.fillSearchIndex(100));
    store.endBulkWrite();
    assert.equal(automerge(), FTS_AUTOMERGE);
    assert.deepEqual(store.search('merged', 10).map(h => h.messageId), ['b1']);
    // A bulk write cut short (the process killed) leaves 16 until the next one ends.
    store.beginBulkWrite();
    store.close();
    assert.equal(automerge(), FTS_BULK_AUTOMERGE);
    const again = openStore({ file, clock: new FakeClock(), driver: TEST_DRIVER });
    again.beginBulkWrite();
    again.endBulkWrite();
    assert.equal(automerge(), FTS_AUTOMERGE);
    again.close();
  });

  it('a group is one transaction around atomic() calls: a throwing one drops only its writes; others see all at commit', () => {
    const file = path.join(tmpDir(), 'group.db');
    const store = openStore({ file, clock: new FakeClock(), driver: TEST_DRIVER });
    const other = openTestDb(file);
    const keys = () => other.prepare("SELECT key FROM kv WHERE key LIKE 'g-%' ORDER BY key").all().map(r => String(r.key));
    store.setKv('g-before', '1'); // queued before the group: committed on its own when the group begins
    store.beginGroup();
    store.atomic(() => store.setKv('g-a', '1'));
    assert.throws(() => store.atomic(() => { store.setKv('g-b', '1'); throw new Error('this slice rolls back'); }), /rolls back/);
    store.atomic(() => store.setKv('g-c', '1'));
    assert.deepEqual(keys(), ['g-before'], 'nothing of the group is visible before its commit');
    store.commitGroup();
    assert.deepEqual(keys(), ['g-a', 'g-before', 'g-c']);
    store.commitGroup(); // no group: nothing happens
    store.setKv('g-after', '1');
    store.flush();
    assert.deepEqual(keys(), ['g-a', 'g-after', 'g-before', 'g-c'], 'writes after the group commit on their own again');
    other.close();
    store.close();
  });

  it('folds patches of a still-queued message into its one insert; later patches update the row', () => {
    const store = openStore({ file: path.join(tmpDir(), 'p.db'), clock: new FakeClock() });
    const s = newSession({ provider: 'codex', mode: 'direct' }, 0);
    store.saveSession(s);
    store.saveMessage({ id: 'c1', sessionId: s.id, seq: 0, kind: 'command', text: 'ls', command: 'ls', status: 'inProgress', createdAt: iso(0) });
    store.patchMessage({ id: 'c1', output: 'a\nb', exitCode: 0 });
    store.patchMessage({ id: 'c1', status: 'completed' });
    store.flush();
    assert.deepEqual(pick(store.getMessage('c1')!), { output: 'a\nb', exitCode: 0, status: 'completed', command: 'ls' });
    store.patchMessage({ id: 'c1', text: 'ls -la', isError: true });
    store.flush();
    assert.deepEqual(pick(store.getMessage('c1')!), { output: 'a\nb', exitCode: 0, status: 'completed', command: 'ls' });
    assert.equal(store.getMessage('c1')!.text, 'ls -la');
    assert.equal(store.getMessage('c1')!.isError, true);
    assert.deepEqual(store.search('la', 5).map(h => h.messageId), ['c1'], 'the index follows the update');
    store.close();
    function pick(m: { output?: unknown; exitCode?: unknown; status?: unknown; command?: unknown }) {
      return { output: m.output, exitCode: m.exitCode, status: m.status, command: m.command };
    }
  });

  it('full-text search takes arbitrary user text without errors', () => {
    const store = openStore({ file: path.join(tmpDir(), 's.db'), clock: new FakeClock(), driver: TEST_DRIVER });
    const s = newSession({ provider: 'claude', mode: 'passive' }, 0);
    store.saveSession(s);
    store.saveMessage({ id: 'x', sessionId: s.id, seq: 0, kind: 'agent', text: 'The deploy script failed: ENOENT', createdAt: iso(0) });
    for (const q of ['deploy', 'ENOENT', 'depl', '"unbalanced', 'AND OR NOT', '*', '((']) {
      assert.doesNotThrow(() => store.search(q, 10), q);
    }
    assert.equal(store.search('deploy fail', 10).length, 1);
    assert.equal(toFtsQuery('a "b" c'), '"a" "b" "c"*');
    store.close();
  });

  it('without FTS5 (a driver whose SQLite lacks it) migrates, says so, and search answers by substring', () => {
    // The one wrapper of these suites: a real connection whose exec refuses fts5, as a SQLite built without it does.
    const withoutFts5 = (db: Db): Db => ({
      driver: db.driver, path: db.path,
      exec(sql) { if (/fts5/i.test(sql)) throw new Error('no such module: fts5'); db.exec(sql); },
      prepare: sql => db.prepare(sql), transaction: fn => db.transaction(fn), close: () => db.close(),
      begin: () => db.begin(), commit: () => db.commit(), rollback: () => db.rollback(),
    });
    const file = path.join(tmpDir(), 'nofts.db');
    const logs: string[] = [];
    const store = openStore({ file, clock: new FakeClock(), openDb: f => withoutFts5(openTestDb(f)), log: (l, m) => logs.push(`${l} ${m}`) });
    assert.equal(store.ftsAvailable, false);
    assert.ok(logs.some(l => l.startsWith('warn ') && /no FTS5/.test(l)), `a visible notice: ${logs.join('\n')}`);
    const s = newSession({ provider: 'codex', mode: 'passive' }, 0);
    store.saveSession(s);
    store.saveMessage({ id: 'a', sessionId: s.id, seq: 0, kind: 'agent', text: 'Rebuilt the Flux Capacitor module', createdAt: iso(0) });
    store.saveMessage({ id: 'b', sessionId: s.id, seq: 1, kind: 'user', text: 'now ship it', createdAt: iso(0) });
    const hits = store.search('flux capacitor', 10);
    assert.deepEqual(hits.map(h => h.messageId), ['a']);
    assert.match(hits[0].snippet, /Flux Capacitor/);
    for (const q of ['"unbalanced', '((', '*', '%_']) assert.deepEqual(store.search(q, 10), [], q);
    store.close();
    const db = openTestDb(file);
    assert.equal(db.prepare("SELECT name FROM sqlite_master WHERE name = 'messages_fts'").get(), undefined);
    assert.equal(currentVersion(db), LATEST_VERSION, 'every migration recorded');
    db.close();
  });

  describe('batched writer (SPEC §7)', () => {
    function setup() {
      const db = openTestDb(path.join(tmpDir(), 'w.db'));
      db.exec('CREATE TABLE t (n INTEGER)');
      const clock = new FakeClock();
      const flushSizes: number[] = [];
      const w = new BatchedWriter(db, { clock, onFlush: n => flushSizes.push(n) });
      const count = () => Number(db.prepare('SELECT COUNT(*) AS c FROM t').get()?.c);
      const insert = (n: number) => w.enqueue(d => { d.prepare('INSERT INTO t (n) VALUES (?)').run(n); });
      return { db, clock, w, flushSizes, count, insert };
    }

    it('flushes at 50 commands, in one transaction', () => {
      const { w, flushSizes, count, insert, db } = setup();
      for (let i = 0; i < 49; i++) insert(i);
      assert.equal(count(), 0);
      insert(49);
      assert.equal(count(), 50);
      assert.deepEqual(flushSizes, [50]);
      assert.equal(w.flushes, 1);
      db.close();
    });

    it('flushes 100 ms after the first queued command', () => {
      const { clock, count, insert, db } = setup();
      insert(1);
      clock.advance(60);
      insert(2);
      clock.advance(39);
      assert.equal(count(), 0);
      clock.advance(1);
      assert.equal(count(), 2);
      db.close();
    });

    it('a flush is all or nothing: a transient failure keeps every command for the next try', () => {
      const { w, clock, count, insert, db } = setup();
      insert(1);
      let fail = true;
      w.enqueue(() => { if (fail) { const e = new Error('busy') as Error & { code: string }; e.code = 'SQLITE_BUSY'; throw e; } });
      insert(3);
      clock.advance(100);
      assert.equal(count(), 0, 'rolled back as a whole');
      assert.equal(w.pending, 3);
      fail = false;
      clock.advance(100);
      assert.equal(count(), 2);
      db.close();
    });

    it('a command that always fails is dropped alone; the others are written', () => {
      const errors: string[] = [];
      const db = openTestDb(path.join(tmpDir(), 'w2.db'));
      db.exec('CREATE TABLE t (n INTEGER NOT NULL)');
      const w = new BatchedWriter(db, { clock: new FakeClock(), onError: e => errors.push(e.message) });
      w.enqueue(d => { d.prepare('INSERT INTO t (n) VALUES (?)').run(1); });
      w.enqueue(d => { d.prepare('INSERT INTO t (n) VALUES (?)').run(null); });
      w.enqueue(d => { d.prepare('INSERT INTO t (n) VALUES (?)').run(3); });
      w.flush();
      assert.deepEqual(db.prepare('SELECT n FROM t ORDER BY n').all().map(r => r.n), [1, 3]);
      assert.equal(errors.length, 1, 'the bad command is reported');
      assert.match(errors[0], /NOT NULL/);
      db.close();
    });

    it('bounds the queue at 1,000 commands', () => {
      const db = openTestDb(path.join(tmpDir(), 'w3.db'));
      const busy = () => { const e = new Error('locked') as Error & { code: string }; e.code = 'SQLITE_BUSY'; throw e; };
      const w = new BatchedWriter(db, { clock: new FakeClock(), flushEvery: 10_000 });
      for (let i = 0; i < 1000; i++) w.enqueue(busy);
      assert.throws(() => w.enqueue(() => {}), /queue full/);
      db.close();
    });
  });

  it('restores up to the limit, most recent first', () => {
    const file = path.join(tmpDir(), 'r.db');
    const clock = new FakeClock();
    const store = openStore({ file, clock, driver: TEST_DRIVER });
    for (let i = 0; i < 30; i++) store.saveSession(newSession({ provider: 'codex', mode: 'passive', providerSessionId: `t${i}` }, clock.now() + i * 1000));
    store.close();
    const again = openStore({ file, clock, driver: TEST_DRIVER });
    const got = again.loadRecentSessions(10);
    assert.equal(got.length, 10);
    assert.deepEqual(got.map(s => s.providerSessionId), Array.from({ length: 10 }, (_, i) => `t${29 - i}`));
    again.close();
  });
});
