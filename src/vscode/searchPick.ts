// The search quick pick (flightdeck.search): the box is the query, so typing searches again (debounced;
// an older answer never replaces a newer one); hits are grouped by session under a separator naming
// the agent and project, each hit shows its time; choosing one opens the session at that item.
import * as vscode from 'vscode';
import type { ProtocolClient, SearchHit } from '../engine/protocol';
import { AGENT_LABELS, SEARCH_FILTER_HELP, groupHitsBySession, parseSearchInput } from '../engine/protocol/searchInput';

const DEBOUNCE_MS = 150;
const LIMIT = 100;

type HitItem = vscode.QuickPickItem & { hit?: SearchHit };

export interface SearchPick {
  readonly pick: vscode.QuickPick<HitItem>;
  /** The hits of the last answered search (tests read it). */
  readonly results: SearchHit[];
  /** Runs a search for `text` now (also what typing does, after the debounce). */
  search(text: string): Promise<SearchHit[]>;
  /** Puts `text` in the box as typing does (a programmatic value change fires no onDidChangeValue). */
  type(text: string): void;
}

const KIND_ICONS: Partial<Record<NonNullable<SearchHit['kind']>, string>> = {
  user: '$(account)', agent: '$(hubot)', command: '$(terminal)', reasoning: '$(lightbulb)', fileChange: '$(diff)',
};

/** Quick pick labels read `$(name)` as icons: keep a transcript's own text literal. */
function literal(text: string): string { return text.replace(/\$\(/g, '$\u200b(').replace(/\s+/g, ' ').trim(); }

function when(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  const sameYear = d.getFullYear() === new Date().getFullYear();
  return d.toLocaleString(undefined, { month: 'short', day: 'numeric', ...(sameYear ? {} : { year: 'numeric' }), hour: '2-digit', minute: '2-digit' });
}

export function itemsFor(hits: SearchHit[]): HitItem[] {
  const items: HitItem[] = [];
  for (const g of groupHitsBySession(hits)) {
    const agent = g.provider ? AGENT_LABELS[g.provider] : '';
    items.push({ kind: vscode.QuickPickItemKind.Separator, label: [g.displayName, agent, g.projectName].filter(Boolean).join(' · '), alwaysShow: true });
    for (const h of g.hits) {
      items.push({
        label: `${KIND_ICONS[h.kind ?? 'agent'] ?? '$(comment)'} ${literal(h.snippet)}`,
        description: [agent, h.projectName, when(h.createdAt)].filter(Boolean).join(' · '),
        // The pick's own filter would hide hits whose text differs from the typed words (prefixes, filters).
        alwaysShow: true,
        hit: h,
      });
    }
  }
  return items;
}

export function showSearchPick(opts: {
  client: () => Promise<ProtocolClient>;
  open: (sessionId: string, messageId: string) => unknown;
  log: vscode.LogOutputChannel;
  initial?: { text: string; hits: SearchHit[] };
}): SearchPick {
  const pick = vscode.window.createQuickPick<HitItem>();
  pick.title = 'Search Codex and Claude transcripts';
  pick.placeholder = `Words to find (the last one as a prefix). ${SEARCH_FILTER_HELP}`;
  pick.matchOnDescription = false;
  pick.matchOnDetail = false;
  let seq = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const state = { results: [] as SearchHit[] };

  const show = (text: string, hits: SearchHit[], indexing?: { percent: number }) => {
    state.results = hits;
    pick.items = itemsFor(hits);
    const sessions = groupHitsBySession(hits).length;
    // After an upgrade the index of older items is built in the background: say so, not a silent short list.
    const building = indexing ? ` — search index being built (${indexing.percent}%), older items may be missing` : '';
    pick.title = text.trim()
      ? `${hits.length}${hits.length === LIMIT ? '+' : ''} hit${hits.length === 1 ? '' : 's'} in ${sessions} session${sessions === 1 ? '' : 's'}${building}`
      : 'Search Codex and Claude transcripts';
  };

  const search = async (text: string): Promise<SearchHit[]> => {
    const mine = ++seq;
    const { query, filters } = parseSearchInput(text);
    if (!query) { show(text, []); return []; }
    pick.busy = true;
    try {
      const answer = await (await opts.client()).request({ type: 'search', query: query.slice(0, 1000), limit: LIMIT, filters });
      const hits = answer.results;
      if (mine === seq) show(text, hits, answer.indexing);
      return hits;
    } catch (e) {
      if (mine === seq) { pick.items = []; pick.title = `Search failed: ${(e as Error).message}`; }
      opts.log.warn(`search "${text}" failed: ${(e as Error).message}`);
      return [];
    } finally {
      if (mine === seq) pick.busy = false;
    }
  };

  const typed = (text: string) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => { void search(text); }, DEBOUNCE_MS);
  };
  // A value set from code (type(), the initial text) comes back from the workbench as a change event,
  // possibly after a newer one was set; that late echo also resets pick.value. Such an echo of an
  // older code-set value is dropped and the newest value put back, so it never replaces newer results.
  // The values set from code are kept until the user types something else: an older one's echo can
  // still come after the newest one's (clearing the list at the newest echo let it through).
  const setByCode: string[] = [];
  pick.onDidChangeValue(v => {
    const latest = setByCode[setByCode.length - 1];
    if (latest !== undefined && v !== latest && setByCode.includes(v)) { pick.value = latest; return; }
    if (v !== latest) setByCode.length = 0;
    typed(v);
  });
  pick.onDidAccept(() => {
    const chosen = pick.selectedItems[0]?.hit ?? pick.activeItems[0]?.hit;
    if (!chosen) return;
    pick.hide();
    void opts.open(chosen.sessionId, chosen.messageId);
  });
  pick.onDidHide(() => { if (timer) clearTimeout(timer); pick.dispose(); });
  if (opts.initial) {
    setByCode.push(opts.initial.text);
    pick.value = opts.initial.text;
    show(opts.initial.text, opts.initial.hits);
  }
  pick.show();
  return { pick, get results() { return state.results; }, search, type(text) { setByCode.push(text); pick.value = text; typed(text); } };
}
