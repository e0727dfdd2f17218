import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FakeClock } from '../../src/engine/platform/clock';
import { StoreLoadError, type Db } from '../../src/engine/store/db';
import { DRIVER_ENV, openDatabase, resolveDriverPreference, type DriverName } from '../../src/engine/store/driver';
import { hasFts5 } from '../../src/engine/store/migrations';
import { configureConnection } from '../../src/engine/store/sqliteStore';
import { BatchedWriter } from '../../src/engine/store/writer';
import { openTestDb, TEST_DRIVER } from '../helpers/storeDriver';
import { cleanupTmpDirs, tmpDir } from '../helpers/tmp';

// What this runtime can load, known without loading a driver (that is what is under test): node:sqlite is
// built into Node.js ≥ 22.13; the better-sqlite3 binary serves the one ABI it registers for.
const [MAJOR, MINOR] = process.versions.node.split('.').map(Number);
const HAS_NODE_SQLITE = MAJOR > 22 || (MAJOR === 22 && MINOR >= 13);
const ADDON = path.join(path.dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');
const BETTER_ABI = /node_register_module_v(\d+)/.exec(fs.readFileSync(ADDON).toString('latin1'))?.[1];
const BETTER_LOADS = BETTER_ABI === process.versions.modules;
const LOADS: DriverName | undefined = BETTER_LOADS ? 'better-sqlite3' : HAS_NODE_SQLITE ? 'node:sqlite' : undefined;
const LACKS: DriverName | undefined = !HAS_NODE_SQLITE ? 'node:sqlite' : !BETTER_LOADS ? 'better-sqlite3' : undefined;
const RUNTIME = `Node.js ${process.versions.node}, ABI ${process.versions.modules}; better-sqlite3 built for ABI ${BETTER_ABI}`;

function capture(): { logs: string[]; log: (l: string, m: string) => void } {
  const logs: string[] = [];
  return { logs, log: (l, m) => logs.push(`${l} ${m}`) };
}

function loadError(fn: () => unknown): StoreLoadError {
  try { fn(); } catch (e) { assert.ok(e instanceof StoreLoadError, `a StoreLoadError, got ${String(e)}`); return e; }
  assert.fail('expected a StoreLoadError');
}

describe(`SQLite driver choice (${RUNTIME})`, () => {
  afterEach(() => cleanupTmpDirs());

  it('auto takes the first driver that loads and logs which one and why', () => {
    assert.ok(LOADS, 'this runtime loads one of the drivers');
    const { logs, log } = capture();
    const db = openDatabase(path.join(tmpDir(), 'auto.db'), { log, env: {} });
    assert.equal(db.driver, LOADS);
    db.close();
    assert.equal(logs.length, 1, logs.join('\n'));
    if (LOADS === 'better-sqlite3') {
      assert.match(logs[0], /^info store: SQLite driver better-sqlite3 \(the first choice\); FTS5 available$/);
    } else {
      assert.match(logs[0], new RegExp(`^info store: SQLite driver node:sqlite \\(better-sqlite3 did not load: its native module was built for NODE_MODULE_VERSION ${BETTER_ABI} but this host runs ${process.versions.modules}\\b.*\\); FTS5 available$`));
    }
  });

  it('forcing the driver this runtime lacks is ONE StoreLoadError that names the fix, with no fallback', () => {
    assert.ok(LACKS, 'this runtime lacks one of the drivers');
    const file = path.join(tmpDir(), 'forced.db');
    const { logs, log } = capture();
    const e = loadError(() => openDatabase(file, { prefer: LACKS, log, env: {} }));
    if (LACKS === 'node:sqlite') {
      assert.match(e.message, new RegExp(`node:sqlite did not load — this host runs Node\\.js ${process.versions.node.replace(/\./g, '\\.')}, which has no built-in node:sqlite \\(it needs Node\\.js ≥ 22\\.13\\)`));
      assert.match(e.message, /Fix: update VS Code to a release whose Node\.js has node:sqlite .*or run `npm rebuild better-sqlite3`/);
    } else {
      assert.match(e.message, new RegExp(`better-sqlite3 did not load — its native module was built for NODE_MODULE_VERSION ${BETTER_ABI} but this host runs ${process.versions.modules}`));
      assert.match(e.message, /Fix: run `npm rebuild better-sqlite3` with the Node\.js\/Electron version of this host/);
    }
    assert.match(e.message, /forced by the driver setting; "auto" lets Flightdeck take whichever loads/);
    assert.equal(fs.existsSync(file), false, 'no other driver opened the file');
    assert.deepEqual(logs.map(l => l.split(' ')[0]), ['error']);
  });

  it(`${DRIVER_ENV} forces a driver; an explicit driver option wins over it`, () => {
    assert.ok(LOADS && LACKS);
    const { logs, log } = capture();
    const a = openDatabase(path.join(tmpDir(), 'env.db'), { log, env: { [DRIVER_ENV]: LOADS } });
    assert.equal(a.driver, LOADS);
    a.close();
    assert.match(logs[0], new RegExp(`SQLite driver ${LOADS} \\(forced by ${DRIVER_ENV}\\)`));
    const b = openDatabase(path.join(tmpDir(), 'opt.db'), { prefer: LOADS, env: { [DRIVER_ENV]: LACKS } });
    assert.equal(b.driver, LOADS);
    b.close();
    const e = loadError(() => openDatabase(path.join(tmpDir(), 'envlacks.db'), { prefer: 'auto', env: { [DRIVER_ENV]: LACKS } }));
    assert.match(e.message, new RegExp(`forced by ${DRIVER_ENV}`));
  });

  it('an unknown driver name is one clear error; nothing set means auto', () => {
    assert.equal(resolveDriverPreference(undefined, {}), 'auto');
    assert.equal(resolveDriverPreference('auto', { [DRIVER_ENV]: ' node:sqlite ' }), 'node:sqlite');
    const e = loadError(() => openDatabase(path.join(tmpDir(), 'x.db'), { env: { [DRIVER_ENV]: 'sqlite3' } }));
    assert.match(e.message, /FLIGHTDECK_SQLITE_DRIVER="sqlite3" names no SQLite driver\. Fix: set it to one of auto, better-sqlite3, node:sqlite, or unset it\./);
  });

  it('a file that cannot be opened is reported as such, not as a missing driver', () => {
    const file = path.join(tmpDir(), 'no', 'such', 'folder', 'x.db');
    const e = loadError(() => openDatabase(file, { env: {} }));
    assert.match(e.message, new RegExp(`cannot open its database at ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `));
    assert.doesNotMatch(e.message, /no SQLite driver loads/);
  });

  it('when no driver loads: ONE StoreLoadError naming both failures and the fix', () => {
    // A real host where neither loads: the store's compiled modules in a folder with no node_modules
    // (better-sqlite3 not shipped), and node:sqlite switched off where the runtime has it.
    const dir = tmpDir();
    const storeOut = path.join(__dirname, '..', '..', 'src', 'engine', 'store');
    for (const f of ['driver.js', 'betterSqlite.js', 'nodeSqlite.js', 'db.js', 'migrations.js']) fs.copyFileSync(path.join(storeOut, f), path.join(dir, f));
    const script = `
      const { openDatabase } = require('./driver.js');
      const logs = [];
      try { const db = openDatabase(${JSON.stringify(path.join(dir, 'x.db'))}, { env: {}, log: (l, m) => logs.push(l) }); console.log(JSON.stringify({ opened: db.driver })); }
      catch (e) { console.log(JSON.stringify({ name: e.name, message: e.message, causes: e.cause.length, logs })); }`;
    const args = [...(HAS_NODE_SQLITE ? ['--no-experimental-sqlite'] : []), '-e', script];
    const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { name: string; message: string; causes: number; logs: string[] };
    assert.equal(out.name, 'StoreLoadError');
    assert.match(out.message, /^Flightdeck cannot open its database: no SQLite driver loads in this host \(Node\.js [\d.]+, process\.versions\.modules=\d+\)\. /);
    assert.match(out.message, /better-sqlite3: Cannot find module 'better-sqlite3'/);
    assert.match(out.message, /node:sqlite: this host runs Node\.js [\d.]+, which has no built-in node:sqlite \(it needs Node\.js ≥ 22\.13\)\./);
    assert.match(out.message, /Fix: update VS Code to a release whose Node\.js has node:sqlite \(Node\.js ≥ 22\.13\), or run `npm rebuild better-sqlite3`/);
    assert.equal(out.causes, 2);
    assert.deepEqual(out.logs, ['error']);
  });
});

describe(`Db semantics, the same on every driver [${TEST_DRIVER}]`, () => {
  let db: Db;
  beforeEach(() => {
    db = openTestDb(path.join(tmpDir(), 'sem.db'));
    configureConnection(db);
    db.exec('CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n); CREATE TABLE u (k TEXT PRIMARY KEY, v TEXT NOT NULL)');
  });
  afterEach(() => { db.close(); cleanupTmpDirs(); });
  const count = () => db.prepare('SELECT COUNT(*) AS c FROM u').get()?.c;

  it('is the driver of this run, with FTS5 compiled in', () => {
    assert.equal(db.driver, TEST_DRIVER);
    assert.equal(hasFts5(db), true);
  });

  it('rows are plain objects; integers numbers (also past 2^53), blobs Buffers, undefined binds NULL', () => {
    const ins = db.prepare('INSERT INTO t (i, r, s, b, n) VALUES (?, ?, ?, ?, ?)');
    assert.equal(ins.run(1, 1.5, 'x', Buffer.from([1, 2]), null).changes, 1);
    ins.run(2n ** 53n + 1n, -0.25, '', new Uint8Array([7]), undefined as unknown as null);
    const rows = db.prepare('SELECT * FROM t ORDER BY rowid').all();
    assert.deepStrictEqual(rows[0], { i: 1, r: 1.5, s: 'x', b: Buffer.from([1, 2]), n: null });
    assert.equal(Object.getPrototypeOf(rows[0]), Object.prototype);
    assert.ok(Buffer.isBuffer(rows[1].b));
    assert.deepStrictEqual(rows[1], { i: 9007199254740992, r: -0.25, s: '', b: Buffer.from([7]), n: null });
    assert.equal(typeof db.prepare('SELECT COUNT(*) AS c FROM t').get()?.c, 'number');
  });

  it('get → undefined and all → [] when no row; run → { changes } as a number; a write statement reads nothing', () => {
    assert.equal(db.prepare('SELECT * FROM t WHERE i = ?').get(42), undefined);
    assert.deepEqual(db.prepare('SELECT * FROM t WHERE i = ?').all(42), []);
    db.prepare('INSERT INTO t (i) VALUES (?), (?), (?)').run(1, 2, 3);
    const res = db.prepare('UPDATE t SET s = ? WHERE i < ?').run('y', 3);
    assert.equal(res.changes, 2);
    assert.equal(db.prepare('INSERT INTO t (i) VALUES (?)').get(9), undefined);
    assert.deepEqual(db.prepare('INSERT INTO t (i) VALUES (?)').all(9), []);
    assert.equal(db.prepare('SELECT COUNT(*) AS c FROM t WHERE i = 9').get()?.c, 0, 'get/all on a write statement do not run it');
    assert.equal(db.prepare('SELECT 1 AS x'), db.prepare('SELECT 1 AS x'), 'statements are cached');
    assert.throws(() => db.prepare('INSERT INTO t (i) VALUES (?)').run(true as unknown as number), TypeError);
  });

  it('errors carry SQLite\'s code names (the writer decides on them)', () => {
    const codeOf = (fn: () => unknown) => { try { fn(); } catch (e) { return (e as { code?: string }).code + ' ' + (e as Error).message; } return 'no error'; };
    assert.equal(codeOf(() => db.prepare('INSERT INTO u (k, v) VALUES (?, ?)').run('a', null)), 'SQLITE_CONSTRAINT_NOTNULL NOT NULL constraint failed: u.v');
    db.prepare('INSERT INTO u (k, v) VALUES (?, ?)').run('a', '1');
    assert.equal(codeOf(() => db.prepare('INSERT INTO u (k, v) VALUES (?, ?)').run('a', '2')), 'SQLITE_CONSTRAINT_PRIMARYKEY UNIQUE constraint failed: u.k');
    assert.equal(codeOf(() => db.exec('SELEKT 1')), 'SQLITE_ERROR near "SELEKT": syntax error');
  });

  it('transaction: commits, rolls back on a throw, refuses a promise, and nests as a savepoint', () => {
    const put = (k: string) => db.prepare('INSERT INTO u (k, v) VALUES (?, ?)').run(k, k);
    assert.equal(db.transaction(() => { put('a'); return 7; }), 7);
    const boom = new Error('boom');
    assert.throws(() => db.transaction(() => { put('b'); throw boom; }), e => e === boom);
    assert.throws(() => db.transaction(() => { put('c'); return Promise.resolve(); }), /cannot return a promise/);
    db.transaction(() => {
      put('d');
      assert.throws(() => db.transaction(() => { put('e'); throw boom; }), e => e === boom);
      db.transaction(() => put('f'));
    });
    assert.deepEqual(db.prepare('SELECT k FROM u ORDER BY k').all().map(r => r.k), ['a', 'd', 'f']);
    db.transaction(() => put('g'));
    assert.equal(count(), 4, 'a transaction after the nested ones still works');
  });

  it('BEGIN IMMEDIATE takes the write lock: another connection gets SQLITE_BUSY, and the writer keeps its batch until it can write', () => {
    const other = openTestDb(db.path);
    configureConnection(other);
    other.exec('PRAGMA busy_timeout = 0');
    const clock = new FakeClock();
    const errors: string[] = [];
    const w = new BatchedWriter(other, { clock, onError: e => errors.push(`${(e as Error & { code?: string }).code}`) });
    w.enqueue(d => { d.prepare('INSERT INTO u (k, v) VALUES (?, ?)').run('from-writer', 'x'); });
    db.transaction(() => {
      db.prepare('INSERT INTO u (k, v) VALUES (?, ?)').run('holder', 'x');
      assert.throws(() => other.transaction(() => 0), (e: Error & { code?: string }) => /^SQLITE_BUSY/.test(String(e.code)));
      w.flush();
      assert.equal(w.pending, 1, 'the batch is kept');
    });
    assert.match(errors[0], /^SQLITE_BUSY/);
    clock.advance(100);
    assert.equal(w.pending, 0);
    assert.deepEqual(db.prepare('SELECT k FROM u ORDER BY k').all().map(r => r.k), ['from-writer', 'holder']);
    other.close();
    other.close();
  });
});
