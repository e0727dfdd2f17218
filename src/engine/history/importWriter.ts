// The history import's writing thread (importPipe.ts): commits the units the import thread maps, keeps
// the search index caught up and checkpoints the WAL, through its own connection and the write gate.
//
// Each unit is written as it arrives, into a transaction held open across arrivals for up to
// TRANSACTION_MS: commits of ~10 ms slices rewrote the same pages (the last page of each table and
// index) a few hundred times a second — 100 MB of short messages wrote in 3.0–3.4 s that way, 2.2 s in
// 50 ms transactions. Writing on arrival keeps no queue of units in this thread's heap. The engine still
// waits for one unit at most: the transaction commits at the next unit once the engine has announced a
// write, or at once when that announcement wakes this thread while it waits for units.
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { systemClock } from '../platform/clock';
import { lowerThisThreadPriority } from '../platform/threadPriority';
import type { LogFn, LogLevel } from '../platform/log';
import { openStore } from '../store/sqliteStore';
import type { Store } from '../store/types';
import { engineAnnounced, engineWaiting } from '../store/writeGate';
import { backgroundFsyncWanted } from '../store/backgroundCheckpoints';
import { IMPORT_DEFAULTS, nextIndexRows, walCheckpointer } from './importPacing';
import { type FromImportWriter, type ImportUnit, PIPE_DEFAULTS, type ToImportWriter, type WriterThreadData } from './importPipe';

export const WRITER_DEFAULTS = {
  /** Longest transaction while the engine does not want to write. */
  transactionMs: 50,
} as const;

export interface UnitWriterOptions {
  store: Store;
  /** Whether the engine has announced a write (store/writeGate.ts). */
  engineWants(): boolean;
  /** Resolves when the engine announces a write, or after `ms`. */
  untilEngineWants(ms: number): Promise<void>;
  post(m: FromImportWriter): void;
  transactionMs?: number;
}

/** The writing loop, apart from the thread so tests can drive it. */
export class UnitWriter {
  /** The transaction under way: the last unit in it (units are acknowledged in order) and their files. */
  private open: { started: number; last: number; paths: Set<string | null> } | null = null;
  private finished = false;
  /** The store is closed: by `end`, or by `abandon` (after a failure too, which only stops the writing). */
  private closed = false;
  /** Files with a unit that could not be stored: their later units are dropped (their offsets would skip it). */
  private readonly failedPaths = new Set<string | null>();
  private itemsWritten = 0;
  private itemsIndexed = 0;
  private indexRows = 2_000;
  private readonly checkpoints: { due(): void; now(): void };
  private readonly resumeCheckpoints: () => void;
  private readonly transactionMs: number;
  private readonly store: Store;

  constructor(private readonly o: UnitWriterOptions) {
    this.store = o.store;
    this.transactionMs = o.transactionMs ?? WRITER_DEFAULTS.transactionMs;
    this.store.beginBulkWrite();
    this.resumeCheckpoints = this.store.pauseAutoCheckpoint();
    const log: LogFn = (level, message) => o.post({ type: 'log', level, message });
    // Most of the checkpoints' fsync work off this thread when the store can (backgroundCheckpoints.ts).
    const background = backgroundFsyncWanted() ? this.store.backgroundCheckpoints?.({ log }) : null;
    this.checkpoints = background
      ? { due: () => background.due(), now: () => background.finish() }
      : walCheckpointer(this.store, message => log('warn', message));
  }

  add(unit: ImportUnit): void {
    if (this.finished) return;
    this.guard(() => {
      this.write(unit);
      if (!this.open) return;
      // Its payload is in SQLite's pages now: the import thread may send more (importPipe.ts, the window).
      this.o.post({ type: 'written', seq: unit.seq });
      if (this.o.engineWants()) this.commit(false);
      else if (performance.now() - this.open.started >= this.transactionMs) this.commit(true);
    });
  }

  /**
   * The import thread is gone before `end` (its end of the channel closed): the transaction under way
   * rolls back, as a kill would leave it, and the store closes; the files' offsets are the last commits.
   */
  abandon(): void {
    if (this.closed) return;
    this.finished = true;
    this.closed = true;
    this.open = null;
    try {
      this.store.rollbackGroup(); // none open: nothing happens
      // Background checkpoints let their snapshot go and close its connection (it would keep the WAL
      // from starting again); a plain checkpoint before the close otherwise.
      this.checkpoints.now();
    } finally {
      this.resumeCheckpoints();
      this.store.close();
    }
  }

