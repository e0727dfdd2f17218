// Time is injected so lifecycle rules (debounce, sweep, timeouts) are tested with a fake clock.
export interface TimerHandle { cancel(): void }

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  setInterval(fn: () => void, ms: number): TimerHandle;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) { const t = setTimeout(fn, ms); t.unref?.(); return { cancel: () => clearTimeout(t) }; },
  setInterval(fn, ms) { const t = setInterval(fn, ms); t.unref?.(); return { cancel: () => clearInterval(t) }; },
};

/** A clock that moves only when told to; timers fire in due order during advance(). */
export class FakeClock implements Clock {
  private timers: { due: number; seq: number; fn: () => void; every?: number; live: boolean }[] = [];
  private seq = 0;
  constructor(private time = Date.parse('2026-01-01T00:00:00.000Z')) {}
  now(): number { return this.time; }
  setTimeout(fn: () => void, ms: number): TimerHandle { return this.add(fn, ms); }
  setInterval(fn: () => void, ms: number): TimerHandle { return this.add(fn, ms, Math.max(1, ms)); }
  private add(fn: () => void, ms: number, every?: number): TimerHandle {
    const t = { due: this.time + Math.max(0, ms), seq: this.seq++, fn, every, live: true };
    this.timers.push(t);
    return { cancel: () => { t.live = false; } };
  }
  /** Moves time forward by ms, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      this.timers = this.timers.filter(t => t.live);
      const next = this.timers.filter(t => t.due <= end).sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
      if (!next) break;
      this.time = next.due;
      if (next.every) { next.due += next.every; next.seq = this.seq++; } else next.live = false;
      next.fn();
    }
    this.time = end;
  }
  pendingTimers(): number { return this.timers.filter(t => t.live).length; }
}

/** ISO-8601 UTC with milliseconds: the one timestamp format (SPEC §1). */
export function iso(ms: number): string { return new Date(ms).toISOString(); }

/** A string in iso()'s form (agents write their timestamps so: such a one need not be formatted again). */
export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
