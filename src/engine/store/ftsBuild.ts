// The FTS5 index of message text, filled in the background. Migration 7 (re)creates the index empty
// and records the rows it must cover in `fts_backfill`; rebuilding millions of messages inside the
// migration blocked the first start after an upgrade for minutes. The rows in (done, target] belong to
// this filler, every other row to the triggers (see migrations.ts), so the index never holds a row twice
// or misses one. Each slice indexes the next rows and moves `done` in ONE transaction: a kill loses at
// most the slice under way, and the next start goes on from `done`.
import type { Clock, TimerHandle } from '../platform/clock';
import type { LogFn } from '../platform/log';
import { type Db, hasSchemaObject } from './db';

/** Rows still to index: the (done, target] range of messages.rowid. */
export interface FtsBackfill { done: number; target: number }

/**
 * The target of a range left open by a bulk writer (the history import): every row after `done`,
 * however many come, is the filler's, so the import's inserts skip the per-row trigger (FTS5 indexes
 * rows about 10× faster in batches of thousands than one row per trigger between small commits).
 */
export const OPEN_TARGET = Number.MAX_SAFE_INTEGER;

export function readFtsBackfill(db: Db): FtsBackfill | undefined {
  // Files migrated to 7 before the index was built in the background have no such table (and a full index).
  if (!hasSchemaObject(db, 'fts_backfill', 'table')) return undefined;
  const r = db.prepare('SELECT done, target FROM fts_backfill WHERE id = 1').get();
  return r ? { done: Number(r.done), target: Number(r.target) } : undefined;
}

/** Share of the rows to index that are indexed, 0–99 while building (100 only once done). */
export function backfillPercent(b: FtsBackfill, maxRowid = b.target): number {
  return Math.min(99, Math.floor((100 * b.done) / Math.max(1, Math.min(b.target, maxRowid))));
}

function maxRowid(db: Db): number {
  return Number(db.prepare('SELECT MAX(rowid) AS r FROM messages').get()?.r ?? 0);
}

/** Leaves every row after the indexed ones (and every new row) to the filler until closeBacklog. */
export function openBacklog(db: Db): void {
  db.transaction(() => {
    if (!hasSchemaObject(db, 'fts_backfill', 'table')) return;
    const b = readFtsBackfill(db);
    if (b) db.prepare('UPDATE fts_backfill SET target = ? WHERE id = 1').run(OPEN_TARGET);
    else db.prepare('INSERT INTO fts_backfill (id, done, target) VALUES (1, ?, ?)').run(maxRowid(db), OPEN_TARGET);
  });
}

/** Bounds an open range at the rows there are now (after a bulk write, or one cut short by a crash). */
export function closeBacklog(db: Db): void {
  db.transaction(() => {
    const b = readFtsBackfill(db);
    if (!b || b.target !== OPEN_TARGET) return;
    const max = maxRowid(db);
    if (max <= b.done) db.prepare('DELETE FROM fts_backfill WHERE id = 1').run();
    else db.prepare('UPDATE fts_backfill SET target = ? WHERE id = 1').run(max);
  });
}

/**
 * Indexes up to `rows` rows after `done`; returns what is left, or undefined when the index is complete
 * (then the progress row is gone and the triggers keep every row).
 */
export function fillFtsSlice(db: Db, rows: number): FtsBackfill | undefined {
  return db.transaction(() => fillFtsRows(db, rows));
}

/**
 * fillFtsSlice inside a transaction the caller holds, without a savepoint of its own: FTS5 writes what
 * it gathered as a new segment at every savepoint and commit, so a bulk writer that indexes a whole
 * transaction's rows in this one statement right before its commit makes one segment per commit.
 */
