// One session panel's host side: relays protocol envelopes between the webview (dist/session.js) and
// the window's engine connection, and carries out the page's UI requests (diff, copy, links).
// Contract: webview/session/README.md. The page is untrusted input: every message it sends is
// validated with the protocol's own schemas before it reaches the engine.
import * as vscode from 'vscode';
import type { ClientMessage, ProtocolClient, ServerMessage } from '../engine/protocol';
import { ErrorCode } from '../engine/protocol/errorCodes';
import type { HostRequest } from '../engine/protocol/panelEnvelope';
import type { HostToWebview } from '../engine/protocol/panelInbound';
import { engineModule } from './engineModule';
import type { EngineConnection } from './engineConnection';

/** UI requests of the page (protocol/panelEnvelope.ts, validated here with its schema). */
export interface PanelHostActions {
  openDiff(sessionId: string, messageId: string | null, path: string): Thenable<unknown>;
}

export class SessionPanelHost implements vscode.Disposable {
  /** Request ids the page sent on the current client: their answers go back to the page. */
  private readonly pending = new Set<string>();
  private client: ProtocolClient | undefined;
  private stopListening: (() => void) | undefined;
  private subscribed = false;
  /** A client was used before: the next one is a reconnect, after which the page must resync. */
  private hadClient = false;
  private revealOnReady: string | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** Every protocol message the page sent, validated (read by tests and the log). */
  readonly fromPage: ClientMessage[] = [];
  /** Fires for every envelope posted to the page (tests wait on it). */
  private readonly posted = new vscode.EventEmitter<unknown>();
  readonly onDidPost = this.posted.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly sessionId: string,
    private readonly connection: EngineConnection,
    private readonly actions: PanelHostActions,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      this.posted,
      panel.webview.onDidReceiveMessage(e => { void this.fromWebview(e); }),
      connection.onDidChangeState(() => this.useClient(connection.current)),
    );
    this.useClient(connection.current);
  }

  /** Tells the page to scroll to a transcript item (search hits). */
  revealMessage(messageId: string): void {
    // A hidden panel's page is reloaded when shown again and may miss this; it is sent again on "ready".
    this.revealOnReady = messageId;
    this.post({ channel: 'host', type: 'revealMessage', messageId });
  }

  dispose(): void {
    if (this.subscribed && this.client && !this.client.isClosed) {
      try { this.client.send({ type: 'unsubscribe_session', sessionId: this.sessionId }); } catch { /* closing anyway */ }
    }
    this.stopListening?.();
    for (const d of this.disposables) d.dispose();
  }

  /** A new engine client (first connect, reconnect, leader change): the page re-subscribes from its revision. */
  private useClient(client: ProtocolClient | undefined): void {
    if (client === this.client) return;
    this.stopListening?.();
    this.stopListening = undefined;
    this.pending.clear();
    this.subscribed = false;
    this.client = client;
    this.stopListening = client?.on(m => this.fromEngine(m));
    if (!client) return;
    const reconnect = this.hadClient;
    this.hadClient = true;
    if (reconnect) {
      this.log.info(`session panel ${this.sessionId}: engine connection replaced, asking the page to resync`);
      this.post({ channel: 'protocol', message: { type: 'resync', sessionId: this.sessionId, reason: 'the engine connection was replaced' } });
    }
  }

  private fromEngine(m: ServerMessage): void {
    const requestId = 'requestId' in m ? m.requestId : undefined;
    if (requestId && this.pending.delete(requestId)) { this.post({ channel: 'protocol', message: m }); return; }
    // Session events of this session only (never another session's, never list traffic).
    if ('sessionId' in m && m.sessionId === this.sessionId && !requestId) this.post({ channel: 'protocol', message: m });
  }

  private async fromWebview(envelope: unknown): Promise<void> {
    const parsed = engineModule().parseWebviewToHost(envelope);
    if (!parsed.ok) {
      this.log.warn(`session panel ${this.sessionId}: ignored a message from the page: ${parsed.message.slice(0, 300)}`);
      // A host request the page cannot do is a bug the user should hear of; other noise is only logged.
      if ((envelope as { channel?: unknown } | null)?.channel === 'host') void vscode.window.showWarningMessage(`Flightdeck: ${parsed.message.slice(0, 300)}`);
      return;
    }
    const e = parsed.value;
    if (e.channel === 'protocol') return this.relay(e.message);
    return this.hostRequest(e);
  }

  private relay(raw: unknown): void {
    const { parseClientMessage } = engineModule();
    const parsed = parseClientMessage(raw);
    if (!parsed.ok) {
      this.log.warn(`session panel ${this.sessionId}: rejected a message from the page: ${parsed.message}`);
      this.answerError(parsed.requestId, parsed.code, parsed.message);
      return;
    }
    const msg = parsed.value;
    // The page speaks for its own session only.
    if ('sessionId' in msg && msg.sessionId !== this.sessionId) {
      this.answerError(msg.requestId, ErrorCode.badRequest, `this panel shows session ${this.sessionId}, not ${msg.sessionId}`);
      return;
    }
    this.fromPage.push(msg);
    const client = this.client;
    if (!client || client.isClosed) {
      this.answerError(msg.requestId, ErrorCode.engineUnavailable, 'The Flightdeck engine is reconnecting; try again in a moment.');
      return;
    }
    if (msg.requestId) this.pending.add(msg.requestId);
    if (msg.type === 'subscribe_session') this.subscribed = true;
    if (msg.type === 'unsubscribe_session') this.subscribed = false;
    // Sent as is: the page's requestId must come back to the page (the client would replace it).
    client.send(msg);
  }

  private async hostRequest(e: HostRequest): Promise<void> {
    try {
      switch (e.type) {
        case 'ready':
          this.log.debug(`session panel ${this.sessionId}: page ready`);
          if (this.revealOnReady) this.post({ channel: 'host', type: 'revealMessage', messageId: this.revealOnReady });
          this.revealOnReady = undefined;
          return;
        case 'openDiff':
          await this.actions.openDiff(this.sessionId, e.messageId, e.path);
          return;
        case 'copy':
          await vscode.env.clipboard.writeText(e.text);
          return;
        case 'openSession':
          await vscode.commands.executeCommand('flightdeck.openSession', e.sessionId);
          return;
        case 'openLink':
          // The schema let only http(s): and mailto: through (command:, file:, vscode: are refused).
          await vscode.env.openExternal(vscode.Uri.parse(e.href, true));
          return;
      }
    } catch (err) {
      this.log.warn(`session panel ${this.sessionId}: ${(err as Error).message}`);
      void vscode.window.showWarningMessage(`Flightdeck: ${(err as Error).message}`);
    }
  }

  private answerError(requestId: string | undefined, code: ErrorCode | string, message: string): void {
    this.post({ channel: 'protocol', message: { type: 'error', ...(requestId ? { requestId } : {}), code, message } });
  }

  private post(envelope: HostToWebview): void {
    this.posted.fire(envelope);
    void this.panel.webview.postMessage(envelope);
  }
}
