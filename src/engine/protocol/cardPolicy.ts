// What a transcript card says about itself, written once for the session panel and the web client:
// a file path as the user knows it, the state words of a file change, an item's status in words.
// Browser-safe: plain functions over protocol data, type imports only.
import type { Message } from './session';

/** A status in words (never the raw protocol value). */
export const ITEM_STATUS_WORDS: Record<NonNullable<Message['status']>, string> = {
  inProgress: 'in progress', completed: 'done', failed: 'failed', interrupted: 'interrupted', declined: 'declined',
};

/** The marker under a reply that stopped before its end (the user interrupted, or the agent stopped). */
export const INTERRUPTED_MARKER = 'Interrupted';

/** The path as the user knows it: relative to the session's folder when inside it. */
export function displayPath(p: string, cwd: string | null | undefined): string {
  if (!cwd) return p;
  const base = cwd.replace(/[\\/]+$/, '');
  if (p === base) return '.';
  for (const sep of ['/', '\\']) if (p.startsWith(base + sep)) return p.slice(base.length + 1);
  return p;
}

export interface CardHead { title: string; badge: { text: string; cls: 'warn' | 'running' | 'bad' } | null }

/** What a file change says about itself, by where it is: proposed, being applied, applied, refused. */
export function fileChangeHead(m: Message, n: number, waitingForApproval: boolean): CardHead {
  const files = n > 1 ? `${n} files` : n === 1 ? 'a file' : 'files';
  switch (m.status) {
    case 'inProgress': return waitingForApproval
      ? { title: `Wants to edit ${files}`, badge: { text: 'waiting for approval', cls: 'warn' } }
      : { title: `Editing ${files}`, badge: { text: 'applying…', cls: 'running' } };
    case 'declined': return { title: `Proposed edit of ${files}`, badge: { text: 'declined', cls: 'bad' } };
    case 'failed': return { title: `Edit of ${files}`, badge: { text: 'failed', cls: 'bad' } };
    case 'interrupted': return { title: `Edit of ${files}`, badge: { text: 'interrupted', cls: 'bad' } };
    default: return { title: n ? `Edited ${files}` : m.text, badge: null };
  }
}

/** The badge of a command card that has no exit code yet: waiting to be approved is not running. */
export function commandPendingBadge(m: Message, waitingForApproval: boolean): CardHead['badge'] {
  if (m.status !== 'inProgress') return null;
  return waitingForApproval ? { text: 'waiting for approval', cls: 'warn' } : { text: 'running…', cls: 'running' };
}

/** Whether an item is the one a pending approval of the session is about. */
export function awaitsApproval(pendingApprovals: readonly { itemId?: string | null }[], messageId: string): boolean {
  return pendingApprovals.some(a => a.itemId === messageId);
}
