// The small SQL surface the store needs, so the driver behind it can change (better-sqlite3 today,
// node:sqlite for hosts whose ABI has no matching native binary). Positional `?` parameters only.
export type SqlValue = string | number | bigint | null | Uint8Array;

export interface Statement {
  run(...params: SqlValue[]): { changes: number | bigint };
  get(...params: SqlValue[]): Record<string, unknown> | undefined;
  all(...params: SqlValue[]): Record<string, unknown>[];
}

export interface Db {
  readonly driver: string;
  readonly path: string;
  exec(sql: string): void;
  prepare(sql: string): Statement;
  /** Runs fn inside BEGIN IMMEDIATE … COMMIT (ROLLBACK on throw); inside an open transaction, a savepoint. */
  transaction<T>(fn: () => T): T;
  /** BEGIN IMMEDIATE, left open: transaction() calls until commit() / rollback() nest in it as savepoints. */
  begin(): void;
  commit(): void;
  /** Rolls back the transaction begin() opened, if SQLite has not already. */
  rollback(): void;
  close(): void;
}

/** Whether the file's schema has a table, index, trigger or view of that name (and type, when given). */
export function hasSchemaObject(db: Db, name: string, type?: 'table' | 'index'): boolean {
  return type
    ? !!db.prepare('SELECT 1 AS x FROM sqlite_master WHERE type = ? AND name = ?').get(type, name)
    : !!db.prepare('SELECT 1 AS x FROM sqlite_master WHERE name = ?').get(name);
}

/** The file's page size in bytes (0 if SQLite does not say). */
export function pageSize(db: Db): number {
  return Number(db.prepare('PRAGMA page_size').get()?.page_size) || 0;
}

/** A passive WAL checkpoint (never waits for a writer): frames in the WAL, frames copied into the database. */
export function passiveCheckpoint(db: Db): { log: number; checkpointed: number } {
  const r = db.prepare('PRAGMA wal_checkpoint(PASSIVE)').get() ?? {};
  return { log: Number(r.log), checkpointed: Number(r.checkpointed) };
}

/** Thrown when no SQLite driver can be loaded in this host; the message names the fix. */
export class StoreLoadError extends Error {
  constructor(message: string, override readonly cause?: unknown) { super(message); this.name = 'StoreLoadError'; }
}
