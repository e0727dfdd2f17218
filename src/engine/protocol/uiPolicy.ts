// The UI policy every client applies: which decisions an approval offers, what a session waiting
// for its terminal says instead, and what "needs you" means. Written once and imported by the
// session panel, the web client, the tree, the notifications, the status bar and the palette, so
// no two surfaces disagree. Browser-safe: plain functions over protocol data, type imports only.
import type { ApprovalDecision, Autonomy, FileChange, PendingApproval, PendingQuestion, ReviewComment, Session, SessionConflict } from './session';

export interface DecisionAction {
  decision: ApprovalDecision;
  /** Button / menu label: the one vocabulary of every surface. */
  label: string;
  /** What the decision does, for tooltips and pickers (explains "for session" against "always"). */
  description: string;
  tone: 'primary' | 'secondary' | 'danger';
}

/** Every decision a client can show, in display order. */
export const DECISION_ACTIONS: readonly DecisionAction[] = [
  { decision: 'approved', label: 'Approve', description: 'Approve this request once', tone: 'primary' },
  { decision: 'approved_for_session', label: 'Approve for session', description: 'Approve this and similar requests until this session ends', tone: 'secondary' },
  { decision: 'approved_always', label: 'Always approve', description: 'Approve and remember the rule for future sessions too', tone: 'secondary' },
  { decision: 'denied', label: 'Deny', description: 'Deny; the agent continues without it', tone: 'danger' },
  { decision: 'abort', label: 'Deny and stop', description: 'Deny and stop the turn', tone: 'danger' },
];

export const DECISION_LABELS = Object.fromEntries(DECISION_ACTIONS.map(a => [a.decision, a.label])) as Record<ApprovalDecision, string>;

/**
 * The decisions a client may offer for this approval: exactly the approval's own options (the
 * engine rejects any other), in display order. Empty when it cannot be decided from Flightdeck.
 */
export function approvalActions(a: PendingApproval): DecisionAction[] {
  return DECISION_ACTIONS.filter(x => a.options.includes(x.decision));
}

/** True when Flightdeck can answer this approval (a passive session's inferred approval cannot). */
export function isDecidableHere(a: PendingApproval): boolean {
  return approvalActions(a).length > 0;
}

/** Only a passive Codex session can be taken over (resumed as a session Flightdeck drives). */
export function canTakeOver(s: Session): boolean {
  return s.provider === 'codex' && s.mode === 'passive' && s.providerSessionId !== null;
}

export const WAITING_IN_TERMINAL = 'Waiting for approval in its terminal';

/** What a surface shows for the session's head approval: the buttons, or why there are none. */
export interface ApprovalOffer {
  approval: PendingApproval;
  /** Decision buttons; empty when the approval can only be answered where the agent runs. */
  actions: DecisionAction[];
  /** Set when there are no decisions here: one line saying where to answer, and what else works. */
  notice: string | null;
  /** Offer Take Over next to the notice. */
  takeOver: boolean;
}

export function approvalOffer(s: Session, a: PendingApproval | null = s.pendingApproval): ApprovalOffer | null {
  // An unreachable remote's approval cannot be delivered: no buttons until its engine is back.
  if (!a || s.status !== 'active' || isUnreachable(s)) return null;
  const actions = approvalActions(a);
  if (actions.length) return { approval: a, actions, notice: null, takeOver: false };
  const takeOver = canTakeOver(s);
  const notice = takeOver
    ? `${WAITING_IN_TERMINAL}: answer it there. To drive the session from here, quit it in the terminal, then Take Over.`
    : `${WAITING_IN_TERMINAL}: answer it there.`;
  return { approval: a, actions, notice, takeOver };
}

/** A one-line summary of what is being approved: the command, the files, or the tool. */
export function approvalSubject(a: PendingApproval): string {
  if (a.command) return a.cwd ? `${a.command} (in ${a.cwd})` : a.command;
  if (a.changes?.length) return a.changes.map(c => c.path).join(', ');
  if (a.toolName) return a.toolName;
  return a.kind === 'fileChange' ? 'file changes' : a.kind === 'exec' ? 'a command' : 'a tool';
}

