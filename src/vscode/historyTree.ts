// The History view below the Sessions view (SPEC §11): past sessions grouped by project (cwd), then
// day, loaded lazily page by page through list_history_groups / list_history_sessions, so 10,000 of
// them cost nothing until a node is expanded; the live tree with its attention groups stays on top.
import * as vscode from 'vscode';
import type { HistoryScope, ProtocolClient, ServerMessage, Session } from '../engine/protocol';
import type { EngineConnection, EngineState } from './engineConnection';
import { PROVIDER_LABELS, contextValueOf } from './sessionPresentation';
import { sessionTooltip } from './sessionTooltip';

export interface HistoryRootNode { readonly kind: 'historyRoot'; readonly scope: HistoryScope }
export interface HistoryProjectNode { readonly kind: 'historyProject'; readonly scope: HistoryScope; readonly cwd: string | null; readonly label: string; readonly count: number }
export interface HistoryDayNode { readonly kind: 'historyDay'; readonly scope: HistoryScope; readonly cwd: string | null; readonly day: string; readonly count: number }
export interface HistorySessionNode { readonly kind: 'historySession'; readonly id: string }
export interface HistoryMoreNode { readonly kind: 'historyMore'; readonly parent: HistoryDayNode; readonly cursor: string }
export interface HistoryInfoNode { readonly kind: 'historyInfo'; readonly text: string }
export type HistoryNode = HistoryRootNode | HistoryProjectNode | HistoryDayNode | HistorySessionNode | HistoryMoreNode | HistoryInfoNode;

const PAGE = 100;

export function isHistoryNode(n: { kind: string }): n is HistoryNode {
  return n.kind.startsWith('history');
}

/** The client's offset from UTC in minutes, so days are the user's days. */
export function utcOffsetMinutes(at = new Date()): number {
  return -at.getTimezoneOffset();
}

export class HistoryTree implements vscode.TreeDataProvider<HistoryNode>, vscode.Disposable {
  readonly view: vscode.TreeView<HistoryNode>;
  private readonly changed = new vscode.EventEmitter<HistoryNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly archivedRoot: HistoryRootNode = { kind: 'historyRoot', scope: 'archived' };
  private client: ProtocolClient | undefined;
  private stopListening: (() => void) | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** Sessions shown under History (for commands, panel titles), by id: the latest state each page showed. */
  private readonly sessions = new Map<string, Session>();
  private readonly sessionNodes = new Map<string, HistorySessionNode>();
  /** Extra pages loaded under a day ("Load more"), kept so a refresh of the day shows them again. */
  private readonly pages = new Map<string, Session[]>();
  private readonly cursors = new Map<string, string | null>();

  constructor(connection: EngineConnection, private readonly extensionUri: vscode.Uri, private readonly log: vscode.LogOutputChannel) {
    this.view = vscode.window.createTreeView('flightdeck.history', { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(this.view, this.changed, connection.onDidChangeState(s => this.onState(s)));
    this.onState(connection.state);
  }

  getSession(id: string): Session | undefined { return this.sessions.get(id); }

  /**
   * Reloads what is expanded (a session was archived, deleted, resumed, or the engine changed). The
   * sessions seen stay known, so a command naming one by id still finds it.
   */
  refresh(): void {
    this.pages.clear();
    this.cursors.clear();
    this.changed.fire(undefined);
  }

  dispose(): void {
    this.stopListening?.();
    for (const d of this.disposables) d.dispose();
  }

  getTreeItem(node: HistoryNode): vscode.TreeItem { return this.item(node); }

  getChildren(node?: HistoryNode): Promise<HistoryNode[]> {
    return this.children(node ?? { kind: 'historyRoot', scope: 'history' });
  }

  getParent(): undefined { return undefined; }

  private onState(state: EngineState): void {
    if (state.kind !== 'ready' || state.client === this.client) return;
    this.stopListening?.();
    this.client = state.client;
    this.stopListening = state.client.on(m => this.receive(m));
    this.refresh();
  }

  private receive(m: ServerMessage): void {
    // A past session deleted or archived (here or by another client) leaves History at once.
    if (m.type === 'session_removed' && this.sessions.has(m.sessionId)) this.refresh();
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
        item.description = `${PROVIDER_LABELS[s.provider]} · ${new Date(s.lastActivityAt).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}`;
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
    if (answer.type !== 'history_groups') return [];
    const projects: HistoryNode[] = answer.groups.map(g => ({ kind: 'historyProject', scope, cwd: g.cwd, label: g.label, count: g.count }));
    if (!projects.length) return [{ kind: 'historyInfo', text: scope === 'archived' ? 'No archived sessions' : 'No past sessions yet' }];
    return scope === 'history' ? [...projects, this.archivedRoot] : projects;
  }

  private async days(client: ProtocolClient, node: HistoryProjectNode): Promise<HistoryNode[]> {
    const answer = await client.request({ type: 'list_history_groups', scope: node.scope, cwd: node.cwd, utcOffsetMinutes: utcOffsetMinutes() });
    if (answer.type !== 'history_groups') return [];
    return answer.groups.map(g => ({ kind: 'historyDay', scope: node.scope, cwd: node.cwd, day: g.day!, count: g.count }));
  }

  private async daySessions(client: ProtocolClient, node: HistoryDayNode): Promise<HistoryNode[]> {
    const key = dayKey(node);
    const first = await this.page(client, node);
    const more = this.pages.get(key) ?? [];
    const cursor = more.length ? this.cursors.get(key) ?? null : first.nextCursor;
    const rows: HistoryNode[] = [...first.sessions, ...more].map(s => this.nodeFor(s));
    if (cursor) rows.push({ kind: 'historyMore', parent: node, cursor });
    return rows;
  }

  private async page(client: ProtocolClient, node: HistoryDayNode, cursor?: string): Promise<{ sessions: Session[]; nextCursor: string | null }> {
    const answer = await client.request({
      type: 'list_history_sessions', scope: node.scope, cwd: node.cwd, day: node.day, utcOffsetMinutes: utcOffsetMinutes(), limit: PAGE, cursor,
    });
    if (answer.type !== 'history_sessions') return { sessions: [], nextCursor: null };
    for (const s of answer.sessions) this.sessions.set(s.id, s);
    return { sessions: answer.sessions, nextCursor: answer.nextCursor };
  }

  private nodeFor(s: Session): HistorySessionNode {
    let n = this.sessionNodes.get(s.id);
    if (!n) { n = { kind: 'historySession', id: s.id }; this.sessionNodes.set(s.id, n); }
    return n;
  }
}

function dayKey(n: HistoryDayNode): string { return `${n.scope}\u0000${n.cwd ?? ''}\u0000${n.day}`; }

/** "Today", "Yesterday", else the day in the user's locale. */
export function dayLabel(day: string, now = new Date()): string {
  const [y, m, d] = day.split('-').map(Number);
  const date = new Date(y, m - 1, d);
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  const diff = Math.round((today.getTime() - date.getTime()) / 86_400_000);
  if (diff === 0) return 'Today';
  if (diff === 1) return 'Yesterday';
  return date.toLocaleDateString(undefined, { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric' });
}
