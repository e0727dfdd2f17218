// Review comments in the diff editor Flightdeck opens for a session's change (issue 18), with VS
// Code's Comments API: a comment on any line of either side, kept as a draft per session until
// Send to Agent (commands.ts) sends every draft of that session as one review. Drafts live in this
// window's memory only: they are the user's notes until sent; the engine sees them when sent.
import * as vscode from 'vscode';
import type { ReviewComment } from '../engine/protocol';
import type { DiffDocuments, ReviewTarget } from './diffDocuments';

export const REVIEW_CONTROLLER_ID = 'flightdeck.review';
/** Context key: a Flightdeck diff with unsent comments is open (shows Send to Agent in its title bar). */
const HAS_DRAFTS_KEY = 'flightdeck.hasReviewDrafts';

class DraftComment implements vscode.Comment {
  private static nextId = 1;
  readonly id = DraftComment.nextId++;
  readonly mode = vscode.CommentMode.Preview;
  readonly author: vscode.CommentAuthorInformation = { name: 'You' };
  readonly contextValue = 'flightdeck.draft';
  readonly label = 'not sent';
  constructor(public body: string | vscode.MarkdownString, readonly thread: vscode.CommentThread) {}
}

interface DraftThread { thread: vscode.CommentThread; target: ReviewTarget; line: number }

export class ReviewComments implements vscode.Disposable {
  readonly controller: vscode.CommentController;
  private readonly threads = new Map<vscode.CommentThread, DraftThread>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly diffs: DiffDocuments, private readonly displayName: (sessionId: string) => string) {
    this.controller = vscode.comments.createCommentController(REVIEW_CONTROLLER_ID, 'Flightdeck review');
    this.controller.options = { prompt: 'Comment for the agent', placeHolder: 'What should the agent change here? (sent with Send to Agent)' };
    this.controller.commentingRangeProvider = {
      // Every line of a session's diff, on both sides; gap markers are refused when a comment is added.
      provideCommentingRanges: doc => this.diffs.reviewTarget(doc.uri) ? [new vscode.Range(0, 0, Math.max(0, doc.lineCount - 1), 0)] : [],
    };
    this.disposables.push(
      this.controller,
      vscode.commands.registerCommand('flightdeck.reviewAddComment', (reply: vscode.CommentReply) => this.add(reply)),
      vscode.commands.registerCommand('flightdeck.reviewDeleteComment', (c: DraftComment) => this.remove(c)),
      vscode.commands.registerCommand('flightdeck.reviewDiscardThread', (t: vscode.CommentThread) => this.discardThread(t)),
    );
  }

  /** Adds a draft comment (the comment widget's Add Comment button); the message when it cannot. */
  add(reply: vscode.CommentReply): { ok: true } | { ok: false; message: string } {
    const { thread, text } = reply;
    const target = this.diffs.reviewTarget(thread.uri);
    if (!target) return this.refuse(thread, 'This diff is no longer in memory: open it again from the session to comment on it.');
    const line = target.lineOf(thread.range?.start.line ?? 0);
    if (line === null) return this.refuse(thread, 'That line stands for lines the diff does not show: comment on a line of the file.');
    if (!text.trim()) return { ok: false, message: 'Write the comment first.' };
    thread.comments = [...thread.comments, new DraftComment(text, thread)];
    thread.label = `For "${this.displayName(target.sessionId)}" · ${target.path}:${line} · not sent yet`;
    thread.contextValue = 'flightdeck.draftThread';
    thread.canReply = true;
    thread.collapsibleState = vscode.CommentThreadCollapsibleState.Expanded;
    this.threads.set(thread, { thread, target, line });
    this.updateContext();
    return { ok: true };
  }

  remove(comment: DraftComment): void {
    const thread = comment?.thread;
    if (!thread) return;
    thread.comments = thread.comments.filter(c => c !== comment);
    if (!thread.comments.length) this.discardThread(thread);
  }

  discardThread(thread: vscode.CommentThread): void {
    this.threads.delete(thread);
    thread.dispose();
    this.updateContext();
  }

  /** The session a Send to Agent entry point names: a comment thread, a diff document, or an id. */
  sessionOf(arg: unknown): string | undefined {
    if (typeof arg === 'string') return arg || undefined;
    const draft = this.threads.get(arg as vscode.CommentThread) ?? this.threads.get((arg as { thread?: vscode.CommentThread })?.thread as vscode.CommentThread);
    if (draft) return draft.target.sessionId;
    const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
    return uri ? this.diffs.reviewTarget(uri)?.sessionId : undefined;
  }

  /** Sessions with unsent comments. */
  sessionsWithDrafts(): string[] { return [...new Set([...this.threads.values()].map(d => d.target.sessionId))]; }

  /** Every unsent comment of a session, in file and line order (a reply is one more comment on its line). */
  drafts(sessionId: string): ReviewComment[] {
    return [...this.threads.values()]
      .filter(d => d.target.sessionId === sessionId)
      .sort((a, b) => a.target.path.localeCompare(b.target.path) || a.line - b.line)
      .flatMap(d => d.thread.comments.map(c => ({
        path: d.target.path, line: d.line, ...(d.target.side === 'original' ? { side: 'original' as const } : {}),
        body: typeof c.body === 'string' ? c.body : c.body.value,
      })));
  }

  /** After a send: the session's comments leave the editors. */
  clear(sessionId: string): void {
    for (const d of [...this.threads.values()]) if (d.target.sessionId === sessionId) { this.threads.delete(d.thread); d.thread.dispose(); }
    this.updateContext();
  }

  dispose(): void {
    for (const d of this.threads.values()) d.thread.dispose();
    this.threads.clear();
    for (const x of this.disposables) x.dispose();
  }

  private refuse(thread: vscode.CommentThread, message: string): { ok: false; message: string } {
    void vscode.window.showWarningMessage(message);
    if (!thread.comments.length) thread.dispose();
    return { ok: false, message };
  }

  private updateContext(): void {
    void vscode.commands.executeCommand('setContext', HAS_DRAFTS_KEY, this.threads.size > 0);
  }
}
