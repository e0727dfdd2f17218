// The History node at the bottom of the Sessions tree (SPEC §11): past sessions grouped by project
// (cwd), then day, loaded lazily page by page through list_history_groups / list_history_sessions, so
// 10,000 of them cost nothing until a node is expanded; the live attention groups stay on top. This
// is a section of the Sessions tree's provider (sessionsTree.ts delegates its nodes here), not a view.
// It refreshes itself while an import runs and when a session ends or is removed.
import * as vscode from 'vscode';
import type { HistoryScope, ProtocolClient, ServerMessage, Session } from '../engine/protocol';
import type { EngineConnection, EngineState } from './engineConnection';
import { PROVIDER_LABELS, contextValueOf } from './sessionPresentation';
import { sessionTooltip } from './sessionTooltip';

export interface HistoryRootNode { readonly kind: 'historyRoot'; readonly scope: HistoryScope }
export interface HistoryProjectNode { readonly kind: 'historyProject'; readonly scope: HistoryScope; readonly cwd: string | null; label: string; count: number }
/** Kept per (scope, cwd, day) and updated in place, so a change event can name the row VS Code shows. */
export interface HistoryDayNode { readonly kind: 'historyDay'; readonly scope: HistoryScope; readonly cwd: string | null; readonly day: string; count: number }
export interface HistorySessionNode { readonly kind: 'historySession'; readonly id: string }
export interface HistoryMoreNode { readonly kind: 'historyMore'; readonly parent: HistoryDayNode; readonly cursor: string }
export interface HistoryInfoNode { readonly kind: 'historyInfo'; readonly text: string }
export type HistoryNode = HistoryRootNode | HistoryProjectNode | HistoryDayNode | HistorySessionNode | HistoryMoreNode | HistoryInfoNode;

