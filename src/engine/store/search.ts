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
  // Exact terms stream (0.3 ms over 5M messages); so does a prefix of 2 or 3 characters (the prefix
  // indexes of migration 7). A longer prefix merges every matching term's whole doclist (~100 ms for a
  // common word). A page full of exact hits is the answer; otherwise the prefix query.
  const exact = run(match.replace(/\*$/, ''));
  if (exact.length >= limit) return exact;
  return longPrefix(db, query, limit, f) ?? run(match);
}

/** Candidates read through the 3-character prefix index before the full prefix query is used instead. */
const LONG_PREFIX_CANDIDATES = 2_000;
const INDEXED_PREFIX = 3;

/**
 * A last word longer than the indexed prefixes: stream the newest items matching its first three
 * characters (indexed) and keep those with a word starting with the whole prefix. Exact when the page
 * fills or the candidates run out; undefined (use the full prefix query) when the cap is reached first.
 */
function longPrefix(db: Db, query: string, limit: number, f: Filter): StoreHit[] | undefined {
  const terms = queryTerms(query);
  // The last word as FTS5 tokenizes it: `NEAR(` is the word `near`; one that splits into a phrase
  // (`foo-bar`) is left to the full query.
  const words = wordsOf(terms[terms.length - 1] ?? '');
  if (words.length !== 1) return undefined;
  const last = words[0];
  const chars = Array.from(last);
  if (chars.length <= INDEXED_PREFIX) return undefined;
  const short = [...terms.slice(0, -1).map(t => `"${t}"`), `"${chars.slice(0, INDEXED_PREFIX).join('')}"*`].join(' ');
  const page = db.prepare(`SELECT m.rowid AS r, m.text AS text FROM messages_fts JOIN messages m ON m.rowid = messages_fts.rowid
      JOIN sessions s ON s.id = m.session_id WHERE messages_fts MATCH ? AND messages_fts.rowid < ?${f.sql}
      ORDER BY messages_fts.rowid DESC LIMIT ?`);
  const keep: number[] = [];
  // Growing pages, newest first: a common prefix fills the page from the first one.
  let before = Number.MAX_SAFE_INTEGER;
  let read = 0;
  /** Candidates from the first kept row to the last kept one, both included. */
  let seen = 0;
  let span = 0;
  for (let size = Math.max(limit * 2, 100); keep.length < limit; size *= 4) {
    const take = Math.min(size, LONG_PREFIX_CANDIDATES - read);
    if (take <= 0) return undefined;
    const rows = page.all(short, before, ...f.params, take);
    read += rows.length;
    for (const r of rows) {
      if (keep.length < limit && wordsOf(String(r.text)).some(w => w.startsWith(last))) { keep.push(Number(r.r)); span = seen + 1; }
      if (keep.length) seen++;
      before = Number(r.r);
    }
    if (rows.length < take) break;
  }
  if (!keep.length) return [];
  // The snippet marks the indexed prefix's words (the MATCH of these rows). The same candidates are read
  // again from the first kept one, as many as lay up to the last kept one, and the others dropped here:
  // FTS5 streams `rowid <= ?`, but a bound `rowid IN (…)`, `rowid = ?` or a two-sided range next to
  // MATCH reads every match of the term (hundreds of ms for a common one).
  const kept = new Set(keep);
  return db.prepare(`SELECT ${HIT_COLUMNS}, m.rowid AS r, snippet(messages_fts, 0, '[', ']', '…', 12) AS snip
      FROM messages_fts JOIN messages m ON m.rowid = messages_fts.rowid JOIN sessions s ON s.id = m.session_id
      WHERE messages_fts MATCH ? AND messages_fts.rowid <= ?${f.sql} ORDER BY messages_fts.rowid DESC LIMIT ?`)
    .all(short, keep[0], ...f.params, span).filter(r => kept.has(Number(r.r))).map(rowToHit);
}

/** As the unicode61 tokenizer folds: lower case, diacritics removed. */
function foldForMatch(t: string): string {
  return t.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
}

/** The words unicode61 would index in a text, folded (letters and digits; everything else separates). */
function wordsOf(text: string): string[] {
  return foldForMatch(text).match(/[\p{L}\p{N}]+/gu) ?? [];
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
