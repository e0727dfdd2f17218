// The usage report: per-call token records from the store, summed per day / project / model /
// session over a date range, with an estimated cost from the price table. Days are calendar days
// in a timezone (the machine's by default, as ccusage does): records are summed per UTC hour in
// SQL and the hours are put into days here, which is exact for every whole-hour UTC offset.
import * as path from 'node:path';
import { ErrorCode } from '../protocol/messages';
import type { UsageGroupBy, UsageReport, UsageRow, UsageTotals } from '../protocol/usage';
import { EngineError } from '../sessions/errors';
import type { Store, UsageBucket } from '../store/types';
import { costOf, PRICES_AS_OF } from './pricing';

export interface UsageQuery {
  by?: UsageGroupBy;
  /** First day included (YYYY-MM-DD, in `timezone`). */
  since?: string;
  /** Last day included (YYYY-MM-DD, in `timezone`). */
  until?: string;
  /** IANA name; default: the machine's. */
  timezone?: string;
}

/** A bad date or timezone: answered as `bad_request`. */
export class UsageQueryError extends EngineError {
  constructor(message: string) { super(ErrorCode.badRequest, message); }
}

export function localTimezone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function usageReport(store: Store, q: UsageQuery = {}): UsageReport {
  const by = q.by ?? 'day';
  const timezone = q.timezone ?? localTimezone();
  const dayOf = dayFormatter(timezone);
  for (const [name, d] of [['since', q.since], ['until', q.until]] as const) {
    if (d !== undefined && !isDay(d)) throw new UsageQueryError(`${name} must be a date YYYY-MM-DD, got ${JSON.stringify(d)}`);
  }
  if (q.since && q.until && q.since > q.until) throw new UsageQueryError(`since (${q.since}) is after until (${q.until})`);
  const from = q.since ? startOfDay(q.since, timezone) : undefined;
  const to = q.until ? startOfDay(nextDay(q.until), timezone) : undefined;
  const buckets = store.usageBuckets({ by: by === 'day' ? 'hour' : by, from, to });

  const groups = new Map<string | null, UsageBucket[]>();
  for (const b of buckets) {
    const key = by === 'day' ? dayOf(`${b.key}:00:00.000Z`) : b.key;
    const list = groups.get(key);
    if (list) list.push(b); else groups.set(key, [b]);
  }
  const rows: UsageRow[] = [...groups].map(([key, list]) => ({
    key, label: labelOf(store, by, key), models: modelsOf(list), lastAt: list.reduce((a, b) => (b.lastAt > a ? b.lastAt : a), ''),
    ...totalsOf(list),
  }));
  if (by === 'day') rows.sort((a, b) => String(a.key).localeCompare(String(b.key)));
  else rows.sort((a, b) => b.total - a.total || String(a.key).localeCompare(String(b.key)));
  return { by, since: q.since ?? null, until: q.until ?? null, timezone, rows, totals: totalsOf(buckets), pricesAsOf: PRICES_AS_OF };
}

function totalsOf(list: UsageBucket[]): UsageTotals {
  const t: UsageTotals = { input: 0, cacheCreation: 0, cacheRead: 0, output: 0, reasoning: 0, total: 0, records: 0, cost: null, unpricedModels: [] };
  const unpriced = new Set<string>();
  for (const b of list) {
    t.input += b.input; t.cacheCreation += b.cacheCreation; t.cacheRead += b.cacheRead; t.output += b.output;
    t.reasoning += b.reasoning; t.records += b.records;
    const c = costOf(b.model, b);
    if (c === null) unpriced.add(b.model ?? '(unknown model)');
    else t.cost = (t.cost ?? 0) + c;
  }
  t.total = t.input + t.cacheCreation + t.cacheRead + t.output;
  t.unpricedModels = [...unpriced].sort();
  return t;
}

function modelsOf(list: UsageBucket[]): string[] {
  return [...new Set(list.map(b => b.model).filter((m): m is string => !!m))].sort();
}

function labelOf(store: Store, by: UsageGroupBy, key: string | null): string {
  if (key === null) return by === 'project' ? '(no folder)' : by === 'model' ? '(unknown model)' : '(unknown)';
  if (by === 'project') return path.basename(key) || key;
  if (by === 'session') return store.getSession(key)?.displayName ?? key;
  return key;
}

// ---- calendar days in a timezone -----------------------------------------------------------------

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function isDay(d: string): boolean {
  const ms = DAY.test(d) ? Date.parse(`${d}T00:00:00.000Z`) : NaN;
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === d;
}

function dayFormatter(timezone: string): (isoInstant: string) => string {
  let f: Intl.DateTimeFormat;
  try {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
  } catch {
    throw new UsageQueryError(`unknown timezone ${JSON.stringify(timezone)} (an IANA name such as UTC or Europe/Berlin)`);
  }
  return iso => {
    const p = Object.fromEntries(f.formatToParts(new Date(iso)).map(x => [x.type, x.value]));
    return `${p.year}-${p.month}-${p.day}`;
  };
}

function nextDay(d: string): string {
  return new Date(Date.parse(`${d}T00:00:00.000Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** The UTC instant (ISO) at which `day` begins in `timezone`. */
export function startOfDay(day: string, timezone: string): string {
  const midnightUtc = Date.parse(`${day}T00:00:00.000Z`);
  // The offset at the guessed instant, then again at the corrected one (a DST change that day).
  let t = midnightUtc - offsetMs(midnightUtc, timezone);
  t = midnightUtc - offsetMs(t, timezone);
  return new Date(t).toISOString();
}

function offsetMs(at: number, timezone: string): number {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
  const p = Object.fromEntries(f.formatToParts(new Date(at)).map(x => [x.type, Number(x.value)]));
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(at / 1000) * 1000;
}
