// The web client's search: every transcript of both agents (live and imported), searched as the user
// types (the engine treats the last word as a prefix), with the filters of the VS Code quick pick —
// agent, project, date range, only my prompts / agent replies / commands — as controls or as typed
// filter words (the shared parser, src/engine/protocol/searchInput.ts). Hits are grouped by session
// (the shared grouping) with snippet, agent, project and time; a hit links to #/s/<session>/m/<item>,
// which opens the session scrolled to that item, highlighted.
import type { HistoryGroup, ProtocolClient, SearchFilters, SearchHit } from '../src/engine/protocol';
import { AGENT_LABELS, SEARCH_FILTER_HELP, groupHitsBySession, parseSearchInput } from '../src/engine/protocol/searchInput';
import { h } from './dom';

/** ProtocolClient.request: answers typed by the request (protocol/requests.ts). */
type Request = ProtocolClient['request'];

/** Typing faster than this is one search. */
const TYPING_MS = 120;

const KIND_LABELS: Partial<Record<NonNullable<SearchHit['kind']>, string>> = {
  user: 'prompt', agent: 'reply', command: 'command', reasoning: 'thinking', fileChange: 'file change', tool: 'tool',
};

/** The snippet's matched terms (wrapped in [ and ] by the engine) as <mark>; everything stays a text node. */
export function snippetNodes(snippet: string): (string | HTMLElement)[] {
  const out: (string | HTMLElement)[] = [];
  let at = 0;
  for (const m of snippet.matchAll(/\[([^\]]*)\]/g)) {
    if (m.index! > at) out.push(snippet.slice(at, m.index));
    out.push(h('mark', {}, m[1]));
    at = m.index! + m[0].length;
  }
  if (at < snippet.length) out.push(snippet.slice(at));
  return out;
}

export function hitHref(hit: Pick<SearchHit, 'sessionId' | 'messageId'>): string {
  return `#/s/${encodeURIComponent(hit.sessionId)}/m/${encodeURIComponent(hit.messageId)}`;
}

export class SearchBox {
  private readonly input = h('input', {
    type: 'search', id: 'search', placeholder: 'Search all transcripts…', 'aria-label': 'Search all transcripts', autocomplete: 'off', spellcheck: 'false', title: SEARCH_FILTER_HELP,
  }) as HTMLInputElement;
  private readonly agent = select('search-agent', 'Agent', [['', 'Any agent'], ['codex', AGENT_LABELS.codex], ['claude', AGENT_LABELS.claude]]);
  private readonly role = select('search-role', 'Only', [['all', 'Everything'], ['prompts', 'Only my prompts'], ['replies', 'Only agent replies'], ['commands', 'Only commands']]);
  private readonly project = select('search-project', 'Project', [['', 'Any project']]);
  private readonly since = h('input', { type: 'date', id: 'search-since', 'aria-label': 'From day' }) as HTMLInputElement;
  private readonly until = h('input', { type: 'date', id: 'search-until', 'aria-label': 'To day' }) as HTMLInputElement;
  private seq = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private hits: SearchHit[] | null = null;
  private error: string | null = null;
  private degraded = false;
  /** Percent of the search index built (after an upgrade); null when complete. */
  private indexing: number | null = null;
  private projectsAsked = false;

  constructor(private readonly request: Request, private readonly changed: () => void) {
    this.input.addEventListener('input', () => this.schedule());
    this.input.addEventListener('focus', () => this.loadProjects());
    for (const el of [this.agent, this.role, this.project, this.since, this.until]) el.addEventListener('change', () => this.schedule(0));
  }

  /** True while there is something to search: the list shows the hits instead of the sessions. */
  get active(): boolean { return this.input.value.trim().length > 0; }

