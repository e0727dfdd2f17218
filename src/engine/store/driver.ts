// Picks the SQLite driver for this host. better-sqlite3 is a native module built for one ABI; node:sqlite
// exists only in Node.js ≥ 22.13. No single one serves every VS Code host, so try them in order, say which
// one was taken and why the other was not, and fail with ONE error naming every failure and the fix.
import { betterSqliteFailureReason, loadBetterSqlite, openBetterSqlite } from './betterSqlite';
import type { LogFn } from '../platform/log';
import type { Db } from './db';
import { StoreLoadError } from './db';
import { hasFts5 } from './migrations';
import { loadNodeSqlite, nodeSqliteFailureReason, openNodeSqlite } from './nodeSqlite';

export type DriverName = 'better-sqlite3' | 'node:sqlite';
export type DriverPreference = DriverName | 'auto';

/** Environment variable that forces a driver (better-sqlite3 | node:sqlite | auto). */
export const DRIVER_ENV = 'FLIGHTDECK_SQLITE_DRIVER';
export const DRIVERS: readonly DriverName[] = ['better-sqlite3', 'node:sqlite'];

export interface OpenDatabaseOptions {
  /** 'auto' (default): better-sqlite3, then node:sqlite. A driver name forces that one, without fallback. */
  prefer?: DriverPreference;
  log?: LogFn;
  /** Where FLIGHTDECK_SQLITE_DRIVER is read (default process.env); it applies when `prefer` is absent or 'auto'. */
  env?: Record<string, string | undefined>;
}

// load() throws a StoreLoadError when the driver cannot run in this host (then the next one is tried);
// open() errors (a file that cannot be opened) would fail on every driver, so they are thrown as they are.
const IMPLS: Record<DriverName, { load(): unknown; open(path: string): Db; reason(cause: unknown): string }> = {
  'better-sqlite3': { load: loadBetterSqlite, open: openBetterSqlite, reason: betterSqliteFailureReason },
  'node:sqlite': { load: loadNodeSqlite, open: openNodeSqlite, reason: nodeSqliteFailureReason },
};

function isPreference(v: string): v is DriverPreference {
  return v === 'auto' || (DRIVERS as readonly string[]).includes(v);
}

/** The effective preference: an explicit option, else the environment variable, else auto. */
export function resolveDriverPreference(prefer: DriverPreference | undefined, env: Record<string, string | undefined> = process.env): DriverPreference {
  if (prefer && prefer !== 'auto') {
    if (!isPreference(prefer)) throw new StoreLoadError(`Flightdeck cannot open its database: unknown SQLite driver "${String(prefer)}". Fix: use one of auto, ${DRIVERS.join(', ')}.`);
    return prefer;
  }
  const fromEnv = env[DRIVER_ENV]?.trim();
  if (!fromEnv) return 'auto';
  if (!isPreference(fromEnv)) {
    throw new StoreLoadError(`Flightdeck cannot open its database: ${DRIVER_ENV}="${fromEnv}" names no SQLite driver. Fix: set it to one of auto, ${DRIVERS.join(', ')}, or unset it.`);
  }
  return fromEnv;
}

/** Opens `path` with the first driver that loads in this host; logs which one and why the others were skipped. */
export function openDatabase(path: string, opts: OpenDatabaseOptions = {}): Db {
  const log = opts.log ?? (() => {});
  const pref = resolveDriverPreference(opts.prefer, opts.env ?? process.env);
  const forcedBy = pref === 'auto' ? null : opts.prefer && opts.prefer !== 'auto' ? 'the driver setting' : DRIVER_ENV;
  const order: DriverName[] = pref === 'auto' ? [...DRIVERS] : [pref];
  const failures: { driver: DriverName; error: StoreLoadError }[] = [];
  for (const driver of order) {
    try {
      IMPLS[driver].load();
    } catch (e) {
      if (!(e instanceof StoreLoadError)) throw e;
      failures.push({ driver, error: e });
      continue;
    }
    const db = IMPLS[driver].open(path);
    const why = forcedBy ? `forced by ${forcedBy}`
      : failures.length ? failures.map(f => `${f.driver} did not load: ${IMPLS[f.driver].reason(f.error.cause)}`).join('; ')
      : 'the first choice';
    log('info', `store: SQLite driver ${db.driver} (${why}); FTS5 ${hasFts5(db) ? 'available' : 'missing: search falls back to a substring match'}`);
    return db;
  }
  const message = forcedBy
    ? `${failures[0].error.message} (the driver is forced by ${forcedBy}; "auto" lets Flightdeck take whichever loads)`
    : `Flightdeck cannot open its database: no SQLite driver loads in this host (Node.js ${process.versions.node}, ` +
      `process.versions.modules=${process.versions.modules}). ` +
      failures.map(f => `${f.driver}: ${IMPLS[f.driver].reason(f.error.cause)}.`).join(' ') +
      ' Fix: update VS Code to a release whose Node.js has node:sqlite (Node.js ≥ 22.13), ' +
      'or run `npm rebuild better-sqlite3` with the Node.js/Electron version of this host.';
  log('error', `store: ${message}`);
  throw new StoreLoadError(message, failures.map(f => f.error));
}
