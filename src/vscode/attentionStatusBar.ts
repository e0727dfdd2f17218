// SPEC §6: sessions that need attention, and working ones, in the status bar; hidden when there are
// none. Click: a Quick Pick of those sessions (needs-attention first).
import * as vscode from 'vscode';
import type { SessionsTree } from './sessionsTree';

export class AttentionStatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  private readonly subs: vscode.Disposable[];

  constructor(private readonly tree: SessionsTree) {
    this.item = vscode.window.createStatusBarItem('flightdeck.attention', vscode.StatusBarAlignment.Left, 100);
    this.item.name = 'Flightdeck: sessions that need attention or work';
    this.item.command = 'flightdeck.pickSession';
    // Any session change may change the working count; attention changes come with their own event.
    this.subs = [tree.onDidChangeAttention(() => this.show()), tree.onDidChangeSession(() => this.show()), tree.onDidChangeTreeData(() => this.show())];
    this.show();
  }

  private show(): void {
    const attention = this.tree.attentionCount;
    const working = this.tree.allSessions().filter(s => s.status === 'active' && s.workStatus === 'working').length;
    if (attention === 0 && working === 0) { this.item.hide(); return; }
    const parts: string[] = [];
    if (attention) parts.push(`$(bell-dot) ${attention}`);
    if (working) parts.push(`$(sync~spin) ${working}`);
    this.item.text = parts.join('  ');
    this.item.tooltip = [
      attention ? `${attention} Flightdeck session${attention === 1 ? '' : 's'} waiting for you` : '',
      working ? `${working} working` : '',
    ].filter(Boolean).join(', ') + ' (click to pick one)';
    this.item.backgroundColor = attention ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  dispose(): void { for (const s of this.subs) s.dispose(); this.item.dispose(); }
}
