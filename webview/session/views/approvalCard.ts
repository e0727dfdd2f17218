// The pending approval, pinned above the composer: what will run (command, or files with their diff)
// and the decisions the provider accepts. After a click every button stays disabled until the engine
// confirms: the approval leaves session state (a delta) or the request fails (an error).
import { html, nothing } from 'lit';
import { shortcut } from '../format';
import type { ApprovalDecision, FileChange, PendingApproval } from '../types';
import { diffTemplate } from './diffView';
import { fileRowTemplate } from './messageView';

export interface ApprovalViewModel {
  approval: PendingApproval;
  /** Approvals waiting in the queue, this one included. */
  queueLength: number;
  /** The decision sent for this approval version, while the engine has not confirmed it. */
  sentDecision: ApprovalDecision | null;
  /** Files to show: the approval's own, or those of the transcript item it is about. */
  changes: FileChange[];
}

export const APPROVAL_BUTTONS: { decision: ApprovalDecision; label: string; keys: string; primary?: boolean; danger?: boolean }[] = [
  { decision: 'approved', label: 'Approve', keys: 'Ctrl+Enter', primary: true },
  { decision: 'approved_for_session', label: 'Approve for session', keys: 'Ctrl+Shift+Enter' },
  { decision: 'approved_always', label: 'Always', keys: 'Ctrl+Alt+Enter' },
  { decision: 'denied', label: 'Deny', keys: 'Ctrl+Backspace', danger: true },
  { decision: 'abort', label: 'Deny & stop', keys: 'Ctrl+Shift+Backspace', danger: true },
];

const TITLES = { exec: 'Run this command?', fileChange: 'Apply these changes?', permission: 'Allow this tool?' } as const;
const DESCRIPTIONS: Record<ApprovalDecision, string> = {
  approved: 'Approve once',
  approved_for_session: 'Approve this and similar requests for the rest of the session',
  approved_always: 'Approve and remember the rule for future sessions',
  denied: 'Deny; the agent continues without it',
  abort: 'Deny and stop the turn',
};

/** The decision a keyboard shortcut stands for (Ctrl or Cmd), or null. */
export function decisionForKey(e: KeyboardEvent): ApprovalDecision | null {
  if (!(e.ctrlKey || e.metaKey)) return null;
  if (e.key === 'Enter') return e.shiftKey ? 'approved_for_session' : e.altKey ? 'approved_always' : 'approved';
  if (e.key === 'Backspace') return e.shiftKey ? 'abort' : 'denied';
  return null;
}

export function approvalTemplate(vm: ApprovalViewModel, decide: (d: ApprovalDecision) => void, openDiff: (c: FileChange) => void) {
  const a = vm.approval;
  const busy = vm.sentDecision !== null;
  const buttons = APPROVAL_BUTTONS.filter(b => a.options.includes(b.decision));
  return html`<section class="approval-card" role="alertdialog" aria-label="Approval needed" data-approval-id=${a.approvalId}>
    <div class="approval-head">
      <span class="glyph warn" aria-hidden="true">⚠</span>
      <span class="title">${TITLES[a.kind]}</span>
      ${a.toolName ? html`<span class="badge">${a.toolName}</span>` : nothing}
      ${vm.queueLength > 1 ? html`<span class="muted">1 of ${vm.queueLength}</span>` : nothing}
    </div>
    ${a.reason ? html`<p class="approval-reason">${a.reason}</p>` : nothing}
    ${a.command ? html`<pre class="approval-command"><span class="prompt" aria-hidden="true">$ </span>${a.command}</pre>` : nothing}
    ${a.cwd ? html`<div class="card-sub">in <code>${a.cwd}</code></div>` : nothing}
    ${vm.changes.length ? html`<div class="approval-files">${vm.changes.map(c => html`${fileRowTemplate(c, () => openDiff(c))}${diffTemplate(c.diff, { maxLines: 10 })}`)}</div>` : nothing}
    <div class="approval-actions">
      ${buttons.map(b => html`<button class=${b.primary ? 'primary' : b.danger ? 'secondary danger' : 'secondary'} data-decision=${b.decision}
        title=${`${DESCRIPTIONS[b.decision]} (${shortcut(b.keys)})`} ?disabled=${busy} @click=${() => decide(b.decision)}>${b.label}</button>`)}
      ${busy ? html`<span class="muted sending" role="status">Sent “${buttons.find(b => b.decision === vm.sentDecision)?.label ?? vm.sentDecision}”, waiting for the agent…</span>` : nothing}
    </div>
  </section>`;
}
