// SPEC §6: the needs-attention count in the status bar too; hidden when nothing waits. Click: the view.
import * as vscode from 'vscode';
import type { SessionsTree } from './sessionsTree';

export class AttentionStatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  private readonly sub: vscode.Disposable;

  constructor(tree: SessionsTree) {
    this.item = vscode.window.createStatusBarItem('flightdeck.attention', vscode.StatusBarAlignment.Left, 100);
    this.item.name = 'Flightdeck: sessions that need attention';
    this.item.command = 'flightdeck.sessions.focus';
    this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    this.sub = tree.onDidChangeAttention(n => this.show(n));
    this.show(tree.attentionCount);
  }

  private show(n: number): void {
    if (n === 0) { this.item.hide(); return; }
    this.item.text = `$(bell-dot) ${n}`;
    this.item.tooltip = `${n} Flightdeck session${n === 1 ? '' : 's'} waiting for you`;
    this.item.show();
  }

  dispose(): void { this.sub.dispose(); this.item.dispose(); }
}