  /** After the units sent so far: commit, finish the search index, checkpoint, close, say `ended`. */
  end(): void {
    if (!this.finished) this.guard(() => this.finish());
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.finished = true;
      this.o.post({ type: 'failed', error: (e as Error)?.stack ?? String(e) });
    }
  }

  private write(unit: ImportUnit): void {
    if (this.failedPaths.has(unit.path)) { this.pass(unit); return; }
    if (!this.open) this.begin();
    const open = this.open!;
    try {
      this.apply(unit);
      open.last = unit.seq;
      open.paths.add(unit.path);
    } catch (e) {
      // That unit cannot be written, and the transaction rolls back with the units before it: their
      // files stop there (their later units would skip what was lost) and are read again, from their
      // last commit, by the next import. Keeping the units to write them again would hold every unit
      // here until its commit (promoted to the old generation: this thread ran out of its heap).
      const error = (e as Error)?.message ?? String(e);
      this.open = null;
      this.store.rollbackGroup();
      for (const p of open.paths) this.notStored(p, error);
      this.notStored(unit.path, error);
      this.o.post({ type: 'ack', seq: unit.seq });
    }
  }

  /** A unit not written: acknowledged in order with the transaction under way, or at once. */
  private pass(unit: ImportUnit): void {
    if (this.open) this.open.last = unit.seq;
    else this.o.post({ type: 'ack', seq: unit.seq });
  }

  private begin(): void {
    this.store.beginGroup();
    const open = { started: performance.now(), last: 0, paths: new Set<string | null>() };
    this.open = open;
    // While no unit comes, the transaction still ends when the engine wants to write or when it is old
    // enough (a wake-up for a transaction already ended finds another `open`, or none).
    void this.o.untilEngineWants(this.transactionMs).then(() => {
      if (this.open === open && !this.finished) this.guard(() => this.commit(!this.o.engineWants()));
    });
  }

  /**
   * Ends the transaction. `index`: its rows go into the search index first, as its last statement —
   * FTS5 writes one segment per commit then, where index transactions of their own (~10 ms each) made
   * several per commit, merged again later at about the cost of indexing. A commit the engine waits
   * for skips that step (the engine waits for one unit, not for indexing): the next commit, or the
   * catch-up below, indexes those rows.
   */
  private commit(index: boolean): void {
    const open = this.open;
    if (!open) return;
    this.open = null;
    try {
      if (index && this.itemsWritten > this.itemsIndexed) {
        this.store.fillSearchIndex(Number.MAX_SAFE_INTEGER);
        this.itemsIndexed = this.itemsWritten;
      }
      this.store.commitGroup();
    } catch (e) {
      // The index or the commit failed (disk full, I/O): none of these units is stored.
      this.store.rollbackGroup();
      for (const p of open.paths) this.notStored(p, (e as Error)?.message ?? String(e));
    }
    if (open.last) this.o.post({ type: 'ack', seq: open.last });
    // An engine that keeps writing ends every transaction early: the index catches up between them.
    if (this.itemsWritten - this.itemsIndexed >= IMPORT_DEFAULTS.indexEvery) this.catchUpIndex();
    this.checkpoints.due();
  }

  private apply(u: ImportUnit): void {
    for (const op of u.ops) {
      if (op.op === 'session') this.store.saveSession(op.session);
      else if (op.op === 'usage') this.store.insertTokenUsage(op.usage); // the import thread counted it once
      else {
        this.store.saveImportBatch(op.batch);
        this.itemsWritten += op.batch.messages.length + (op.batch.rows?.length ?? 0);
      }
    }
  }

  private notStored(path: string | null, error: string): void {
    if (this.failedPaths.has(path)) return;
    this.failedPaths.add(path);
    this.o.post({ type: 'notStored', path, error });
  }

  /** The rows written since the last catch-up into the search index, ~10 ms a transaction (the engine may be waiting). */
  private catchUpIndex(): void {
    for (;;) {
      const t0 = performance.now();
      const more = this.store.atomic(() => this.store.fillSearchIndex(this.indexRows));
      if (!more) break;
      this.indexRows = nextIndexRows(this.indexRows, performance.now() - t0, IMPORT_DEFAULTS.sliceMs);
    }
    this.itemsIndexed = this.itemsWritten;
  }

  private finish(): void {
    try {
      this.commit(true);
      this.catchUpIndex();
    } finally {
      this.finished = true;
      this.store.endBulkWrite();
      this.resumeCheckpoints();
      this.checkpoints.now();
      this.closed = true;
      this.store.close();
      this.o.post({ type: 'ended' });
    }
  }
}

function run(d: WriterThreadData): void {
  const port = d.port;
  const post = (m: FromImportWriter) => port.postMessage(m);
  const log = (level: LogLevel, message: string) => post({ type: 'log', level, message });
  let w: UnitWriter;
  try {
    lowerThisThreadPriority();
    const store = openStore({ file: d.file, clock: systemClock, log, driver: d.driver, bulkWriterGate: d.gate, usageKeyIndexDeferRows: d.usageKeyIndexDeferRows, cacheKiB: PIPE_DEFAULTS.writerCacheKiB });
    w = new UnitWriter({
      store, post, engineWants: () => engineWaiting(d.gate), untilEngineWants: ms => engineAnnounced(d.gate, ms),
    });
  } catch (e) {
    post({ type: 'failed', error: (e as Error)?.stack ?? String(e) });
    port.close();
    return;
  }
  port.on('message', (m: ToImportWriter) => {
    if (m.type === 'unit') w.add(m.unit);
    else w.end();
  });
  // Closed by the import thread after `ended`, or by its end: either way this thread has nothing left to do.
  port.on('close', () => w.abandon());
}

// Last: the class above must exist before the thread's first message.
if (parentPort) run(workerData as WriterThreadData);
