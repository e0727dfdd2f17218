// The usage report's index of token_usage by message key (usage.ts counts a Claude message once across
// sessions through it). Claude's message ids are random, so each row a bulk import adds lands on a
// random page of this index: once the index outgrows the page cache, every commit rewrites hundreds of
// its pages into the WAL (a 1 GB import of short Claude messages ran 1.2× as long with it as without).
// A bulk writer that adds at least as many rows as the table held drops it and builds it again at its
// end, sorted in one pass; a writer killed in between leaves it missing, and the next owner's open
// builds it. Meanwhile the report is still right, found another way (usage.ts).
import type { LogFn } from '../platform/log';
import { type Db, hasSchemaObject } from './db';

const NAME = 'token_usage_by_key';
/** The same index as migration 6 makes (migrations are never edited: keep the two alike). */
const CREATE = `CREATE INDEX IF NOT EXISTS ${NAME} ON token_usage(message_key, session_id)`;

/** Below this many rows added, an import keeps the index (it fits the cache; a rebuild would cost more). */
export const USAGE_KEY_INDEX_DEFER_ROWS = 20_000;

export function hasUsageKeyIndex(db: Db): boolean {
  return hasSchemaObject(db, NAME, 'index');
}

/** Builds the index if a bulk writer left it dropped; true when it did. */
export function ensureUsageKeyIndex(db: Db): boolean {
  if (hasUsageKeyIndex(db)) return false;
  if (!hasSchemaObject(db, 'token_usage', 'table')) return false;
  // The build sorts every row; the connection keeps temporary files in memory (temp_store), which
  // would hold the whole sort in the heap (+13 MiB at the peak of a 1 GB import): on disk for this one.
  const tempStore = Number(db.prepare('PRAGMA temp_store').get()?.temp_store ?? 0);
  const onDisk = trySql(db, 'PRAGMA temp_store = FILE'); // refused inside a transaction: then in memory
  try {
    db.exec(CREATE);
  } finally {
    if (onDisk) trySql(db, `PRAGMA temp_store = ${tempStore}`);
  }
  return true;
}

function trySql(db: Db, sql: string): boolean {
  try {
    db.exec(sql);
    return true;
  } catch {
    return false;
  }
}

/** One bulk write's view of the index: counts the rows it adds, drops the index when they are enough. */
export class UsageKeyIndexDeferral {
  private added = 0;
  /** Rows the table held before this write, counted once it has added minRows. */
  private before: number | null = null;
  private dropped = false;

  constructor(private readonly db: Db, private readonly minRows = USAGE_KEY_INDEX_DEFER_ROWS, private readonly log: LogFn = () => {}) {}

  /** After a row is inserted, in the writer's transaction (a rollback restores the index; `end` then finds it). */
  rowAdded(): void {
    if (this.dropped || ++this.added < this.minRows) return;
    this.before ??= Number(this.db.prepare('SELECT COUNT(*) AS n FROM token_usage').get()?.n ?? 0) - this.added;
    if (this.added < this.before) return; // a small import into a large table keeps it (so far)
    this.db.exec(`DROP INDEX IF EXISTS ${NAME}`);
    this.dropped = true;
    this.log('debug', `store: ${NAME} dropped until this import ends (it has added ${this.added} usage rows to ${this.before})`);
  }

  /** The bulk write is over: the index again, if this writer dropped it. */
  end(): void {
    if (this.dropped) ensureUsageKeyIndex(this.db);
  }
}
