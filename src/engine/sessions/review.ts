// Review comments (issue 18) as the one message the agent gets, and the record that lets the engine
// recognise that message when the agent echoes it back as a user item, so the transcript shows the
// review once, as a review. Pure except for the small per-session memory.
import type { ReviewComment } from '../protocol';

/** Reviews sent and not echoed yet, per session; older ones are dropped (their echo never came). */
const MAX_PENDING = 20;

/**
 * The message text: stable and readable for the model and for a person reading the transcript
 * elsewhere (Codex's own TUI, the rollout). One line per comment; a body's further lines indented.
 */
export function reviewText(comments: readonly ReviewComment[]): string {
  const lines = comments.map(c => {
    const where = `${c.path}:${c.line}${c.side === 'original' ? ' (before the change)' : ''}`;
    const [first, ...rest] = c.body.trim().split(/\r?\n/);
    return [`- ${where} — ${first}`, ...rest.map(l => `  ${l}`)].join('\n');
  });
  const n = comments.length;
  return `Review comments on your changes (${n} comment${n === 1 ? '' : 's'}); please address each:\n\n${lines.join('\n')}`;
}

/** The comments as sent: trimmed bodies, the default side left out. */
export function normalizeReview(comments: readonly ReviewComment[]): ReviewComment[] {
  return comments.map(c => ({ path: c.path, line: c.line, ...(c.side === 'original' ? { side: 'original' as const } : {}), body: c.body.trim() }));
}

export class PendingReviews {
  private readonly bySession = new Map<string, { text: string; comments: ReviewComment[] }[]>();

  add(sessionId: string, text: string, comments: ReviewComment[]): () => void {
    const list = this.bySession.get(sessionId) ?? [];
    const entry = { text, comments };
    list.push(entry);
    if (list.length > MAX_PENDING) list.shift();
    this.bySession.set(sessionId, list);
    return () => this.remove(sessionId, entry);
  }

  /** The comments of a review whose text this user item carries (taken: each echo matches once). */
  take(sessionId: string, text: string): ReviewComment[] | null {
    const list = this.bySession.get(sessionId);
    const i = list?.findIndex(e => e.text.trim() === text.trim()) ?? -1;
    if (!list || i < 0) return null;
    const [entry] = list.splice(i, 1);
    if (!list.length) this.bySession.delete(sessionId);
    return entry.comments;
  }

  forget(sessionId: string): void { this.bySession.delete(sessionId); }

  private remove(sessionId: string, entry: { text: string; comments: ReviewComment[] }): void {
    const list = this.bySession.get(sessionId);
    if (!list) return;
    const i = list.indexOf(entry);
    if (i >= 0) list.splice(i, 1);
    if (!list.length) this.bySession.delete(sessionId);
  }
}