export function fillFtsRows(db: Db, rows: number): FtsBackfill | undefined {
  const b = readFtsBackfill(db);
  if (!b) return undefined;
  // The slice's last row: a seek when the next `rows` rowids hold any row (rowids are dense but for
  // deleted rows), where counting rows walked the slice's rows (~2 % of an import's writer, which
  // indexes everything after `done` at each commit); a span with none left goes on the slow way.
  const upper = Math.min(b.target, b.done + rows);
  let last = db.prepare('SELECT MAX(rowid) AS r FROM messages WHERE rowid > ? AND rowid <= ?').get(b.done, upper)?.r;
  if (last == null && upper < b.target) {
    last = db.prepare('SELECT MAX(rowid) AS r FROM (SELECT rowid FROM messages WHERE rowid > ? AND rowid <= ? ORDER BY rowid LIMIT ?)')
      .get(b.done, b.target, rows)?.r;
  }
  // Caught up with a range still open: it stays, for the rows still to come.
  if (last == null && b.target === OPEN_TARGET) return b;
  const upto = last == null ? b.target : Number(last);
  if (upto > b.done) {
    db.prepare('INSERT INTO messages_fts(rowid, text) SELECT rowid, text FROM messages WHERE rowid > ? AND rowid <= ?').run(b.done, upto);
  }
  if (upto >= b.target) {
    db.prepare('DELETE FROM fts_backfill WHERE id = 1').run();
    return undefined;
  }
  db.prepare('UPDATE fts_backfill SET done = ? WHERE id = 1').run(upto);
  return { done: upto, target: b.target };
}

export interface FtsBuilderOptions {
  clock: Clock;
  log: LogFn;
  /** Rows of the first slice; later ones are sized to take about `sliceMs`. */
  sliceRows?: number;
  /** Time budget of one slice, so live writes and requests get the event loop in between. */
  sliceMs?: number;
  /** Pause between slices. */
  pauseMs?: number;
  /** After each slice (tests and the kill test's child watch the progress). */
  onSlice?: (left: FtsBackfill | undefined) => void;
}

/** Runs fillFtsSlice on the clock until the index is complete; the state of search while it runs. */
export class FtsBuilder {
  private timer: TimerHandle | null = null;
  private state: FtsBackfill | undefined;
  private rows: number;
  private readonly fixedRows: boolean;

  constructor(private db: Db, private opts: FtsBuilderOptions) {
    this.state = readFtsBackfill(db);
    this.fixedRows = opts.sliceRows !== undefined;
    this.rows = opts.sliceRows ?? 2_000;
  }

  /** Percent indexed while the build runs; undefined when the index is complete. */
  get percent(): number | undefined {
    this.state = readFtsBackfill(this.db);
    return this.state ? backfillPercent(this.state, maxRowid(this.db)) : undefined;
  }

  /** Whether rows are left to index. */
  get pending(): boolean { return !!this.state; }

  start(): void {
    this.state = readFtsBackfill(this.db);
    if (!this.state || this.timer) return;
    this.opts.log('info', `store: building the search index in the background from ${backfillPercent(this.state)}% (${this.state.target - this.state.done} message rows to index)`);
    this.schedule();
  }

  /** One slice now (tests, and the CLI that wants the index before it exits). */
  step(): boolean {
    if (!this.state) return false;
    const t0 = performance.now();
    const before = this.state.done;
    this.state = fillFtsSlice(this.db, this.rows);
    // An open range caught up: the bulk writer fills it and closes it (then start() again).
    if (this.state && this.state.target === OPEN_TARGET && this.state.done === before) return false;
    const ms = performance.now() - t0;
    if (!this.fixedRows) {
      // Aim each slice at the budget, within bounds: a slow disk must not turn one slice into seconds.
      const budget = this.opts.sliceMs ?? 8;
      this.rows = Math.max(200, Math.min(50_000, Math.round(this.rows * Math.min(4, Math.max(0.25, budget / Math.max(ms, 0.1))))));
    }
    this.opts.onSlice?.(this.state);
    if (!this.state) this.opts.log('info', 'store: the search index is complete');
    return !!this.state;
  }

  private schedule(): void {
    this.timer = this.opts.clock.setTimeout(() => {
      this.timer = null;
      try {
        if (this.step()) this.schedule();
      } catch (e) {
        // Busy or a full disk: try again later; the progress row says where to go on from.
        this.opts.log('warn', `store: search index build paused: ${(e as Error).message}`);
        this.timer = this.opts.clock.setTimeout(() => { this.timer = null; this.schedule(); }, 1000);
      }
    }, this.opts.pauseMs ?? 1);
  }

  stop(): void { this.timer?.cancel(); this.timer = null; }
}
