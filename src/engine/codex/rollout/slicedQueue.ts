// Work that must not hold the event loop (issue 19: 10,000 rollout files at start or appearing at
// once kept /health waiting for seconds). Jobs wait in one queue, one per key (a later job for a
// key already queued keeps its place). The queue is worked in slices: a slice runs jobs until its
// time budget is spent, then the rest waits for a setImmediate, so sockets, /health and timers run
// in between. Every caller of work() within one turn of the event loop shares the same slice: 10,000
// debounce timers that fall due together cost one budget, not 10,000. A small backlog is done in the
// turn that queued it (no added latency; tests on a fake clock see it at once).

export interface SlicedQueueOptions<J> {
  /** Runs one job; errors are the caller's to catch (a throwing job is dropped, the queue goes on). */
  run(key: string, job: J): void;
  /** Synchronous work per slice before yielding (ms). */
  sliceMs?: number;
  /** Jobs run per slice whatever the time, so a busy machine still makes progress in-turn. */
  minPerSlice?: number;
  /** Wall time for the budget (not the injected Clock: this measures CPU spent, not lifecycle time). */
  now?: () => number;
  /** How the queue yields; setImmediate lets pending I/O run first. */
  defer?: (fn: () => void) => void;
  /** When a job for a key already queued comes, which one stays (default: the newer). */
  merge?: (queued: J, next: J) => J;
}

export const SLICE_DEFAULTS = { sliceMs: 8, minPerSlice: 1 } as const;

export class SlicedQueue<J> {
  private readonly jobs = new Map<string, J>();
  private readonly sliceMs: number;
  private readonly minPerSlice: number;
  private readonly now: () => number;
  private readonly defer: (fn: () => void) => void;
  private sliceOpen = false;
  private sliceStart = 0;
  private ranInSlice = 0;
  private waiters: (() => void)[] = [];

  constructor(private readonly o: SlicedQueueOptions<J>) {
    this.sliceMs = o.sliceMs ?? SLICE_DEFAULTS.sliceMs;
    this.minPerSlice = o.minPerSlice ?? SLICE_DEFAULTS.minPerSlice;
    this.now = o.now ?? (() => performance.now());
    this.defer = o.defer ?? (fn => { setImmediate(fn); });
  }

  get size(): number { return this.jobs.size; }
  has(key: string): boolean { return this.jobs.has(key); }

  add(key: string, job: J): void {
    const queued = this.jobs.get(key);
    this.jobs.set(key, queued !== undefined && this.o.merge ? this.o.merge(queued, job) : job);
  }

  /** Runs jobs within this turn's slice; what is left continues after a yield. */
  work(): void {
    if (!this.jobs.size) return this.settle();
    if (!this.sliceOpen) {
      this.sliceOpen = true;
      this.sliceStart = this.now();
      this.ranInSlice = 0;
      this.defer(() => { this.sliceOpen = false; this.work(); });
    }
    while (this.jobs.size && (this.ranInSlice < this.minPerSlice || this.now() - this.sliceStart < this.sliceMs)) {
      const [key, job] = this.jobs.entries().next().value as [string, J];
      this.jobs.delete(key);
      this.ranInSlice++;
      this.o.run(key, job);
    }
    if (!this.jobs.size) this.settle();
  }

  /** Resolves once the queue is empty (at once when it is). */
  idle(): Promise<void> {
    if (!this.jobs.size) return Promise.resolve();
    return new Promise(resolve => { this.waiters.push(resolve); });
  }

  /** Drops every queued job (stop); idle() waiters resolve. */
  clear(): void {
    this.jobs.clear();
    this.settle();
  }

  private settle(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve();
  }
}
