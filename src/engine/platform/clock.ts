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

/** The last time formatted (or read in iso()'s form): a file's lines and a session's events come many per millisecond. */
let lastIso = { ms: NaN, text: '' };

/** iso(ms), formatted again only when ms is not the last one asked for or read (rememberIso). */
export function isoCached(ms: number): string {
  if (ms !== lastIso.ms) lastIso = { ms, text: iso(ms) };
  return lastIso.text;
}

/**
 * A timestamp read in iso()'s own form (canonicalIsoMs gave `ms` for it): the next isoCached(ms) is this
 * string. A history import reads each line's time as text, and events and items stamp it again.
 */
export function rememberIso(ms: number, text: string): void {
  lastIso = { ms, text };
}

/** A string in iso()'s form (agents write their timestamps so: such a one need not be formatted again). */
export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Date.parse, with iso()'s own form read by hand first (canonicalIsoMs): a history import parses
 * every line's timestamp, and Date.parse took ~150–210 ns of each (two per Codex line) where this
 * takes ~55.
 */
export function parseIsoMs(t: string): number {
  const ms = canonicalIsoMs(t);
  if (ms !== ms) return Date.parse(t);
  rememberIso(ms, t);
  return ms;
}

/**
 * The time of a timestamp in iso()'s form that iso() gives back unchanged — a day its month has (V8
 * reads 2026-02-30 as March 2) and an hour of the day (24:00 is the next day) — else NaN, and Date.parse
 * decides. test/unit/iso-parse.test.ts holds it to Date.parse.
 */
export function canonicalIsoMs(t: string): number {
  if (t.length !== 24 || t.charCodeAt(4) !== 45 || t.charCodeAt(7) !== 45 || t.charCodeAt(10) !== 84 || t.charCodeAt(13) !== 58
    || t.charCodeAt(16) !== 58 || t.charCodeAt(19) !== 46 || t.charCodeAt(23) !== 90) return NaN;
  const year = digitsAt(t, 0, 4);
  const month = digitsAt(t, 5, 2);
  const day = digitsAt(t, 8, 2);
  const hour = digitsAt(t, 11, 2);
  const minute = digitsAt(t, 14, 2);
  const second = digitsAt(t, 17, 2);
  const milli = digitsAt(t, 20, 3);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour < 0 || hour > 23 || minute < 0
    || minute > 59 || second < 0 || second > 59 || milli < 0) return NaN;
  return daysFromCivil(year, month, day) * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1_000 + milli;
}

/** The decimal number in t[at, at + n), or -1 when one of those is not a digit. */
function digitsAt(t: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = t.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}
