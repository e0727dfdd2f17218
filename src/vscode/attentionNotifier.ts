// SPEC §6: a notification with Approve / Deny / Open when a session starts waiting for the user.
// Only on the transition (not for sessions that were already waiting when the list loaded), once
// per request, and not while the session's own panel has focus (the card is in front of the user).
import * as vscode from 'vscode';
import type { SessionChange, SessionsTree } from './sessionsTree';
import { PROVIDER_LABELS, needsAttention } from './sessionPresentation';

export class AttentionNotifier implements vscode.Disposable {
  private readonly sub: vscode.Disposable;
  /** Sessions notified about (read by tests). */
  readonly notified: string[] = [];

  /** Sessions not notified because their panel had focus (read by tests). */
  readonly skippedFocused: string[] = [];

  constructor(tree: SessionsTree, private readonly panels: { readonly activeSessionId: string | undefined }) {
    this.sub = tree.onDidChangeSession(c => this.onChange(c));
  }

  dispose(): void { this.sub.dispose(); }

  private onChange({ before, after }: SessionChange): void {
    if (!after || !needsAttention(after)) return;
    if (before && needsAttention(before) && before.workStatus === after.workStatus && before.pendingApproval?.approvalId === after.pendingApproval?.approvalId) return;
    if (!vscode.workspace.getConfiguration('flightdeck').get<boolean>('notifications.enabled', true)) return;
    if (this.panels.activeSessionId === after.id && vscode.window.state.focused) { this.skippedFocused.push(after.id); return; }
    this.notified.push(after.id);
    const who = `${PROVIDER_LABELS[after.provider]} · ${after.displayName}`;
    const approval = after.workStatus === 'needsApproval' ? after.pendingApproval : null;
    const what = approval
      ? `wants to run ${approval.command ?? approval.toolName ?? approval.kind}`
      : `asks: ${after.pendingQuestion?.questions[0]?.question ?? 'a question'}`;
    const actions = approval ? ['Approve', 'Deny', 'Open'] : ['Open'];
    void vscode.window.showWarningMessage(`${who} ${what}`, ...actions).then(choice => {
      if (choice === 'Approve') void vscode.commands.executeCommand('flightdeck.approve', after.id, approval?.approvalId);
      else if (choice === 'Deny') void vscode.commands.executeCommand('flightdeck.deny', after.id, approval?.approvalId);
      else if (choice === 'Open') void vscode.commands.executeCommand('flightdeck.openSession', after.id);
    });
  }
}
