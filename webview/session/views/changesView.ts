// Every file changed in the current turn (session.turnDiff), each with an "Open diff" button.
import { html, nothing } from 'lit';
import { diffStats } from '../format';
import type { FileChange } from '../types';
import { fileRowTemplate } from './messageView';

export function changesTemplate(changes: FileChange[], open: boolean, setOpen: (open: boolean) => void, openDiff: (c: FileChange) => void, cwd: string | null = null) {
  if (!changes.length) return nothing;
  const totals = changes.map(c => diffStats(c.diff)).reduce((a, b) => ({ added: a.added + b.added, removed: a.removed + b.removed }), { added: 0, removed: 0 });
  return html`<details class="changes" ?open=${open} @toggle=${(e: Event) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
    <summary><span class="title">Changes in this turn</span>
      <span class="muted">${changes.length} file${changes.length === 1 ? '' : 's'}</span>
      <span class="stat add">+${totals.added}</span><span class="stat del">−${totals.removed}</span></summary>
    <div class="changes-list">${changes.map(c => fileRowTemplate(c, () => openDiff(c), cwd))}</div>
  </details>`;
}
