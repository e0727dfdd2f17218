// The remote engines' states in the status bar (issue 20): "$(remote) 1/2" — connected of joined —
// with each remote's state and error in the tooltip, a warning colour while one is unreachable or
// refuses its token, and Show Remote Engines on click. Hidden while no remote is joined. Fed by the
// engine (list_remotes at start, then remotes_list, which the engine sends to every list subscriber
// on each change), so every window shows it, whichever one runs the engine.
import * as vscode from 'vscode';
import type { ProtocolClient, RemoteEngineInfo, ServerMessage } from '../engine/protocol';
import type { EngineConnection } from './engineConnection';
import { remoteStateText } from './remoteEngines';

export class RemoteStatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  private client: ProtocolClient | undefined;
  private stopListening: (() => void) | undefined;
  private readonly sub: vscode.Disposable;
  /** The last list the engine reported (read by tests). */
  remotes: RemoteEngineInfo[] = [];

  constructor(private readonly connection: EngineConnection, private readonly log: vscode.LogOutputChannel) {
    this.item = vscode.window.createStatusBarItem('flightdeck.remotes', vscode.StatusBarAlignment.Left, 99);
    this.item.name = 'Flightdeck: remote engines';
    this.item.command = 'flightdeck.showRemoteEngines';
    this.sub = connection.onDidChangeState(() => this.use(connection.current));
    this.use(connection.current);
  }

  get tooltip(): string { return typeof this.item.tooltip === 'string' ? this.item.tooltip : ''; }

  dispose(): void { this.stopListening?.(); this.sub.dispose(); this.item.dispose(); }

  private use(client: ProtocolClient | undefined): void {
    if (client === this.client) return;
    this.stopListening?.();
    this.client = client;
    this.stopListening = client?.on(m => this.receive(m));
    if (!client) return;
    client.request({ type: 'list_remotes' }).then(a => { if (client === this.client) this.show(a.remotes); },
      e => this.log.warn(`remote engines: list_remotes failed: ${(e as Error).message}`));
  }

  private receive(m: ServerMessage): void {
    if (m.type === 'remotes_list') this.show(m.remotes);
  }

  private show(remotes: RemoteEngineInfo[]): void {
    this.remotes = remotes;
    if (!remotes.length) { this.item.hide(); return; }
    const connected = remotes.filter(r => r.state === 'connected').length;
    const trouble = remotes.some(r => r.state === 'unreachable' || r.state === 'unauthorized');
    this.item.text = `$(remote) ${connected}/${remotes.length}`;
    this.item.tooltip = ['Flightdeck remote engines (click for details):', ...remotes.map(r => `${r.name}: ${remoteStateText(r)}`)].join('\n');
    this.item.backgroundColor = trouble ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }
}
