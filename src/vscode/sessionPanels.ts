// One read-only webview panel per session (the full interactive session view comes later). The
// content is a snapshot fetched with subscribe_session; opening the session again refreshes it.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { ProtocolClient, Session } from '../engine/protocol';
import { sessionPageHtml } from './sessionHtml';

export class SessionPanels implements vscode.Disposable {
  private panels = new Map<string, vscode.WebviewPanel>();

  constructor(private readonly extensionUri: vscode.Uri) {}

  get(sessionId: string): vscode.WebviewPanel | undefined { return this.panels.get(sessionId); }

  async open(client: ProtocolClient, sessionId: string): Promise<vscode.WebviewPanel> {
    const snapshot = await client.request({ type: 'subscribe_session', sessionId });
    // A snapshot is all this page needs: do not keep receiving the session's events.
    client.send({ type: 'unsubscribe_session', sessionId });
    if (snapshot.type !== 'session_snapshot') throw new Error(`unexpected answer ${snapshot.type} to subscribe_session`);
    const panel = this.panelFor(snapshot.session);
    const nonce = randomBytes(16).toString('base64');
    panel.title = snapshot.session.displayName;
    panel.webview.html = sessionPageHtml(snapshot.session, snapshot.messages, { cspSource: panel.webview.cspSource, nonce, now: Date.now() });
    panel.reveal(undefined, false);
    return panel;
  }

  dispose(): void {
    for (const p of this.panels.values()) p.dispose();
    this.panels.clear();
  }

  private panelFor(session: Session): vscode.WebviewPanel {
    const existing = this.panels.get(session.id);
    if (existing) return existing;
    const panel = vscode.window.createWebviewPanel('flightdeck.session', session.displayName, vscode.ViewColumn.Active, {
      enableScripts: false, enableFindWidget: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'media')],
    });
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', `${session.provider}.svg`);
    panel.onDidDispose(() => this.panels.delete(session.id));
    this.panels.set(session.id, panel);
    return panel;
  }
}