  /** What the box and the controls ask for; typed filter words win over the controls. */
  query(): { query: string; filters: SearchFilters } {
    const typed = parseSearchInput(this.input.value);
    const words = [
      this.since.value ? `since:${this.since.value}` : '', this.until.value ? `until:${this.until.value}` : '',
    ].join(' ');
    const fromControls = parseSearchInput(words).filters;
    const filters: SearchFilters = { ...fromControls };
    if (this.agent.value) filters.provider = this.agent.value as SearchFilters['provider'];
    if (this.role.value !== 'all') filters.role = this.role.value as SearchFilters['role'];
    if (this.project.value) filters.cwd = this.project.value;
    return { query: typed.query, filters: { ...filters, ...typed.filters } };
  }

  private schedule(ms = TYPING_MS): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.timer = null; void this.run(); }, ms);
  }

  private async run(): Promise<void> {
    const mine = ++this.seq;
    const { query, filters } = this.query();
    if (!query) { this.hits = null; this.error = null; this.changed(); return; }
    try {
      const answer = await this.request({ type: 'search', query, limit: 100, filters });
      if (mine !== this.seq) return; // an older answer after a newer question: dropped
      this.hits = answer.results;
      this.degraded = !!answer.degraded;
      this.indexing = answer.indexing?.percent ?? null;
      this.error = null;
    } catch (e) {
      if (mine !== this.seq) return;
      this.error = (e as Error).message;
    }
    this.changed();
  }

  private async loadProjects(): Promise<void> {
    if (this.projectsAsked) return;
    this.projectsAsked = true;
    try {
      const answer = await this.request({ type: 'list_history_groups', scope: 'history' });
      const groups: HistoryGroup[] = answer.groups.filter(g => g.cwd !== null);
      this.project.append(...groups.map(g => h('option', { value: g.cwd!, title: g.cwd! }, g.label)));
    } catch { this.projectsAsked = false; }
  }

  /** The box and its filters (kept across renders, so typing keeps its focus and caret). */
  renderControls(): HTMLElement {
    return h('form', { class: 'search', role: 'search', onsubmit: (ev: Event) => { ev.preventDefault(); this.schedule(0); } },
      this.input,
      h('div', { class: 'filters' }, this.agent, this.role, this.project,
        h('label', { class: 'small muted' }, 'from ', this.since), h('label', { class: 'small muted' }, 'to ', this.until)));
  }

  renderResults(selectedHit: string | null): HTMLElement {
    if (this.error) return h('p', { class: 'form-error pad-s', role: 'alert' }, `Search failed: ${this.error}`);
    if (!this.hits) return h('p', { class: 'muted pad-s' }, 'Searching…');
    const building = this.indexing === null ? null
      : h('p', { class: 'muted small pad-s', id: 'search-indexing' }, `The search index is being built (${this.indexing}%): older items may be missing from the results.`);
    if (!this.hits.length) return h('div', {}, building, h('p', { class: 'muted pad-s', id: 'search-empty' }, 'No matches.'));
    return h('div', { class: 'results', id: 'search-results' },
      building,
      this.degraded ? h('p', { class: 'muted small pad-s' }, 'Full-text search is not available here: plain substring matches.') : null,
      ...groupHitsBySession(this.hits).map(g => h('section', { class: 'hit-group', 'data-session': g.sessionId },
        h('h3', {}, h('span', { class: 'title' }, g.displayName),
          h('span', { class: 'meta' }, [g.provider ? AGENT_LABELS[g.provider] : null, g.projectName].filter(Boolean).join(' · '))),
        ...g.hits.map(hit => h('a', { class: `hit${hit.messageId === selectedHit ? ' selected' : ''}`, href: hitHref(hit), 'data-message': hit.messageId },
          h('span', { class: 'snippet' }, ...snippetNodes(hit.snippet)),
          h('span', { class: 'meta' }, [hit.kind ? KIND_LABELS[hit.kind] ?? hit.kind : null, hit.createdAt ? new Date(hit.createdAt).toLocaleString() : null].filter(Boolean).join(' · ')))))));
  }
}

function select(id: string, label: string, options: [string, string][]): HTMLSelectElement {
  return h('select', { id, 'aria-label': label }, ...options.map(([value, text]) => h('option', { value }, text))) as HTMLSelectElement;
}
