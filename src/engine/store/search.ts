// Transcript search (SPEC §11): FTS5 over every item of both agents, newest first, with filters
// (agent, project, date range, role) and a prefix match on the last word as the user types. User
// text never reaches FTS5 unquoted, so no input can raise an SQLite error.
import type { MessageKind, SearchFilters, SearchHit } from '../protocol';
import type { Db, SqlValue } from './db';

export type StoreHit = SearchHit;

const ROLE_KINDS: Record<NonNullable<SearchFilters['role']>, MessageKind[] | null> = {
  all: null,
  prompts: ['user'],
  replies: ['agent'],
  commands: ['command'],
};

const MAX_TERMS = 16;

/**
 * The words of a query, so no user input is FTS syntax: split on whitespace, control characters and
 * lone surrogates (FTS5 reads a NUL as the end of the query), double quotes dropped, only words with a
 * letter or digit kept (a bare `""*` is an FTS5 error), at most 16.
 */
export function queryTerms(q: string): string[] {
  return q.split(/[\s\p{Cc}\p{Cs}]+/u).map(t => t.replace(/"/g, '')).filter(t => /[\p{L}\p{N}]/u.test(t)).slice(0, MAX_TERMS);
}

/** Quoted FTS5 terms with a prefix match on the last one; undefined when nothing is searchable. */
export function toFtsQuery(q: string): string | undefined {
  const terms = queryTerms(q);
  if (!terms.length) return undefined;
  return terms.map((t, i) => `"${t}"${i === terms.length - 1 ? '*' : ''}`).join(' ');
}

/** toFtsQuery, '' when nothing is searchable. */
export function ftsQuery(q: string): string {
  return toFtsQuery(q) ?? '';
}

interface Filter { sql: string; params: SqlValue[] }

function filterSql(f: SearchFilters | undefined): Filter {
  const conds: string[] = [];
  const params: SqlValue[] = [];
  const kinds = f?.role ? ROLE_KINDS[f.role] : null;
  if (kinds) { conds.push(`m.kind IN (${kinds.map(() => '?').join(', ')})`); params.push(...kinds); }
  if (f?.provider) { conds.push('s.provider = ?'); params.push(f.provider); }
  if (f?.cwd !== undefined) { conds.push('s.cwd IS ?'); params.push(f.cwd); }
  if (f?.since) { conds.push('m.created_at >= ?'); params.push(f.since); }
  if (f?.until) { conds.push('m.created_at < ?'); params.push(f.until); }
  return { sql: conds.map(c => ` AND ${c}`).join(''), params };
}

const HIT_COLUMNS = `m.id, m.session_id, m.seq, m.kind, m.created_at, s.provider, s.cwd,
  json_extract(s.data, '$.displayName') AS display_name, json_extract(s.data, '$.projectName') AS project_name`;

function rowToHit(r: Record<string, unknown>): StoreHit {
  return {
    sessionId: String(r.session_id), messageId: String(r.id), seq: Number(r.seq), snippet: String(r.snip ?? ''),
    displayName: r.display_name == null ? String(r.session_id) : String(r.display_name),
    provider: r.provider as StoreHit['provider'], cwd: r.cwd == null ? null : String(r.cwd),
    projectName: r.project_name == null ? null : String(r.project_name), kind: r.kind as MessageKind,
    createdAt: String(r.created_at),
  };
}

/**
 * Newest hits first (rowid order lets FTS5 stop after `limit` rows; ranking would score every match).
 * The last word also matches as a prefix; the exact word is tried first because a prefix query over a
 * common word merges its whole doclist, while exact terms stream.
 */
export function searchFts(db: Db, query: string, limit: number, filters?: SearchFilters): StoreHit[] {
  const match = toFtsQuery(query);
  if (!match) return [];
  const f = filterSql(filters);
  const run = (m: string) => db.prepare(`SELECT ${HIT_COLUMNS}, snippet(messages_fts, 0, '[', ']', '…', 12) AS snip
      FROM messages_fts JOIN messages m ON m.rowid = messages_fts.rowid JOIN sessions s ON s.id = m.session_id
      WHERE messages_fts MATCH ?${f.sql} ORDER BY messages_fts.rowid DESC LIMIT ?`).all(m, ...f.params, limit).map(rowToHit);
  // Exact terms stream (0.3 ms over 5M messages); a prefix merges every matching term's whole doclist
  // (~50 ms for a common word). A page full of exact hits is the answer; otherwise the prefix query.
  const exact = run(match.replace(/\*$/, ''));
  return exact.length >= limit ? exact : run(match);
}

/** Without FTS5: a substring match of the whole query, newest first, same filters. */
export function searchLike(db: Db, query: string, limit: number, filters?: SearchFilters): StoreHit[] {
  const q = query.trim();
  if (!q) return [];
  const f = filterSql(filters);
  return db.prepare(`SELECT ${HIT_COLUMNS}, substr(m.text, max(1, instr(lower(m.text), lower(?)) - 40), 120) AS snip
      FROM messages m JOIN sessions s ON s.id = m.session_id
      WHERE instr(lower(m.text), lower(?)) > 0${f.sql} ORDER BY m.rowid DESC LIMIT ?`).all(q, q, ...f.params, limit)
    .map(rowToHit);
}