/**
 * "Needs you": an active session with an approval or a question actually pending. The attention
 * count, the view badge, the status bar and the web client's "needs you" all come from here.
 */
export function needsAttention(s: Session): boolean {
  if (s.status !== 'active' || isUnreachable(s)) return false;
  if (s.workStatus === 'needsApproval') return s.pendingApprovals.length > 0 || s.pendingApproval !== null;
  if (s.workStatus === 'needsAnswer') return s.pendingQuestion !== null;
  return false;
}

export function attentionCount(sessions: Iterable<Session>): number {
  let n = 0;
  for (const s of sessions) if (needsAttention(s)) n++;
  return n;
}

/** "2 sessions need you" — the tooltip of every count. */
export function attentionLabel(n: number): string {
  return `${n} session${n === 1 ? '' : 's'} need${n === 1 ? 's' : ''} you`;
}

/**
 * What a watched (passive) session shows instead of a message box, in the VS Code panel and the web
 * client alike: why it is read-only, and Take Over where that is possible. Null: a message box.
 */
export function readOnlyNotice(s: Session): { text: string; takeOver: boolean } | null {
  if (s.mode !== 'passive') return null;
  const canTake = canTakeOver(s);
  // One Take Over button per surface: while the approval card above offers it, the notice only explains.
  const takeOver = canTake && !approvalOffer(s)?.takeOver;
  const why = 'Read-only: this session was started outside Flightdeck, which watches it.';
  if (s.provider === 'claude') return { takeOver, text: `${why} Reply in the terminal where it runs; its approvals can be decided here.` };
  return {
    takeOver,
    text: canTake
      ? `${why} Take it over to drive it from here (its thread is resumed here; quit it in the terminal first).`
      : `${why} Reply in the terminal where it runs.`,
  };
}

// ---- one vocabulary: groups, modes, providers (tree, panel, notifications, web client) ----------

export type GroupId = 'attention' | 'working' | 'recent' | 'unreachable' | 'ended';

export const GROUPS: readonly { id: GroupId; label: string; expanded: boolean }[] = [
  { id: 'attention', label: 'Needs attention', expanded: true },
  { id: 'working', label: 'Working', expanded: true },
  { id: 'recent', label: 'Recent', expanded: true },
  { id: 'unreachable', label: 'Unreachable', expanded: true },
  { id: 'ended', label: 'Ended', expanded: false },
];

export function groupOf(s: Session): GroupId {
  if (s.status === 'ended') return 'ended';
  if (isUnreachable(s)) return 'unreachable';
  if (needsAttention(s)) return 'attention';
  return s.workStatus === 'working' ? 'working' : 'recent';
}

export const PROVIDER_LABELS: Record<Session['provider'], string> = { codex: 'Codex', claude: 'Claude Code' };

/** "Direct" (Flightdeck drives it) and "Passive" (started elsewhere, watched): the words of every surface. */
export const MODE_LABELS: Record<Session['mode'], string> = { direct: 'Direct', passive: 'Passive' };
export const MODE_DESCRIPTIONS: Record<Session['mode'], string> = {
  direct: 'Direct: Flightdeck drives this session',
  passive: 'Passive: started outside Flightdeck, which watches it',
};

/** A session's work status in words, the same on every surface (the tree writes them in lower case). */
export const WORK_STATUS_LABELS: Record<Session['workStatus'], string> = {
  working: 'Working', waiting: 'Waiting for you', needsApproval: 'Needs approval', needsAnswer: 'Needs an answer', idle: 'Idle',
};
export const ENDED_LABEL = 'Ended';

// ---- hosts (issue 20): sessions of a remote engine this one joined --------------------------------

/** What a session of a remote engine that cannot be reached says instead of its work status. */
export const UNREACHABLE_LABEL = 'Unreachable';

/** The panel's title for a remote session opened while its engine cannot be reached (nothing loaded yet). */
export const UNREACHABLE_SESSION_TITLE = 'Session on an engine that cannot be reached';

/** Where the transcript of such a session is, after why it cannot be loaded now (the engine's error). */
export function unreachableTranscriptText(why: string): string {
  const reason = why.charAt(0).toUpperCase() + why.slice(1);
  return `${reason}: its transcript loads here when that engine is reachable again.`;
}

