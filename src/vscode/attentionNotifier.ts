// SPEC §6: a notification when a session starts waiting for the user: Approve / Deny / Open for an
// approval Flightdeck can decide; for one that only its terminal can answer (a passive session),
// it says so and offers Take Over (where possible) and Open — never a decision that would fail.
// Only on the transition (not for sessions that were already waiting when the list loaded), once
// per request, and not while the session's own panel has focus (the card is in front of the user).
import * as vscode from 'vscode';
import { needsAttention } from '../engine/protocol/uiPolicy';
import { attentionMessage } from './attentionMessage';
import type { SessionChange, SessionsTree } from './sessionsTree';

export class AttentionNotifier implements vscode.Disposable {
  private readonly sub: vscode.Disposable;
  /** Sessions notified about (read by tests). */
  readonly notified: string[] = [];

  /** Each notification's text and buttons (read by tests). */
  readonly shown: { sessionId: string; message: string; actions: string[] }[] = [];

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
    const { message, buttons } = attentionMessage(after);
    this.shown.push({ sessionId: after.id, message, actions: buttons.map(b => b.label) });
    void vscode.window.showWarningMessage(message, ...buttons.map(b => b.label)).then(choice => {
      const b = buttons.find(x => x.label === choice);
      if (b) void vscode.commands.executeCommand(b.command, ...b.args);
    });
  }
}
