// The single batched writer of SPEC §7: a bounded queue of write commands, flushed every 50
// commands or 100 ms, whichever comes first, each flush one transaction. Reads that must see
// queued writes call flush() first.
import type { Clock, TimerHandle } from '../platform/clock';
import type { Db } from './db';

export type WriteCommand = (db: Db) => void;

export interface WriterOptions {
  clock: Clock;
  maxQueue?: number;
  flushEvery?: number;
  flushAfterMs?: number;
  onError?: (e: Error) => void;
  /** Called after each committed flush with the number of commands it carried. */
  onFlush?: (count: number) => void;
  /**
   * Whether a flush that can wait would write without waiting (another thread's bulk transaction, see
   * writeGate.ts); when not, it is tried again after `retryMs` rather than block the event loop.
   */
  ready?: () => boolean;
  /** Nothing is left to write after a `ready` that said no: take its announcement back. */
  idle?: () => void;
  retryMs?: number;
}

export class BatchedWriter {
  private queue: WriteCommand[] = [];
  private timer: TimerHandle | null = null;
  readonly maxQueue: number;
  readonly flushEvery: number;
  readonly flushAfterMs: number;
  flushes = 0;
  /**
   * Set while the caller holds a transaction (Store.atomic): a flush then runs the commands in it,
   * with no nested SAVEPOINT per flush, and a failing command throws to the caller, whose rollback
   * drops the whole unit (an import slice's items with their offset).
   */
  direct = false;

  constructor(private db: Db, private opts: WriterOptions) {
    this.maxQueue = opts.maxQueue ?? 1000;
    this.flushEvery = opts.flushEvery ?? 50;
    this.flushAfterMs = opts.flushAfterMs ?? 100;
  }

  get pending(): number { return this.queue.length; }

  enqueue(cmd: WriteCommand): void {
    if (this.queue.length >= this.maxQueue) {
      // The queue only fills when flushes keep failing (disk full, locked file). Try once more,
      // and refuse the command loudly rather than grow without bound.
      this.flush();
      if (this.queue.length >= this.maxQueue) throw new Error(`write queue full (${this.maxQueue} commands): the database is not accepting writes`);
    }
    this.queue.push(cmd);
    if (this.queue.length >= this.flushEvery) this.flushSoon();
    else if (!this.timer) this.timer = this.opts.clock.setTimeout(() => { this.timer = null; this.flushSoon(); }, this.flushAfterMs);
  }

  /** A flush nobody waits for: now, or in a moment when a bulk writer holds the database. */
  private flushSoon(): void {
    if (!this.opts.ready || this.opts.ready()) { this.flush(); return; }
    this.timer?.cancel();
    this.timer = this.opts.clock.setTimeout(() => { this.timer = null; this.flushSoon(); }, this.opts.retryMs ?? 2);
  }

  /** Writes everything queued in one transaction. On failure the commands stay queued for the next try. */
  flush(): void {
    this.timer?.cancel();
    this.timer = null;
    if (this.queue.length === 0) { this.opts.idle?.(); return; }
    const batch = this.queue;
    this.queue = [];
    if (this.direct) {
      for (const cmd of batch) cmd(this.db);
      this.flushes++;
      this.opts.onFlush?.(batch.length);
      return;
    }
    try {
      this.db.transaction(() => { for (const cmd of batch) cmd(this.db); });
      this.flushes++;
      this.opts.onFlush?.(batch.length);
    } catch (e) {
      if (isTransient(e)) {
        // Locked or full: keep everything for the next try.
        this.queue = batch.concat(this.queue);
        this.opts.onError?.(e as Error);
        if (!this.timer) this.timer = this.opts.clock.setTimeout(() => { this.timer = null; this.flush(); }, this.flushAfterMs);
        return;
      }
      // One bad command must not hold back the others: write them one by one, report the bad ones.
      let written = 0;
      for (const cmd of batch) {
        try { this.db.transaction(() => cmd(this.db)); written++; } catch (err) { this.opts.onError?.(err as Error); }
      }
      this.flushes++;
      this.opts.onFlush?.(written);
    }
  }

  /** Drops everything queued (its transaction was rolled back; see Store.atomic). */
  discard(): void {
    this.timer?.cancel();
    this.timer = null;
    this.queue = [];
    this.opts.idle?.();
  }

  close(): void { this.flush(); this.timer?.cancel(); this.timer = null; }
}

function isTransient(e: unknown): boolean {
  const code = String((e as { code?: unknown })?.code ?? '');
  return /SQLITE_(BUSY|LOCKED|FULL|IOERR)/.test(code);
}
