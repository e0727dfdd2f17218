// node:sqlite (built into Node.js ≥ 22.13, so into the hosts where no better-sqlite3 binary matches the ABI)
// behind the Db interface, with the better-sqlite3 driver's semantics: plain row objects, integers as
// numbers, blobs as Buffers, `changes` a number, get → undefined when no row, error codes named
// SQLITE_*, transactions BEGIN IMMEDIATE (SAVEPOINT when nested).
import type { Db, SqlValue, Statement } from './db';
import { StoreLoadError } from './db';

// @types/node 20 has no typings for node:sqlite: the part this driver uses.
interface NodeStatement {
  run(...params: unknown[]): { changes: number | bigint };
  get(...params: unknown[]): Record<string, unknown> | undefined;
  all(...params: unknown[]): Record<string, unknown>[];
  setReadBigInts(on: boolean): void;
  columns?(): unknown[];
}
interface NodeDatabase {
  exec(sql: string): void;
  prepare(sql: string): NodeStatement;
  close(): void;
  readonly isOpen?: boolean;
  readonly isTransaction?: boolean;
}
interface NodeSqliteModule { DatabaseSync: new (path: string) => NodeDatabase }

let loaded: { mod: NodeSqliteModule } | { err: StoreLoadError } | undefined;

export function loadNodeSqlite(): NodeSqliteModule {
  if (!loaded) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loaded = { mod: require('node:sqlite') as NodeSqliteModule };
    } catch (e) {
      loaded = { err: new StoreLoadError(describeNodeSqliteFailure(e), e) };
    }
  }
  if ('err' in loaded) throw loaded.err;
  return loaded.mod;
}

/** Why node:sqlite did not load, in one line. */
export function nodeSqliteFailureReason(e: unknown): string {
  const code = String((e as { code?: unknown })?.code ?? '');
  return code === 'ERR_UNKNOWN_BUILTIN_MODULE'
    ? `this host runs Node.js ${process.versions.node}, which has no built-in node:sqlite (it needs Node.js ≥ 22.13)`
    : (e instanceof Error ? e.message : String(e)).split('\n')[0];
}

export function describeNodeSqliteFailure(e: unknown): string {
  return `Flightdeck cannot open its database: node:sqlite did not load — ${nodeSqliteFailureReason(e)}. ` +
    'Fix: update VS Code to a release whose Node.js has node:sqlite (Node.js ≥ 22.13), ' +
    `or run \`npm rebuild better-sqlite3\` for this host's Node.js/Electron (process.versions.modules=${process.versions.modules}).`;
}

// Primary result codes (the low byte of an extended code) and the extended ones better-sqlite3 callers meet.
const PRIMARY: Record<number, string> = {
  1: 'SQLITE_ERROR', 2: 'SQLITE_INTERNAL', 3: 'SQLITE_PERM', 4: 'SQLITE_ABORT', 5: 'SQLITE_BUSY', 6: 'SQLITE_LOCKED',
  7: 'SQLITE_NOMEM', 8: 'SQLITE_READONLY', 9: 'SQLITE_INTERRUPT', 10: 'SQLITE_IOERR', 11: 'SQLITE_CORRUPT',
  12: 'SQLITE_NOTFOUND', 13: 'SQLITE_FULL', 14: 'SQLITE_CANTOPEN', 15: 'SQLITE_PROTOCOL', 16: 'SQLITE_EMPTY',
  17: 'SQLITE_SCHEMA', 18: 'SQLITE_TOOBIG', 19: 'SQLITE_CONSTRAINT', 20: 'SQLITE_MISMATCH', 21: 'SQLITE_MISUSE',
  22: 'SQLITE_NOLFS', 23: 'SQLITE_AUTH', 24: 'SQLITE_FORMAT', 25: 'SQLITE_RANGE', 26: 'SQLITE_NOTADB',
};
const EXTENDED: Record<number, string> = {
  261: 'SQLITE_BUSY_RECOVERY', 517: 'SQLITE_BUSY_SNAPSHOT', 773: 'SQLITE_BUSY_TIMEOUT', 262: 'SQLITE_LOCKED_SHAREDCACHE',
  275: 'SQLITE_CONSTRAINT_CHECK', 531: 'SQLITE_CONSTRAINT_COMMITHOOK', 787: 'SQLITE_CONSTRAINT_FOREIGNKEY',
  1043: 'SQLITE_CONSTRAINT_FUNCTION', 1299: 'SQLITE_CONSTRAINT_NOTNULL', 1555: 'SQLITE_CONSTRAINT_PRIMARYKEY',
  1811: 'SQLITE_CONSTRAINT_TRIGGER', 2067: 'SQLITE_CONSTRAINT_UNIQUE', 2323: 'SQLITE_CONSTRAINT_VTAB',
  2579: 'SQLITE_CONSTRAINT_ROWID', 264: 'SQLITE_READONLY_RECOVERY', 520: 'SQLITE_READONLY_CANTLOCK',
};

