// Every file changed in the current turn (session.turnDiff), each with an "Open diff" button.
import { html, nothing } from 'lit';
import { turnChangesSummary } from '../../../src/engine/protocol/uiPolicy';
import type { FileChange } from '../types';
import { fileRowTemplate } from './messageView';

export function changesTemplate(changes: FileChange[], open: boolean, setOpen: (open: boolean) => void, openDiff: (c: FileChange) => void, cwd: string | null = null) {
  if (!changes.length) return nothing;
  const totals = turnChangesSummary(changes);
  return html`<details class="changes" ?open=${open} @toggle=${(e: Event) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
    <summary><span class="title">${totals.title}</span>
      <span class="muted">${totals.files}</span>
      <span class="stat add">+${totals.added}</span><span class="stat del">−${totals.removed}</span></summary>
    <div class="changes-list">${changes.map(c => fileRowTemplate(c, () => openDiff(c), cwd))}</div>
  </details>`;
}
