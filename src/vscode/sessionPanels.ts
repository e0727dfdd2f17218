// The session panels: one webview per session (the UI of webview/session), found again by session
// id, restored after a window reload by a WebviewPanelSerializer, and the one that has focus is
// known to commands, keybindings and notifications.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { EngineConnection } from './engineConnection';
import { type PanelHostActions, SessionPanelHost } from './sessionPanelHost';
import { sessionPanelHtml } from './sessionPanelHtml';

export const SESSION_VIEW_TYPE = 'flightdeck.session';
/** Context key: the session id of the focused session panel, or unset. */
const ACTIVE_SESSION_CONTEXT = 'flightdeck.activeSessionPanel';

export class SessionPanels implements vscode.Disposable {
  private readonly hosts = new Map<string, SessionPanelHost>();
  private readonly disposables: vscode.Disposable[] = [];
  private activeId: string | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly connection: EngineConnection,
    private readonly actions: PanelHostActions,
    private readonly log: vscode.LogOutputChannel,
    /** The panel title for a session id (its display name, when the list knows it). */
    private readonly titleOf: (sessionId: string) => { title: string; provider?: string },
  ) {
    this.disposables.push(vscode.window.registerWebviewPanelSerializer(SESSION_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) => {
        const sessionId = (state as { sessionId?: unknown } | undefined)?.sessionId;
        if (typeof sessionId !== 'string' || !sessionId) { panel.dispose(); return; }
        this.log.info(`session panel ${sessionId}: restored after reload`);
        this.adopt(panel, sessionId);
      },
    }));
  }

  get(sessionId: string): SessionPanelHost | undefined { return this.hosts.get(sessionId); }

  /** The session whose panel has focus (undefined when no session panel is the active editor). */
  get activeSessionId(): string | undefined { return this.activeId; }

  /** Opens (or reveals) the panel of a session; with `messageId`, scrolls to that transcript item. */
  open(sessionId: string, messageId?: string): SessionPanelHost {
    let host = this.hosts.get(sessionId);
    if (host) host.panel.reveal(undefined, false);
    else {
      const { title } = this.titleOf(sessionId);
      const panel = vscode.window.createWebviewPanel(SESSION_VIEW_TYPE, title, vscode.ViewColumn.Active, this.options());
      host = this.adopt(panel, sessionId);
    }
    if (messageId) host.revealMessage(messageId);
    return host;
  }

  /** Keeps panel titles in step with renames. */
  retitle(sessionId: string): void {
    const host = this.hosts.get(sessionId);
    if (host) host.panel.title = this.titleOf(sessionId).title;
  }

  dispose(): void {
    for (const h of [...this.hosts.values()]) h.panel.dispose();
    this.hosts.clear();
    for (const d of this.disposables) d.dispose();
  }

  private options(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    // No retainContextWhenHidden: a recreated page subscribes again and gets a snapshot.
    return { enableScripts: true, enableFindWidget: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist')] };
  }

  private adopt(panel: vscode.WebviewPanel, sessionId: string): SessionPanelHost {
    const { title, provider } = this.titleOf(sessionId);
    panel.title = title;
    if (provider) panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', `${provider}.svg`);
    panel.webview.options = this.options();
    panel.webview.html = sessionPanelHtml(panel.webview, this.extensionUri, sessionId, randomBytes(16).toString('base64'));
    const host = new SessionPanelHost(panel, sessionId, this.connection, this.actions, this.log);
    this.hosts.set(sessionId, host);
    panel.onDidChangeViewState(e => this.setActive(e.webviewPanel.active ? sessionId : this.activeId === sessionId ? undefined : this.activeId));
    panel.onDidDispose(() => {
      host.dispose();
      if (this.hosts.get(sessionId) === host) this.hosts.delete(sessionId);
      if (this.activeId === sessionId) this.setActive(undefined);
    });
    if (panel.active) this.setActive(sessionId);
    return host;
  }

  private setActive(sessionId: string | undefined): void {
    if (this.activeId === sessionId) return;
    this.activeId = sessionId;
    void vscode.commands.executeCommand('setContext', ACTIVE_SESSION_CONTEXT, sessionId ?? '');
  }
}
