// Past sessions (SPEC §11), read in pages straight from the store so 100,000 of them cost the live
// list nothing: projects (cwd) with counts, the days of a project, one day's sessions newest first.
// Every query runs on the partial indexes of migration 4 (sessions_history / sessions_archived).
import type { HistoryGroup, HistoryScope, Session } from '../protocol';
import { projectNameOf } from '../protocol/projectName';
import type { Db } from './db';

export interface HistoryPageQuery {
  cwd: string | null;
  day?: string;
  scope?: HistoryScope;
  utcOffsetMinutes?: number;
  limit?: number;
  cursor?: string;
}

/** The WHERE of each scope, written exactly as the partial index's WHERE so SQLite uses the index. */
const SCOPE_WHERE: Record<HistoryScope, string> = {
  history: "status = 'ended' AND archived_at IS NULL",
  archived: 'archived_at IS NOT NULL',
};

/** SQLite's date() modifier for the client's UTC offset ("+60 minutes"). */
function offsetModifier(minutes = 0): string {
  return `${minutes >= 0 ? '+' : ''}${Math.trunc(minutes)} minutes`;
}

/** [start, end) of a local day in UTC ISO strings, comparable with last_activity_at. */
export function dayBounds(day: string, utcOffsetMinutes = 0): [string, string] {
  const [y, m, d] = day.split('-').map(Number);
  const start = Date.UTC(y, m - 1, d) - utcOffsetMinutes * 60_000;
  return [new Date(start).toISOString(), new Date(start + 86_400_000).toISOString()];
}

export function historyGroups(db: Db, q: { cwd?: string | null; scope?: HistoryScope; utcOffsetMinutes?: number }): HistoryGroup[] {
  const where = SCOPE_WHERE[q.scope ?? 'history'];
  if (q.cwd === undefined) {
    return db.prepare(`SELECT cwd, COUNT(*) AS n, MAX(last_activity_at) AS last FROM sessions WHERE ${where}
      GROUP BY cwd ORDER BY last DESC`).all()
      .map(r => {
        const cwd = r.cwd == null ? null : String(r.cwd);
        return { cwd, day: null, label: projectNameOf(cwd) ?? '(no folder)', count: Number(r.n), lastActivityAt: String(r.last) };
      });
  }
  return db.prepare(`SELECT date(last_activity_at, ?) AS day, COUNT(*) AS n, MAX(last_activity_at) AS last FROM sessions
    WHERE ${where} AND cwd IS ? GROUP BY day ORDER BY day DESC`).all(offsetModifier(q.utcOffsetMinutes), q.cwd)
    .map(r => ({ cwd: q.cwd ?? null, day: String(r.day), label: String(r.day), count: Number(r.n), lastActivityAt: String(r.last) }));
}

/** One page, newest first. The cursor is the last row's (last_activity_at, id), so pages never shift. */
export function historySessions(db: Db, q: HistoryPageQuery): { sessions: Session[]; nextCursor: string | null } {
  const limit = Math.max(1, Math.min(q.limit ?? 100, 200));
  const conds = [SCOPE_WHERE[q.scope ?? 'history'], 'cwd IS ?'];
  const params: (string | number | null)[] = [q.cwd];
  if (q.day) {
    const [from, to] = dayBounds(q.day, q.utcOffsetMinutes);
    conds.push('last_activity_at >= ? AND last_activity_at < ?');
    params.push(from, to);
  }
  const cur = parseCursor(q.cursor);
  if (cur) {
    conds.push('(last_activity_at, id) < (?, ?)');
    params.push(cur.at, cur.id);
  }
  const rows = db.prepare(`SELECT id, last_activity_at, data FROM sessions WHERE ${conds.join(' AND ')}
    ORDER BY last_activity_at DESC, id DESC LIMIT ?`).all(...params, limit + 1);
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  return {
    sessions: page.map(r => JSON.parse(String(r.data)) as Session),
    nextCursor: more && last ? `${String(last.last_activity_at)}|${String(last.id)}` : null,
  };
}

function parseCursor(c: string | undefined): { at: string; id: string } | null {
  if (!c) return null;
  const i = c.indexOf('|');
  return i > 0 ? { at: c.slice(0, i), id: c.slice(i + 1) } : null;
}

/** Ids of up to `limit` ended sessions whose last activity is before `cutoffIso` (retention). */
export function endedBefore(db: Db, cutoffIso: string, limit: number): string[] {
  return db.prepare("SELECT id FROM sessions WHERE last_activity_at < ? AND status = 'ended' ORDER BY last_activity_at LIMIT ?")
    .all(cutoffIso, limit).map(r => String(r.id));
}