/** Made once: toLocale*String builds a formatter per call (~1 ms), which made a year of day rows cost 0.3 s. */
const DAY_FORMAT = new Intl.DateTimeFormat(undefined, { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric' });
const TIME_FORMAT = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const PAGE = 100;
/** While an import runs, History is refreshed at most this often (the import sends progress a few times a second). */
const IMPORT_REFRESH_MS = 2_000;
/** Ends and removals arrive in bursts (retention, a batch delete): one refresh per burst. */
const CHANGE_REFRESH_MS = 250;

export function isHistoryNode(n: { kind: string }): n is HistoryNode {
  return n.kind.startsWith('history');
}

/** The client's offset from UTC in minutes, so days are the user's days. */
export function utcOffsetMinutes(at = new Date()): number {
  return -at.getTimezoneOffset();
}

export class HistorySection implements vscode.Disposable {
  /** A node whose children changed; `undefined`: the History node itself (or whether it is shown). */
  private readonly changed = new vscode.EventEmitter<HistoryNode | undefined>();
  readonly onDidChange = this.changed.event;
  readonly root: HistoryRootNode = { kind: 'historyRoot', scope: 'history' };
  readonly archivedRoot: HistoryRootNode = { kind: 'historyRoot', scope: 'archived' };
  /** Past sessions (history or archived) in the store, as last counted: the node shows only when there are some. */
  private total = 0;
  private archived = 0;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private lastImportRefresh = 0;
  /** How many times History reloaded (read by tests). */
  refreshes = 0;
  private client: ProtocolClient | undefined;
  private stopListening: (() => void) | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** Sessions shown under History (for commands, panel titles), by id: the latest state each page showed. */
  private readonly sessions = new Map<string, Session>();
  private readonly sessionNodes = new Map<string, HistorySessionNode>();
  /** Extra pages loaded under a day ("Load more"), kept so a refresh of the day shows them again. */
  private readonly pages = new Map<string, Session[]>();
  private readonly cursors = new Map<string, string | null>();
  private readonly dayNodes = new Map<string, HistoryDayNode>();
  private readonly projectNodes = new Map<string, HistoryProjectNode>();
  /** The day row a session was listed under, so reveal() can walk up from it. */
  private readonly sessionDay = new Map<string, HistoryDayNode>();

  constructor(connection: EngineConnection, private readonly extensionUri: vscode.Uri, private readonly log: vscode.LogOutputChannel) {
    this.disposables.push(this.changed, connection.onDidChangeState(s => this.onState(s)));
    this.onState(connection.state);
  }

  /** True when the store holds past sessions: the Sessions tree shows the History node then. */
  get shown(): boolean { return this.total + this.archived > 0; }

  getSession(id: string): Session | undefined { return this.sessions.get(id); }

  /**
   * Counts the past sessions again and reloads what is expanded (a session was archived, deleted,
   * resumed or ended, an import progressed, or the engine changed). The sessions seen stay known, so
   * a command naming one by id still finds it. Resolves when the count is known.
   */
  async refresh(): Promise<void> {
    this.refreshes++;
    this.pages.clear();
    this.cursors.clear();
    await this.count();
    this.changed.fire(undefined);
  }

  dispose(): void {
    this.stopListening?.();
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    for (const d of this.disposables) d.dispose();
  }

  getTreeItem(node: HistoryNode): vscode.TreeItem { return this.item(node); }

  /** Where a row hangs (for TreeView.reveal): session → day → project → History (or Archived → History). */
  getParent(node: HistoryNode): HistoryNode | undefined {
    switch (node.kind) {
      case 'historyRoot': return node.scope === 'archived' ? this.root : undefined;
      case 'historyProject': return node.scope === 'archived' ? this.archivedRoot : this.root;
      case 'historyDay': return this.projectNodes.get(projectKey(node.scope, node.cwd));
      case 'historySession': return this.sessionDay.get(node.id);
      case 'historyMore': return node.parent;
      default: return undefined;
    }
  }

  private onState(state: EngineState): void {
    if (state.kind !== 'ready' || state.client === this.client) return;
    this.stopListening?.();
    this.client = state.client;
    this.stopListening = state.client.on(m => this.receive(m));
    void this.refresh();
  }

  private receive(m: ServerMessage): void {
    // A session that ended joins History; one deleted or archived (here or by another client) leaves it.
    if (m.type === 'session_ended' || m.type === 'session_removed') this.refreshSoon(CHANGE_REFRESH_MS);
    else if (m.type === 'import_progress') {
      // While importing: now and then (not on every progress message); at the end: at once.
      const now = Date.now();
      if (m.progress.phase === 'done') this.refreshSoon(0);
      else if (now - this.lastImportRefresh >= IMPORT_REFRESH_MS) { this.lastImportRefresh = now; this.refreshSoon(0); }
    }
  }

  private refreshSoon(ms: number): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.refresh().catch(e => this.log.warn(`history: refresh failed: ${(e as Error).message}`));
    }, ms);
  }

  private async count(): Promise<void> {
    const client = this.client;
    if (!client) return;
    const sum = async (scope: HistoryScope) => {
      const answer = await client.request({ type: 'list_history_groups', scope, utcOffsetMinutes: utcOffsetMinutes() });
      return answer.groups.reduce((n, g) => n + g.count, 0);
    };
    try {
      [this.total, this.archived] = await Promise.all([sum('history'), sum('archived')]);
    } catch (e) {
      if (!client.isClosed) this.log.warn(`history: counting past sessions failed: ${(e as Error).message}`);
    }
  }

  async children(node: HistoryNode): Promise<HistoryNode[]> {
    const client = this.client;
    if (!client) return [];
    try {
      switch (node.kind) {
        case 'historyRoot': return await this.projects(client, node.scope);
        case 'historyProject': return await this.days(client, node);
        case 'historyDay': return await this.daySessions(client, node);
        default: return [];
      }
    } catch (e) {
      this.log.warn(`history: loading ${node.kind} failed: ${(e as Error).message}`);
      return [{ kind: 'historyInfo', text: `Could not load: ${(e as Error).message}` }];
    }
  }

  /** "Load more" under a day: the next page joins the day's rows. */
  async loadMore(node: HistoryMoreNode): Promise<void> {
    const client = this.client;
    if (!client) return;
    const key = dayKey(node.parent);
    const page = await this.page(client, node.parent, node.cursor);
    this.pages.set(key, [...(this.pages.get(key) ?? []), ...page.sessions]);
    this.cursors.set(key, page.nextCursor);
    this.changed.fire(node.parent);
  }

  private item(node: HistoryNode): vscode.TreeItem {
    switch (node.kind) {
      case 'historyRoot': {
        const item = new vscode.TreeItem(node.scope === 'archived' ? 'Archived' : 'History', vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `history:${node.scope}`;
        item.description = String(node.scope === 'archived' ? this.archived : this.total);
        item.iconPath = new vscode.ThemeIcon(node.scope === 'archived' ? 'archive' : 'history');
        item.contextValue = `historyRoot:${node.scope}`;
        item.tooltip = node.scope === 'archived' ? 'Archived sessions: hidden from the lists, still found by search' : 'Past sessions by project and day';
        return item;
      }
      case 'historyProject': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `history:${node.scope}:p:${node.cwd ?? ''}`;
        item.description = String(node.count);
        item.tooltip = node.cwd ?? 'Sessions without a folder';
        item.iconPath = new vscode.ThemeIcon('folder');
        item.contextValue = 'historyProject';
        return item;
      }
      case 'historyDay': {
        const item = new vscode.TreeItem(dayLabel(node.day), vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `history:${node.scope}:d:${node.cwd ?? ''}:${node.day}`;
        item.description = String(node.count);
        item.contextValue = 'historyDay';
        return item;
      }
      case 'historySession': {
        const s = this.sessions.get(node.id);
        if (!s) return new vscode.TreeItem('(removed)');
        const item = new vscode.TreeItem(s.displayName, vscode.TreeItemCollapsibleState.None);
        item.id = `history:${s.id}`;
        item.description = `${PROVIDER_LABELS[s.provider]} · ${TIME_FORMAT.format(new Date(s.lastActivityAt))}`;
        item.tooltip = sessionTooltip(s);
        item.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', `${s.provider}.svg`);
        // The live rows' contextValue plus where it lives, so the session menus (open, resume) apply too.
        item.contextValue = `${contextValueOf(s)}:${s.archivedAt ? 'archived' : 'past'}`;
        item.accessibilityInformation = { label: `${s.displayName}, ${s.provider}, ${item.description}` };
        item.command = { command: 'flightdeck.openSession', title: 'Open Session', arguments: [node] };
        return item;
      }
      case 'historyMore': {
        const item = new vscode.TreeItem('Load more…', vscode.TreeItemCollapsibleState.None);
        item.contextValue = 'historyMore';
        item.command = { command: 'flightdeck.historyLoadMore', title: 'Load more', arguments: [node] };
        return item;
      }
      case 'historyInfo': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.contextValue = 'historyInfo';
        return item;
      }
    }
  }

  private async projects(client: ProtocolClient, scope: HistoryScope): Promise<HistoryNode[]> {
    const answer = await client.request({ type: 'list_history_groups', scope, utcOffsetMinutes: utcOffsetMinutes() });
    const projects: HistoryNode[] = answer.groups.map(g => {
      const key = projectKey(scope, g.cwd);
      const known = this.projectNodes.get(key);
      if (known) { known.label = g.label; known.count = g.count; return known; }
      const fresh: HistoryProjectNode = { kind: 'historyProject', scope, cwd: g.cwd, label: g.label, count: g.count };
      this.projectNodes.set(key, fresh);
      return fresh;
    });
    if (!projects.length) return [{ kind: 'historyInfo', text: scope === 'archived' ? 'No archived sessions' : 'No past sessions yet' }];
    return scope === 'history' ? [...projects, this.archivedRoot] : projects;
  }

  private async days(client: ProtocolClient, node: HistoryProjectNode): Promise<HistoryNode[]> {
    const answer = await client.request({ type: 'list_history_groups', scope: node.scope, cwd: node.cwd, utcOffsetMinutes: utcOffsetMinutes() });
    return answer.groups.map(g => {
      const fresh: HistoryDayNode = { kind: 'historyDay', scope: node.scope, cwd: node.cwd, day: g.day!, count: g.count };
      const key = dayKey(fresh);
      const known = this.dayNodes.get(key);
      if (known) { known.count = g.count; return known; }
      this.dayNodes.set(key, fresh);
      return fresh;
    });
  }

  private async daySessions(client: ProtocolClient, node: HistoryDayNode): Promise<HistoryNode[]> {
    const key = dayKey(node);
    const first = await this.page(client, node);
    const more = this.pages.get(key) ?? [];
    const cursor = more.length ? this.cursors.get(key) ?? null : first.nextCursor;
    const rows: HistoryNode[] = [...first.sessions, ...more].map(s => { this.sessionDay.set(s.id, node); return this.nodeFor(s); });
    if (cursor) rows.push({ kind: 'historyMore', parent: node, cursor });
    return rows;
  }

  private async page(client: ProtocolClient, node: HistoryDayNode, cursor?: string): Promise<{ sessions: Session[]; nextCursor: string | null }> {
    const answer = await client.request({
      type: 'list_history_sessions', scope: node.scope, cwd: node.cwd, day: node.day, utcOffsetMinutes: utcOffsetMinutes(), limit: PAGE, cursor,
    });
    for (const s of answer.sessions) this.sessions.set(s.id, s);
    return { sessions: answer.sessions, nextCursor: answer.nextCursor };
  }

  private nodeFor(s: Session): HistorySessionNode {
    let n = this.sessionNodes.get(s.id);
    if (!n) { n = { kind: 'historySession', id: s.id }; this.sessionNodes.set(s.id, n); }
    return n;
  }
}

function projectKey(scope: HistoryScope, cwd: string | null): string { return `${scope}\u0000${cwd ?? ''}`; }
function dayKey(n: HistoryDayNode): string { return `${n.scope}\u0000${n.cwd ?? ''}\u0000${n.day}`; }

/** "Today", "Yesterday", else the day in the user's locale. */
export function dayLabel(day: string, now = new Date()): string {
  const [y, m, d] = day.split('-').map(Number);
  const date = new Date(y, m - 1, d);
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  const diff = Math.round((today.getTime() - date.getTime()) / 86_400_000);
  if (diff === 0) return 'Today';
  if (diff === 1) return 'Yesterday';
  return DAY_FORMAT.format(date);
}
