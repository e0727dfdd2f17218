// The message box of direct sessions: Enter sends (also while the agent works: that steers it),
// Shift+Enter adds a line, Up/Down walk the history, Esc interrupts. Passive sessions get an
// explanation instead, and "Take Over" for Codex ones.
import { html, nothing } from 'lit';
import { TAKE_OVER_LABEL, hostDescription, isUnreachable, readOnlyNotice, sendLabel } from '../../../src/engine/protocol/uiPolicy';
import { shortcut } from '../format';
import type { Session } from '../types';

export interface ComposerActions {
  send(text: string): void;
  interrupt(): void;
  takeOver(): void;
  resume(): void;
  /** Older (-1) or newer (+1) history entry for the current draft, or null to stay. */
  history(direction: -1 | 1, draft: string): string | null;
}

function onKeyDown(e: KeyboardEvent, actions: ComposerActions) {
  const box = e.currentTarget as HTMLTextAreaElement;
  if (e.key === 'Enter' && !e.shiftKey && !e.ctrlKey && !e.metaKey && !e.altKey && !e.isComposing) {
    e.preventDefault();
    const text = box.value.trim();
    if (text) { actions.send(text); box.value = ''; }
    return;
  }
  // History only from the first / last line, so multi-line drafts keep normal cursor movement.
  const atStart = !box.value.slice(0, box.selectionStart).includes('\n');
  const atEnd = !box.value.slice(box.selectionEnd).includes('\n');
  if ((e.key === 'ArrowUp' && atStart) || (e.key === 'ArrowDown' && atEnd)) {
    const next = actions.history(e.key === 'ArrowUp' ? -1 : 1, box.value);
    if (next !== null) { e.preventDefault(); box.value = next; box.setSelectionRange(next.length, next.length); }
  }
}

export function composerTemplate(s: Session, actions: ComposerActions) {
  // A remote engine that cannot be reached takes no message: say so instead of a box that would fail.
  if (isUnreachable(s)) return html`<div class="composer passive unreachable" role="status"><p>${hostDescription(s)}.</p></div>`;
  const readOnly = readOnlyNotice(s);
  if (readOnly) {
    return html`<div class="composer passive" role="note">
      <p>${readOnly.text}</p>
      ${readOnly.takeOver ? html`<button class="primary" @click=${actions.takeOver}>${TAKE_OVER_LABEL}</button>` : nothing}
    </div>`;
  }
  if (s.status === 'ended') {
    return html`<div class="composer passive" role="note"><p>This session has ended${s.endReason ? ` (${s.endReason})` : ''}.</p>
      <button class="secondary" @click=${actions.resume}>Resume</button></div>`;
  }
  const working = s.workStatus === 'working';
  return html`<div class="composer">
    <textarea class="composer-input" rows="2" aria-label="Message to the agent"
      placeholder=${working ? 'Steer the agent… (Enter to send, Esc to interrupt)' : 'Message the agent… (Enter to send, Shift+Enter for a new line)'}
      @keydown=${(e: KeyboardEvent) => onKeyDown(e, actions)}></textarea>
    <div class="composer-actions">
      ${working ? html`<button class="secondary" title=${`Interrupt the turn (Esc)`} @click=${actions.interrupt}>Interrupt</button>` : nothing}
      <button class="primary" title=${`Send (Enter)${working ? ' — steers the running turn' : ''}`} @click=${(e: Event) => {
        const box = (e.currentTarget as HTMLElement).closest('.composer')!.querySelector('textarea')!;
        const text = box.value.trim();
        if (text) { actions.send(text); box.value = ''; }
        box.focus();
      }}>${sendLabel(s)}</button>
    </div>
    <span class="hint muted">${shortcut('Ctrl+Enter')} approves, Esc interrupts</span>
  </div>`;
}
