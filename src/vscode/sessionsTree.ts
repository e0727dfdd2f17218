// The sidebar tree of sessions. Fed only through the protocol: subscribe_list gives the list, then
// session_created / session_delta / session_ended / session_removed are applied one by one, and only
// the changed rows or groups are refreshed. The rules (revisions, a gap asks for a fresh list, the
// delta rule) are the shared list mirror's (src/engine/protocol/mirror/listMirror.ts). Below the
// live groups sits the History node (historyTree.ts), loaded lazily from the store.
import * as vscode from 'vscode';
import type { ProtocolClient, ServerMessage, Session } from '../engine/protocol';
import type { EngineConnection, EngineState } from './engineConnection';
import { ListMirror } from '../engine/protocol/mirror/listMirror';
import { attentionCount, attentionLabel, conflictsOf, isUnreachable } from '../engine/protocol/uiPolicy';
import { GROUPS, type GroupId, contextValueOf, describeSession, groupOf } from './sessionPresentation';
import { sessionTooltip } from './sessionTooltip';
import { type HistoryNode, HistorySection, isHistoryNode } from './historyTree';

export interface GroupNode { readonly kind: 'group'; readonly id: GroupId; readonly label: string; readonly expanded: boolean }
export interface SessionNode { readonly kind: 'session'; readonly id: string }
export interface MessageNode { readonly kind: 'message'; readonly text: string }
export type LiveNode = GroupNode | SessionNode | MessageNode;
/** Every row of the Sessions tree: the live groups and their sessions, then History. */
export type TreeNode = LiveNode | HistoryNode;

/** A session changed (not on the initial list): what it was and what it is now. */
export interface SessionChange { before: Session | undefined; after: Session | undefined }

const RELATIVE_TIME_REFRESH_MS = 60_000;

