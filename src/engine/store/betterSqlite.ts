// better-sqlite3 behind the Db interface. Loaded lazily with require() so that a binary built for
// another ABI (VS Code's Electron vs Node) becomes one clear StoreLoadError, not a crash at import.
import type { Db, SqlValue, Statement } from './db';
import { StoreLoadError } from './db';

type BetterSqlite = typeof import('better-sqlite3');

let loaded: { mod: BetterSqlite } | { err: StoreLoadError } | undefined;

export function loadBetterSqlite(): BetterSqlite {
  if (!loaded) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const Database = require('better-sqlite3') as BetterSqlite;
      // The native addon is loaded by the first `new Database()`, not by require(): open one in memory so an
      // ABI mismatch shows here, as a load failure. Remembered: a second dlopen reports another, vaguer error.
      new Database(':memory:').close();
      loaded = { mod: Database };
    } catch (e) {
      loaded = { err: new StoreLoadError(describeLoadFailure(e), e) };
    }
  }
  if ('err' in loaded) throw loaded.err;
  return loaded.mod;
}

/** Why better-sqlite3 did not load, in one line. */
export function betterSqliteFailureReason(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const abi = /NODE_MODULE_VERSION (\d+)[\s\S]*NODE_MODULE_VERSION (\d+)/.exec(msg);
  return abi
    ? `its native module was built for NODE_MODULE_VERSION ${abi[1]} but this host runs ${abi[2]} (process.versions.modules=${process.versions.modules})`
    : msg.split('\n')[0];
}

export function describeLoadFailure(e: unknown): string {
  return `Flightdeck cannot open its database: better-sqlite3 did not load — ${betterSqliteFailureReason(e)}. ` +
    'Fix: run `npm rebuild better-sqlite3` with the Node.js/Electron version of this host, ' +
    'or run Flightdeck in a host whose Node.js has node:sqlite (VS Code ≥ 1.101, Node ≥ 22.13).';
}

export function openBetterSqlite(path: string): Db {
  const Database = loadBetterSqlite();
  let raw: import('better-sqlite3').Database;
  try {
    raw = new Database(path);
  } catch (e) {
    throw new StoreLoadError(`Flightdeck cannot open its database at ${path}: ${(e as Error).message}`, e);
  }
  const cache = new Map<string, Statement>();
  return {
    driver: 'better-sqlite3',
    path,
    exec: sql => { raw.exec(sql); },
    prepare(sql) {
      let st = cache.get(sql);
      if (!st) {
        const s = raw.prepare(sql);
        const reader = s.reader;
        st = {
          run: (...p: SqlValue[]) => s.run(...p),
          get: (...p: SqlValue[]) => (reader ? s.get(...p) : undefined) as Record<string, unknown> | undefined,
          all: (...p: SqlValue[]) => (reader ? s.all(...p) : []) as Record<string, unknown>[],
        };
        cache.set(sql, st);
      }
      return st;
    },
    transaction: fn => raw.transaction(fn).immediate(),
    begin: () => { raw.exec('BEGIN IMMEDIATE'); },
    commit: () => { raw.exec('COMMIT'); },
    rollback: () => { if (raw.inTransaction) raw.exec('ROLLBACK'); },
    close: () => { if (raw.open) raw.close(); },
  };
}
