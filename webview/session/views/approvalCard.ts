// The pending approval, pinned above the composer: what will run (command, or files with their diff)
// and the decisions the provider accepts (the shared UI policy decides which). An approval that can
// only be answered in the agent's terminal (a passive session) shows that instead, with Take Over
// where possible. After a click every button stays disabled until the engine confirms: the approval
// leaves session state (a delta) or the request fails (an error).
import { html, nothing } from 'lit';
import { type ApprovalOffer, TAKE_OVER_LABEL } from '../../../src/engine/protocol/uiPolicy';
import { shortcut } from '../format';
import type { ApprovalDecision, FileChange, PendingApproval } from '../types';
import { diffTemplate } from './diffView';
import { fileRowTemplate } from './messageView';

export interface ApprovalViewModel {
  approval: PendingApproval;
  /** What the shared policy offers for it (buttons, or where to answer instead). */
  offer: ApprovalOffer;
  /** Approvals waiting in the queue, this one included. */
  queueLength: number;
  /** The decision sent for this approval version, while the engine has not confirmed it. */
  sentDecision: ApprovalDecision | null;
  /** Files to show: the approval's own, or those of the transcript item it is about. */
  changes: FileChange[];
  /** The session's folder: file paths are shown relative to it. */
  cwd: string | null;
}

/** The keyboard shortcut of each decision (see decisionForKey). */
export const DECISION_KEYS: Record<ApprovalDecision, string> = {
  approved: 'Ctrl+Enter', approved_for_session: 'Ctrl+Shift+Enter', approved_always: 'Ctrl+Alt+Enter', denied: 'Ctrl+Backspace', abort: 'Ctrl+Shift+Backspace',
};

const TITLES = { exec: 'Run this command?', fileChange: 'Apply these changes?', permission: 'Allow this tool?' } as const;

/** The decision a keyboard shortcut stands for (Ctrl or Cmd), or null. */
export function decisionForKey(e: KeyboardEvent): ApprovalDecision | null {
  if (!(e.ctrlKey || e.metaKey)) return null;
  if (e.key === 'Enter') return e.shiftKey ? 'approved_for_session' : e.altKey ? 'approved_always' : 'approved';
  if (e.key === 'Backspace') return e.shiftKey ? 'abort' : 'denied';
  return null;
}

export function approvalTemplate(vm: ApprovalViewModel, decide: (d: ApprovalDecision) => void, openDiff: (c: FileChange) => void, takeOver: () => void) {
  const a = vm.approval;
  const busy = vm.sentDecision !== null;
  const buttons = vm.offer.actions;
  return html`<section class=${`approval-card${vm.offer.notice ? ' in-terminal' : ''}`} role="alertdialog" aria-label="Approval needed" data-approval-id=${a.approvalId}>
    <div class="approval-head">
      <span class="glyph warn" aria-hidden="true">⚠</span>
      <span class="title">${TITLES[a.kind]}</span>
      ${a.toolName ? html`<span class="badge">${a.toolName}</span>` : nothing}
      ${vm.queueLength > 1 ? html`<span class="muted">1 of ${vm.queueLength}</span>` : nothing}
    </div>
    ${a.reason ? html`<p class="approval-reason">${a.reason}</p>` : nothing}
    ${a.command ? html`<pre class="approval-command"><span class="prompt" aria-hidden="true">$ </span>${a.command}</pre>` : nothing}
    ${a.cwd ? html`<div class="card-sub">in <code>${a.cwd}</code></div>` : nothing}
    ${vm.changes.length ? html`<div class="approval-files">${vm.changes.map(c => html`${fileRowTemplate(c, () => openDiff(c), vm.cwd)}${diffTemplate(c.diff, { maxLines: 10 })}`)}</div>` : nothing}
    ${vm.offer.notice ? html`<div class="approval-actions in-terminal">
      <p class="approval-notice" role="status">${vm.offer.notice}</p>
      ${vm.offer.takeOver ? html`<button class="secondary" data-action="takeover" title="Resume this thread in Flightdeck once it is no longer running in the terminal" @click=${takeOver}>${TAKE_OVER_LABEL}</button>` : nothing}
    </div>` : html`<div class="approval-actions">
      ${buttons.map(b => html`<button class=${b.tone === 'primary' ? 'primary' : b.tone === 'danger' ? 'secondary danger' : 'secondary'} data-decision=${b.decision}
        title=${`${b.description} (${shortcut(DECISION_KEYS[b.decision])})`} ?disabled=${busy} @click=${() => decide(b.decision)}>${b.label}</button>`)}
      ${busy ? html`<span class="muted sending" role="status">Sent “${buttons.find(b => b.decision === vm.sentDecision)?.label ?? vm.sentDecision}”, waiting for the agent…</span>` : nothing}
    </div>`}
  </section>`;
}
