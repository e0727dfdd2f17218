// What a search box means, for every client (VS Code quick pick, web client): filter words typed
// with the query (agent:codex role:prompts since:2026-01-31 until:2026-02-28 project:/home/me/shop),
// and hits grouped by session in the order of their newest hit. Browser-safe: no Node imports.
import type { SearchFilters, SearchHit } from './messages';

export const SEARCH_FILTER_HELP = 'Filters: agent:codex|claude  role:prompts|replies|commands  since:YYYY-MM-DD  until:YYYY-MM-DD  project:<folder>';

const ROLES = new Set(['all', 'prompts', 'replies', 'commands']);
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A local day as the instant it starts (`plusDays` later), or undefined when it is no date. */
function localDay(text: string, plusDays = 0): string | undefined {
  const m = DAY.exec(text);
  if (!m) return undefined;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + plusDays);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** Splits typed text into the words to find and the filters; a filter word that means nothing stays a word. */
export function parseSearchInput(text: string): { query: string; filters: SearchFilters } {
  const filters: SearchFilters = {};
  const words: string[] = [];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const i = word.indexOf(':');
    const key = i > 0 ? word.slice(0, i).toLowerCase() : '';
    const value = i > 0 ? word.slice(i + 1) : '';
    if (key === 'agent' && (value === 'codex' || value === 'claude')) filters.provider = value;
    else if (key === 'role' && ROLES.has(value)) filters.role = value as SearchFilters['role'];
    else if (key === 'since' && localDay(value)) filters.since = localDay(value);
    else if (key === 'until' && localDay(value)) filters.until = localDay(value, 1);
    else if (key === 'project' && value) filters.cwd = value;
    else words.push(word);
  }
  // Typing keeps the trailing space meaningful to nobody; the last word is searched as a prefix.
  return { query: words.join(' '), filters };
}

export interface HitGroup {
  sessionId: string;
  displayName: string;
  provider: SearchHit['provider'];
  projectName: string | null;
  cwd: string | null;
  hits: SearchHit[];
}

/** Hits by session, sessions ordered by their newest hit (hits arrive newest first). */
export function groupHitsBySession(hits: SearchHit[]): HitGroup[] {
  const groups = new Map<string, HitGroup>();
  for (const h of hits) {
    let g = groups.get(h.sessionId);
    if (!g) {
      g = { sessionId: h.sessionId, displayName: h.displayName, provider: h.provider, projectName: h.projectName ?? null, cwd: h.cwd ?? null, hits: [] };
      groups.set(h.sessionId, g);
    }
    g.hits.push(h);
  }
  return [...groups.values()];
}

export const AGENT_LABELS: Record<NonNullable<SearchHit['provider']>, string> = { codex: 'Codex', claude: 'Claude Code' };
