// Who writes the database next, between the engine's thread and a bulk writer on another thread (the
// history import's worker, with its own connection).
//
// SQLite lets one connection write at a time; the other waits in its busy handler, which sleeps 1, 2,
// 5, 10, 15, 20, 25 … ms between tries and is not fair: a bulk writer that commits and at once begins
// again can starve the engine's small writes, and each wait blocks the engine's event loop. So the
// two agree through two shared flags instead:
// - the engine announces each transaction (`wanted`) and waits — at most one bulk transaction — until
//   the bulk writer is outside one (`bulkInTransaction` 0);
// - the bulk writer enters a transaction only while nobody is announced, and otherwise waits until
//   the engine is done. It always gives way: its transactions are short slices, so the engine never
//   waits for more than one of them.
// Both sides set their own flag before reading the other's (sequentially consistent Atomics), so at
// most one of them goes ahead. SQLite's own locking stays underneath as the safety net: another
// process (the CLI, a second engine) still meets busy_timeout.

const WANTED = 0;
const BULK_IN_TRANSACTION = 1;

/** The flags, in memory both threads see (pass `buffer` to the worker). */
export function createWriteGateBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
}

export interface WriteGateSide {
  /** Before a write transaction of this side; reentrant (nested transactions enter once). */
  enter(): void;
  leave(): void;
}

export interface EngineGateSide extends WriteGateSide {
  /**
   * Whether enter() would go ahead now. Either way the engine stays announced until its next
   * enter/leave, so a bulk writer steps back after the slice it is in: a write that can wait (the
   * batched writer's timer) comes back in a moment instead of blocking the event loop.
   */
  ready(): boolean;
  /** Takes back an announcement of ready() that no write followed (nothing left to write). */
  withdraw(): void;
}

/** The engine's side: waits for a bulk transaction under way to end, never for more than `maxWaitMs`. */
export function engineSide(buffer: SharedArrayBuffer, maxWaitMs = 2_000): EngineGateSide {
  const flags = new Int32Array(buffer);
  let depth = 0;
  let announced = false;
  const announce = () => {
    if (announced) return;
    Atomics.add(flags, WANTED, 1);
    announced = true;
    // Wakes a bulk writer that holds a transaction open while it waits for work (engineAnnounced).
    Atomics.notify(flags, WANTED);
  };
  const unannounce = () => {
    announced = false;
    Atomics.sub(flags, WANTED, 1);
    Atomics.notify(flags, WANTED);
  };
  return {
    ready() {
      if (depth > 0) return true;
      announce();
      return Atomics.load(flags, BULK_IN_TRANSACTION) === 0;
    },
    withdraw() {
      if (depth > 0 || !announced) return;
      unannounce();
    },
    enter() {
      if (depth++ > 0) return;
      announce();
      // After maxWaitMs (a bulk writer stuck in a long statement) SQLite's busy_timeout takes over.
      const until = performance.now() + maxWaitMs;
      while (Atomics.load(flags, BULK_IN_TRANSACTION) === 1) {
        const left = until - performance.now();
        if (left <= 0) break;
        Atomics.wait(flags, BULK_IN_TRANSACTION, 1, left);
      }
    },
    leave() {
      if (--depth > 0) return;
      unannounce();
    },
  };
}

/**
 * Whether the engine has announced a write: a bulk writer that holds a transaction open across many
 * units of work ends it at the next unit, so the engine waits for one unit and a commit, not more.
 */
export function engineWaiting(buffer: SharedArrayBuffer): boolean {
  return Atomics.load(new Int32Array(buffer), WANTED) > 0;
}

/** Resolves when the engine announces a write (at once if it has), or after `ms`; never blocks the thread. */
export function engineAnnounced(buffer: SharedArrayBuffer, ms: number): Promise<void> {
  const flags = new Int32Array(buffer);
  // Atomics.waitAsync is in Node 16+ (V8 8.7); its type is in lib.es2024, newer than this project's lib.
  const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number, ms: number): { async: boolean; value: Promise<unknown> | string } }).waitAsync;
  const r = waitAsync(flags, WANTED, 0, ms);
  return r.async ? (r.value as Promise<unknown>).then(() => {}) : Promise.resolve();
}

/** The bulk writer's side (a worker thread: Atomics.wait blocks only it). */
export function bulkSide(buffer: SharedArrayBuffer): WriteGateSide {
  const flags = new Int32Array(buffer);
  let depth = 0;
  const release = () => {
    Atomics.store(flags, BULK_IN_TRANSACTION, 0);
    Atomics.notify(flags, BULK_IN_TRANSACTION);
  };
  return {
    enter() {
      if (depth++ > 0) return;
      for (;;) {
        Atomics.store(flags, BULK_IN_TRANSACTION, 1);
        const wanted = Atomics.load(flags, WANTED);
        if (wanted === 0) return;
        // The engine is about to write: step back until it is done (rechecked every 100 ms in case a
        // notify is missed between the load and the wait).
        release();
        Atomics.wait(flags, WANTED, wanted, 100);
      }
    },
    leave() {
      if (--depth > 0) return;
      release();
    },
  };
}