export class SessionsTree implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  readonly view: vscode.TreeView<TreeNode>;
  private readonly changed = new vscode.EventEmitter<TreeNode | TreeNode[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly sessionChanged = new vscode.EventEmitter<SessionChange>();
  /** Fires for every created / changed / removed session after the list loaded (for notifications). */
  readonly onDidChangeSession = this.sessionChanged.event;
  private readonly attentionChanged = new vscode.EventEmitter<number>();
  /** The number of sessions that need attention, whenever it may have changed. */
  readonly onDidChangeAttention = this.attentionChanged.event;
  private _attention = 0;
  private readonly groups = new Map<GroupId, GroupNode>(GROUPS.map(g => [g.id, { kind: 'group', ...g }]));
  private sessions = new Map<string, Session>();
  private nodes = new Map<string, SessionNode>();
  /** The list as the engine sent it; a new one per client and per refresh (not loaded until a sessions_list). */
  private mirror = new ListMirror();
  private client: ProtocolClient | undefined;
  private stopListening: (() => void) | undefined;
  private failure: MessageNode | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** How many times a fresh list was requested because of a revision gap (read by tests and logs). */
  resyncs = 0;

  /** The History node's rows (past sessions by project and day), loaded from the store on expand. */
  readonly history: HistorySection;
  private historyShown = false;

  constructor(private readonly connection: EngineConnection, private readonly extensionUri: vscode.Uri, private readonly log: vscode.LogOutputChannel) {
    this.history = new HistorySection(connection, extensionUri, log);
    this.view = vscode.window.createTreeView('flightdeck.sessions', { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(this.view, this.changed, this.sessionChanged, this.attentionChanged, this.history,
      this.history.onDidChange(n => this.onHistoryChange(n)), connection.onDidChangeState(s => this.onState(s)));
    const timer = setInterval(() => { if (this.view.visible && this.sessions.size) this.changed.fire(undefined); }, RELATIVE_TIME_REFRESH_MS);
    this.disposables.push({ dispose: () => clearInterval(timer) });
    this.onState(connection.state);
  }

  /** True once a list arrived from the current client. */
  get loaded(): boolean { return this.mirror.loaded; }
  get attentionCount(): number { return this._attention; }
  /** A live session, else a past one History showed. */
  getSession(id: string): Session | undefined { return this.sessions.get(id) ?? this.history.getSession(id); }
  allSessions(): Session[] { return [...this.sessions.values()]; }

  /** Asks for a fresh list (the Refresh command, and after a revision gap). */
  async refresh(): Promise<void> {
    const client = this.client ?? await this.connection.client();
    if (client !== this.client) return this.subscribe(client);
    this.mirror = new ListMirror();
    await client.request({ type: 'subscribe_list' });
  }

  // ---- TreeDataProvider ----------------------------------------------------------------------

  /** The root and the live groups answer at once; History's nodes load from the store. */
  getChildren(element?: LiveNode): TreeNode[];
  getChildren(element: HistoryNode): Promise<HistoryNode[]>;
  getChildren(element?: TreeNode): TreeNode[] | Promise<HistoryNode[]>;
  getChildren(element?: TreeNode): TreeNode[] | Promise<HistoryNode[]> {
    if (!element) {
      if (this.failure) return [this.failure];
      const live: TreeNode[] = GROUPS.map(g => this.groups.get(g.id)!).filter(g => this.membersOf(g.id).length > 0);
      return this.historyShown ? [...live, this.history.root] : live;
    }
    if (isHistoryNode(element)) return this.history.children(element);
    if (element.kind === 'group') return this.membersOf(element.id).map(s => this.nodeFor(s.id));
    return [];
  }

  getParent(element: TreeNode): TreeNode | undefined {
    if (isHistoryNode(element)) return this.history.getParent(element);
    if (element.kind !== 'session') return undefined;
    const s = this.sessions.get(element.id);
    return s ? this.groups.get(groupOf(s)) : undefined;
  }

  getTreeItem(element: TreeNode): vscode.TreeItem {
    if (isHistoryNode(element)) return this.history.getTreeItem(element);
    if (element.kind === 'message') {
      const item = new vscode.TreeItem(element.text);
      item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
      item.tooltip = element.text;
      item.contextValue = 'message';
      return item;
    }
    if (element.kind === 'group') {
      const item = new vscode.TreeItem(element.label,
        element.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `group:${element.id}`;
      item.description = String(this.membersOf(element.id).length);
      item.contextValue = `group:${element.id}`;
      return item;
    }
    const s = this.sessions.get(element.id);
    if (!s) return new vscode.TreeItem('(removed)');
    const item = new vscode.TreeItem(s.displayName, vscode.TreeItemCollapsibleState.None);
    item.id = s.id;
    item.description = describeSession(s, Date.now());
    item.tooltip = sessionTooltip(s);
    item.contextValue = contextValueOf(s);
    // A session whose engine cannot be reached: the disconnected plug instead of the agent's logo.
    // Another live session edits the same files (conflict radar): a warning in the warning colour.
    item.iconPath = isUnreachable(s) ? new vscode.ThemeIcon('debug-disconnect', new vscode.ThemeColor('disabledForeground'))
      : conflictsOf(s).length ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'))
      : vscode.Uri.joinPath(this.extensionUri, 'media', `${s.provider}.svg`);
    item.accessibilityInformation = { label: `${s.displayName}, ${s.provider}, ${item.description}` };
    item.command = { command: 'flightdeck.openSession', title: 'Open Session', arguments: [element] };
    return item;
  }

  dispose(): void {
    this.stopListening?.();
    for (const d of this.disposables) d.dispose();
  }

  /** History reloaded: the root when the node appears or goes, else the History node (VS Code reloads what is expanded). */
  private onHistoryChange(node: HistoryNode | undefined): void {
    if (node) return this.changed.fire(node);
    if (this.history.shown !== this.historyShown) {
      this.historyShown = this.history.shown;
      this.changed.fire(undefined);
    } else if (this.historyShown) this.changed.fire(this.history.root);
  }

  // ---- protocol ------------------------------------------------------------------------------

  private onState(state: EngineState): void {
    // The welcome content ("No agent sessions yet") only once the engine answered.
    void vscode.commands.executeCommand('setContext', 'flightdeck.engineState', state.kind);
    this.failure = state.kind === 'failed' ? { kind: 'message', text: state.message } : undefined;
    this.view.message = state.kind === 'starting' && !this.loaded ? state.detail : undefined;
    if (state.kind === 'ready' && state.client !== this.client) void this.subscribe(state.client);
    if (state.kind !== 'ready') this.changed.fire(undefined);
  }

  private async subscribe(client: ProtocolClient): Promise<void> {
    this.stopListening?.();
    this.client = client;
    this.mirror = new ListMirror();
    this.stopListening = client.on(m => this.receive(m));
    try {
      await client.request({ type: 'subscribe_list' });
    } catch (e) {
      if (client === this.client && !client.isClosed) this.log.error(`sessions tree: subscribe_list failed: ${(e as Error).message}`);
    }
  }

  private receive(m: ServerMessage): void {
    const change = this.mirror.apply(m);
    if (change.reset) this.reset([...this.mirror.sessions.values()]);
    for (const after of change.upserted) this.upsert(after);
    for (const id of change.removed) this.remove(id);
    if (change.resync) void this.resync(change.resync.reason);
  }

  private async resync(why: string): Promise<void> {
    this.resyncs++;
    this.log.info(`sessions tree: fresh list (${why})`);
    try { await this.refresh(); } catch (e) { this.log.warn(`sessions tree: resync failed: ${(e as Error).message}`); }
  }

  private reset(list: Session[]): void {
    this.sessions = new Map(list.map(s => [s.id, s]));
    for (const id of this.nodes.keys()) if (!this.sessions.has(id)) this.nodes.delete(id);
    this.view.message = undefined;
    this.updateBadge();
    this.changed.fire(undefined);
  }

  private upsert(after: Session): void {
    const before = this.sessions.get(after.id);
    const groupsBefore = this.visibleGroups();
    this.sessions.set(after.id, after);
    const moved = !before || groupOf(before) !== groupOf(after) || before.lastActivityAt !== after.lastActivityAt;
    if (this.visibleGroups() !== groupsBefore) this.changed.fire(undefined);
    else if (moved) this.changed.fire([...new Set([before && groupOf(before), groupOf(after)])].filter(isGroupId).map(g => this.groups.get(g)!));
    else this.changed.fire(this.nodeFor(after.id));
    this.updateBadge();
    this.sessionChanged.fire({ before, after });
  }

  private remove(id: string): void {
    const before = this.sessions.get(id);
    if (!before) return;
    const groupsBefore = this.visibleGroups();
    this.sessions.delete(id);
    this.nodes.delete(id);
    this.changed.fire(this.visibleGroups() !== groupsBefore ? undefined : this.groups.get(groupOf(before))!);
    this.updateBadge();
    this.sessionChanged.fire({ before, after: undefined });
  }

  // ---- helpers -------------------------------------------------------------------------------

  private membersOf(group: GroupId): Session[] {
    return [...this.sessions.values()].filter(s => groupOf(s) === group)
      .sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt) || a.id.localeCompare(b.id));
  }

  /** Which groups have rows, as a key: a change means the root must be refreshed. */
  private visibleGroups(): string {
    const present = new Set([...this.sessions.values()].map(groupOf));
    return GROUPS.filter(g => present.has(g.id)).map(g => g.id).join(',');
  }

  /** Stable node objects, so onDidChangeTreeData can name exactly the row that changed. */
  private nodeFor(id: string): SessionNode {
    let n = this.nodes.get(id);
    if (!n) { n = { kind: 'session', id }; this.nodes.set(id, n); }
    return n;
  }

  private updateBadge(): void {
    const n = attentionCount(this.sessions.values());
    if (n !== this._attention) { this._attention = n; this.attentionChanged.fire(n); }
    this.view.badge = n > 0 ? { value: n, tooltip: attentionLabel(n) } : undefined;
  }
}

function isGroupId(g: GroupId | undefined): g is GroupId { return g !== undefined; }
