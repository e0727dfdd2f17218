// Conflict radar (issue 18): ONE notification when two sessions start editing the same files in one
// checkout — per new conflict (a pair of sessions), not per edit and not once per side. It names the
// other session and the files and offers to open the other session. A pair that cleared and forms
// again is new again. Conflicts already there when the list loaded are not announced.
import * as vscode from 'vscode';
import type { Session } from '../engine/protocol';
import { OPEN_OTHER_SESSION_LABEL, conflictPairKey, conflictText, conflictsOf } from '../engine/protocol/uiPolicy';
import { PROVIDER_LABELS } from './sessionPresentation';
import type { SessionChange, SessionsTree } from './sessionsTree';

export class ConflictNotifier implements vscode.Disposable {
  private readonly sub: vscode.Disposable;
  /** Pairs of sessions in a conflict now (already announced, or seen at load). */
  private readonly active = new Set<string>();
  /** Each notification's text and buttons (read by tests). */
  readonly shown: { sessionId: string; otherSessionId: string; message: string; actions: string[] }[] = [];

  constructor(tree: SessionsTree) {
    this.sub = tree.onDidChangeSession(c => this.onChange(c));
  }

  dispose(): void { this.sub.dispose(); }

  private onChange({ before, after }: SessionChange): void {
    const had = new Set(before ? conflictsOf(before).map(c => c.sessionId) : []);
    const has = after ? conflictsOf(after) : [];
    const id = (after ?? before)!.id;
    for (const other of had) if (!has.some(c => c.sessionId === other)) this.active.delete(conflictPairKey(id, other));
    for (const c of has) {
      const key = conflictPairKey(id, c.sessionId);
      if (had.has(c.sessionId) || this.active.has(key)) continue;
      this.active.add(key);
      if (before && after) this.announce(after, c);
    }
  }

  private announce(s: Session, c: NonNullable<Session['conflicts']>[number]): void {
    if (!vscode.workspace.getConfiguration('flightdeck').get<boolean>('notifications.enabled', true)) return;
    const message = `${PROVIDER_LABELS[s.provider]} · ${s.displayName}: ${conflictText(c, s.cwd)}`;
    this.shown.push({ sessionId: s.id, otherSessionId: c.sessionId, message, actions: [OPEN_OTHER_SESSION_LABEL] });
    void vscode.window.showWarningMessage(message, OPEN_OTHER_SESSION_LABEL).then(choice => {
      if (choice === OPEN_OTHER_SESSION_LABEL) void vscode.commands.executeCommand('flightdeck.openSession', c.sessionId);
    });
  }
}