/** A session another engine owns (session.host set): its files and processes are on that machine. */
export function isRemote(s: Pick<Session, 'host'>): boolean {
  return !!s.host;
}

/**
 * A live session whose engine cannot be reached now: shown as unreachable — not ended (it may well
 * still run there), not working, not waiting for a decision nobody could deliver. An ended one stays ended.
 */
export function isUnreachable(s: Pick<Session, 'host' | 'status'>): boolean {
  return !!s.host && !s.host.reachable && s.status !== 'ended';
}

/** The host's name where a surface names it; null for a session of this machine (nothing shown). */
export function hostLabel(s: Pick<Session, 'host'>): string | null {
  return s.host?.name ?? null;
}

/** The status words of every surface: "Unreachable", "Ended", else the work status. */
export function statusLabel(s: Session): string {
  if (s.status === 'ended') return ENDED_LABEL;
  return isUnreachable(s) ? UNREACHABLE_LABEL : WORK_STATUS_LABELS[s.workStatus];
}

/** One line on where the session runs, for tooltips and the panel header; null for this machine. */
export function hostDescription(s: Pick<Session, 'host' | 'status'>): string | null {
  if (!s.host) return null;
  return isUnreachable(s)
    ? `On ${s.host.name}, whose engine cannot be reached: shown as last seen until it reconnects`
    : `On ${s.host.name}: its engine owns this session, its files and processes`;
}

/** Why a local-file action (open the file, reveal the folder, resume in a terminal here) is not offered. */
export function remoteFilesNotice(s: Pick<Session, 'host'>): string | null {
  return s.host ? `The session's files are on ${s.host.name}, not on this machine.` : null;
}

// ---- conflict radar (issue 18): another live session edits the same files in this checkout ---------

/** The short word of the tree row and the web client's badge. */
export const CONFLICT_LABEL = 'Conflict';
/** The notification's and the panel banner's button that opens the other session. */
export const OPEN_OTHER_SESSION_LABEL = 'Open Other Session';

/** The session's conflicts (absent, null and [] all mean none). */
export function conflictsOf(s: Pick<Session, 'conflicts'>): SessionConflict[] {
  return s.conflicts ?? [];
}

/** A file as a surface names it: relative to the session's folder when inside it, else the whole path. */
export function conflictFileLabel(file: string, cwd: string | null | undefined): string {
  const base = cwd?.replace(/[\\/]+$/, '');
  return base && file.startsWith(`${base}/`) ? file.slice(base.length + 1) : file;
}

/** "a.ts, b.ts" (at most `max` names, then "and N more"). */
export function conflictFilesText(c: SessionConflict, cwd: string | null | undefined, max = 3): string {
  const names = c.files.map(f => conflictFileLabel(f, cwd));
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/** One line per other session, the same words in the tree's tooltip, the panel banner, the web client and the notification. */
export function conflictText(c: SessionConflict, cwd: string | null | undefined): string {
  return `“${c.displayName}” also edits ${conflictFilesText(c, cwd)} in this checkout`;
}

/** The whole warning of a session, or null when it has none. */
export function conflictSummary(s: Pick<Session, 'conflicts' | 'cwd'>): string | null {
  const list = conflictsOf(s);
  return list.length ? list.map(c => conflictText(c, s.cwd)).join('; ') : null;
}

/** One key per pair of sessions, the same from either side: a conflict is notified once, not once per session. */
export function conflictPairKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}

/** The button that makes a passive Codex session direct (the command's title without "Session"). */
export const TAKE_OVER_LABEL = 'Take Over';

/**
 * Words a surface must not use any more: each one had a second name for something above. The
 * vocabulary test (test/unit/vocabulary.test.ts) greps every client for them.
 */