/** node:sqlite reports code 'ERR_SQLITE_ERROR' + a numeric errcode; callers (the writer's retry rule) read SQLite's name. */
function normaliseError(e: unknown): unknown {
  const err = e as { code?: unknown; errcode?: unknown };
  if (err && err.code === 'ERR_SQLITE_ERROR' && typeof err.errcode === 'number') {
    err.code = EXTENDED[err.errcode] ?? PRIMARY[err.errcode & 0xff] ?? `SQLITE_${err.errcode}`;
  }
  return e;
}

function call<T>(f: () => T): T {
  try { return f(); } catch (e) { throw normaliseError(e); }
}

/** Like better-sqlite3: undefined binds NULL, booleans and other objects are refused. */
function bind(params: SqlValue[]): SqlValue[] {
  return params.map((p, i) => {
    if (p === undefined) return null;
    if (p === null || typeof p === 'string' || typeof p === 'number' || typeof p === 'bigint' || p instanceof Uint8Array) return p;
    throw new TypeError(`SQLite3 can only bind numbers, strings, bigints, buffers, and null (parameter ${i + 1} is a ${typeof p})`);
  });
}

/** A plain object (node:sqlite rows have a null prototype), integers as numbers (lossy past 2^53, as in better-sqlite3), blobs as Buffers. */
function toRow(r: Record<string, unknown>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const k in r) {
    const v = r[k];
    o[k] = typeof v === 'bigint' ? Number(v) : v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v;
  }
  return o;
}

export function openNodeSqlite(path: string): Db {
  const { DatabaseSync } = loadNodeSqlite();
  let raw: NodeDatabase;
  try {
    raw = new DatabaseSync(path);
  } catch (e) {
    throw new StoreLoadError(`Flightdeck cannot open its database at ${path}: ${(e as Error).message}`, normaliseError(e));
  }
  const cache = new Map<string, Statement>();
  let depth = 0;
  let closed = false;
  const inTransaction = () => raw.isTransaction ?? depth > 0;

  function prepare(sql: string): Statement {
    let st = cache.get(sql);
    if (st) return st;
    const s = call(() => raw.prepare(sql));
    // Read integers as bigints and convert: the default throws past 2^53, better-sqlite3 returns a number.
    s.setReadBigInts(true);
    // Without columns() (Node < 22.16) every statement counts as a reader.
    const reader = typeof s.columns === 'function' ? s.columns().length > 0 : true;
    st = {
      run: (...p: SqlValue[]) => ({ changes: Number(call(() => s.run(...bind(p))).changes) }),
      get: (...p: SqlValue[]) => {
        if (!reader) return undefined;
        const r = call(() => s.get(...bind(p)));
        return r === undefined ? undefined : toRow(r);
      },
      all: (...p: SqlValue[]) => (reader ? call(() => s.all(...bind(p))).map(toRow) : []),
    };
    cache.set(sql, st);
    return st;
  }

  // better-sqlite3's rule: BEGIN IMMEDIATE … COMMIT, or a savepoint when already inside a transaction;
  // on a throw (or a failed COMMIT) roll back whatever is still open, then rethrow.
  function transaction<T>(fn: () => T): T {
    const nested = inTransaction();
    call(() => raw.exec(nested ? 'SAVEPOINT fd_tx' : 'BEGIN IMMEDIATE'));
    depth++;
    try {
      const result = fn();
      if (result && typeof (result as { then?: unknown }).then === 'function') {
        throw new TypeError('Transaction function cannot return a promise');
      }
      call(() => raw.exec(nested ? 'RELEASE fd_tx' : 'COMMIT'));
      return result;
    } catch (e) {
      // SQLite may already have rolled back on its own (SQLITE_FULL, SQLITE_IOERR, …).
      if (raw.isTransaction !== false) {
        try { raw.exec(nested ? 'ROLLBACK TO fd_tx; RELEASE fd_tx' : 'ROLLBACK'); } catch { /* nothing left to roll back */ }
      }
      throw e;
    } finally {
      depth--;
    }
  }

  return {
    driver: 'node:sqlite',
    path,
    exec: sql => { call(() => raw.exec(sql)); },
    prepare,
    transaction,
    // Counted in depth too: without isTransaction (Node < 22.16) that is how transaction() knows to nest.
    begin() { call(() => raw.exec('BEGIN IMMEDIATE')); depth++; },
    commit() { call(() => raw.exec('COMMIT')); depth--; },
    rollback() {
      try { if (raw.isTransaction !== false) raw.exec('ROLLBACK'); } catch { /* nothing left to roll back */ }
      depth--;
    },
    close() {
      if (closed) return;
      closed = true;
      cache.clear();
      raw.close();
    },
  };
}
