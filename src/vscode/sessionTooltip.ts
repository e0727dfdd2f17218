// The hover of a session row. Agent-supplied text goes through appendText (escaped), never appendMarkdown.
import * as vscode from 'vscode';
import type { Session } from '../engine/protocol';
import { MODE_LABELS } from '../engine/protocol/uiPolicy';
import { AUTONOMY_LABELS, conflictText, conflictsOf, hostDescription } from '../engine/protocol/uiPolicy';
import { branchOf, worktreeDescription } from '../engine/protocol/worktreePolicy';
import { PROVIDER_LABELS, formatTokens, percent, statusText } from './sessionPresentation';

export function sessionTooltip(s: Session): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.isTrusted = false;
  md.supportHtml = false;
  md.appendMarkdown('**').appendText(s.displayName).appendMarkdown('**\n\n');
  const row = (label: string, value: string | null | undefined) => {
    if (value) md.appendMarkdown(`${label}: `).appendText(value).appendMarkdown('  \n');
  };
  row('$(hubot) Provider', `${PROVIDER_LABELS[s.provider]} · ${MODE_LABELS[s.mode]}`);
  row(s.host?.reachable === false ? '$(debug-disconnect) Host' : '$(remote) Host', hostDescription(s));
  for (const c of conflictsOf(s)) row('$(warning) Conflict', conflictText(c, s.cwd));
  row('$(pulse) Status', s.status === 'ended' && s.endReason ? `ended (${s.endReason})` : statusText(s));
  row('$(folder) Folder', s.cwd);
  row('$(git-branch) Branch', branchOf(s));
  row('$(repo) Worktree', worktreeDescription(s));
  row('$(chip) Model', s.model);
  row('$(shield) Autonomy', s.autonomy ? AUTONOMY_LABELS[s.autonomy] : null);
  const t = s.tokenUsage;
  row('$(symbol-numeric) Tokens', `${formatTokens(t.input)} in · ${formatTokens(t.output)} out · ${formatTokens(t.cached)} cached`);
  row('$(dashboard) Context', `${percent(s.contextFill)} of ${formatTokens(t.contextWindow)}`);
  if (s.pendingApproval) {
    const a = s.pendingApproval;
    row('$(warning) Waiting for approval', a.command ?? a.toolName ?? a.reason ?? a.kind);
  }
  if (s.pendingQuestion) row('$(question) Question', s.pendingQuestion.questions[0]?.question);
  return md;
}