export const RETIRED_WORDS: readonly { pattern: RegExp; use: string }[] = [
  { pattern: /['"`>]Needs you['"`<]/, use: `the group "${'Needs attention'}"` },
  { pattern: /label: 'Active'|['"`>]Active['"`<]/, use: 'the groups "Working" / "Recent"' },
  { pattern: /['"`>]Always['"`<]/, use: '"Always approve"' },
  { pattern: /\bWatched session\b|['"`>]Watching['"`<]/, use: '"Passive" (MODE_LABELS)' },
  { pattern: /['"`>]Take over['"`<]/, use: `"${'Take Over'}" (TAKE_OVER_LABEL)` },
  { pattern: /has a question/, use: '"Needs an answer"' },
];

/** SPEC §4: the autonomy levels as every surface names them. */
export const AUTONOMY_LABELS: Record<Autonomy, string> = {
  suggest: 'Suggest', autoEdit: 'Auto Edit', fullAuto: 'Full Auto', fullAccess: 'Full Access',
};

/** What each level means to the user, where a level is chosen. */
export const AUTONOMY_DESCRIPTIONS: Record<Autonomy, string> = {
  suggest: 'Asks before running anything (untrusted, workspace-write)',
  autoEdit: 'Edits and runs in the workspace, asks when it needs more (on-request, workspace-write)',
  fullAuto: 'Never asks; sandboxed to the workspace (never, workspace-write)',
  fullAccess: 'Never asks; no sandbox (never, danger-full-access)',
};

/** What answer_question sends: per question id, one string or (multi-select) a list. */
export type QuestionAnswers = Record<string, string | string[]>;

/**
 * The answer of a question card, built the same way by the panel and the web client: a multi-select
 * question answers the options picked plus the typed text, as a list; a single-select one answers
 * one string — the typed text when there is some (it is the user's own answer), else the option
 * picked. A question with neither is listed in `missing` (by its text) and nothing should be sent.
 */
export function buildAnswers(
  q: PendingQuestion, picked: (questionPartId: string) => readonly string[], typed: (questionPartId: string) => string | undefined,
): { answers: QuestionAnswers; missing: string[] } {
  const answers: QuestionAnswers = {};
  const missing: string[] = [];
  for (const part of q.questions) {
    const options = [...picked(part.id)];
    const text = typed(part.id)?.trim() ?? '';
    if (part.multiSelect) answers[part.id] = text ? [...options, text] : options;
    else answers[part.id] = text || options[0] || '';
    if (!options.length && !text) missing.push(part.question);
  }
  return { answers, missing };
}

/** Lines added and removed by a unified diff (its ---/+++ headers not counted). */
export function diffStats(diff: string): { added: number; removed: number } {
  let added = 0, removed = 0;
  for (const line of diff.split('\n')) {
    if (line.startsWith('+++') || line.startsWith('---')) continue;
    if (line.startsWith('+')) added++;
    else if (line.startsWith('-')) removed++;
  }
  return { added, removed };
}

/** The turn's changes as every surface sums them up: "Changes in this turn", files, +added −removed. */
export function turnChangesSummary(changes: readonly FileChange[]): { title: string; files: string; added: number; removed: number } {
  const totals = changes.map(c => diffStats(c.diff)).reduce((a, b) => ({ added: a.added + b.added, removed: a.removed + b.removed }), { added: 0, removed: 0 });
  return { title: 'Changes in this turn', files: `${changes.length} file${changes.length === 1 ? '' : 's'}`, ...totals };
}

/** What the send button does: a message sent while the agent works steers the running turn. */
export function sendLabel(s: Session): 'Send' | 'Steer' {
  return s.workStatus === 'working' ? 'Steer' : 'Send';
}

// ---- review comments sent to the agent (issue 18) ------------------------------------------------

/** The command and button that send the pending review comments of a session. */
export const SEND_REVIEW_LABEL = 'Send to Agent';
/** The same for a passive session: it is taken over first (Flightdeck then drives it). */
export const TAKE_OVER_AND_SEND_LABEL = 'Take Over and Send';

/** The head of a review card in every client, e.g. "Review · 2 comments". */
export function reviewTitle(comments: readonly ReviewComment[]): string {
  return `Review · ${comments.length} comment${comments.length === 1 ? '' : 's'}`;
}

/** Where a comment sits, as every client shows it: "src/app.ts:12", "src/app.ts:3 (before)" on the original side. */
export function reviewWhere(c: ReviewComment): string {
  return `${c.path}:${c.line}${c.side === 'original' ? ' (before)' : ''}`;
}
