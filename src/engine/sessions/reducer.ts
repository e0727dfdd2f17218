// The session state machine as a plain function: (session, event, now) → new session, what changed,
// and the effects the engine must carry out. No I/O, no clock reads: `now` is passed in.
import type { Session, SessionChanges, TokenUsage, WorkStatus } from '../protocol';
import { projectNameOf } from '../protocol/projectName';
import { isoCached } from '../platform/clock';
import { withoutUndefined } from '../platform/objects';
import type { SessionEffect, SessionEvent } from './events';
import { displayNameOf, nameFromPrompt } from './naming';

export const DEFAULT_CONTEXT_WINDOW = 200_000;

export interface Transition { session: Session; changes: SessionChanges; effects: SessionEffect[] }

/** Events that mean the agent did something: they refresh lastActivityAt and revive an ended session. */
const ACTIVITY: ReadonlySet<SessionEvent['type']> = new Set([
  'userPrompt', 'activity', 'turnStarted', 'turnCompleted', 'approvalRequested', 'questionAsked', 'turnTokens', 'plan', 'turnDiff',
]);

export function contextFillOf(u: TokenUsage): number {
  return u.contextWindow > 0 ? Math.min(1, u.lastTurnInput / u.contextWindow) : 0;
}

/** Work status after a decision (SPEC §4): approved* → working, denied/abort → waiting; another queued approval wins. */
function afterDecision(queueLeft: number, decision: string, hasQuestion: boolean): WorkStatus {
  if (queueLeft > 0) return 'needsApproval';
  if (hasQuestion) return 'needsAnswer';
  return decision === 'denied' || decision === 'abort' ? 'waiting' : 'working';
}

export function reduce(session: Session, event: SessionEvent, now: number): Transition {
  const effects: SessionEffect[] = [];
  const next = applyTo({ ...session }, event, now, effects);
  const changes = diffSession(session, next);
  if (Object.keys(changes).length === 0) return { session, changes, effects };
  next.revision = session.revision + 1;
  changes.revision = next.revision;
  return { session: next, changes, effects };
}

/**
 * The event applied to `session` itself, without what changed or the effects: for a past session read
 * from its file (history import), where nothing is published, only the last state is stored, and the
 * caller owns the object. The revision moves by one per event. (A copy and a diff of the whole session
 * per line were a quarter of the import's allocations.)
 */
export function advance(session: Session, event: SessionEvent, now: number): void {
  applyTo(session, event, now, []);
  session.revision++;
}

/** `next` (a copy, or the caller's own object) with the event applied; its effects pushed onto `effects`. */
function applyTo(next: Session, event: SessionEvent, now: number, effects: SessionEffect[]): Session {

  switch (event.type) {
    case 'userPrompt': {
      if (!next.firstPrompt) next.firstPrompt = nameFromPrompt(event.text) || next.firstPrompt;
      if (next.status === 'active' && next.workStatus !== 'needsApproval' && next.workStatus !== 'needsAnswer') next.workStatus = 'working';
      break;
    }
    case 'activity':
      break;
    case 'workStatus':
      next.workStatus = event.workStatus;
      break;
    case 'turnStarted':
      next.currentTurnId = event.turnId;
      next.turnDiff = [];
      if (next.pendingApprovals.length === 0 && !next.pendingQuestion) next.workStatus = 'working';
      break;
    case 'turnCompleted':
      next.currentTurnId = null;
      // A finished turn leaves nothing to approve or answer.
      next.pendingApprovals = [];
      next.pendingQuestion = null;
      next.workStatus = 'waiting';
      break;
    case 'approvalRequested': {
      // A re-issued approval (same id, new version) keeps its place in the queue.
      const idx = next.pendingApprovals.findIndex(a => a.approvalId === event.approval.approvalId);
      next.pendingApprovals = idx < 0 ? [...next.pendingApprovals, event.approval] : next.pendingApprovals.map((a, i) => (i === idx ? event.approval : a));
      next.workStatus = 'needsApproval';
      effects.push({ type: 'approvalRequested', approval: event.approval });
      break;
    }
    case 'approvalResolved': {
      next.pendingApprovals = next.pendingApprovals.filter(a => a.approvalId !== event.approvalId);
      next.workStatus = afterDecision(next.pendingApprovals.length, event.decision, !!next.pendingQuestion);
      break;
    }
    case 'approvalCleared': {
      next.pendingApprovals = event.approvalId ? next.pendingApprovals.filter(a => a.approvalId !== event.approvalId) : [];
      if (next.workStatus === 'needsApproval' && next.pendingApprovals.length === 0) {
        next.workStatus = next.pendingQuestion ? 'needsAnswer' : 'working';
      }
      break;
    }
    case 'questionAsked':
      next.pendingQuestion = event.question;
      if (next.pendingApprovals.length === 0) next.workStatus = 'needsAnswer';
      effects.push({ type: 'questionAsked', question: event.question });
      break;
    case 'questionAnswered':
      if (!event.questionId || next.pendingQuestion?.questionId === event.questionId) {
        next.pendingQuestion = null;
        if (next.workStatus === 'needsAnswer') next.workStatus = 'working';
      }
      break;
    case 'renamed': {
      const name = event.name?.replace(/\s+/g, ' ').trim();
      next.customName = name ? name : null;
      break;
    }
    case 'turnTokens': {
      const u = next.tokenUsage;
      next.tokenUsage = {
        input: u.input + event.input, output: u.output + event.output, cached: u.cached + event.cached,
        lastTurnInput: event.input, contextWindow: event.contextWindow || u.contextWindow,
      };
      effects.push({ type: 'tokensChanged' });
      break;
    }
    case 'tokenTotals':
      next.tokenUsage = { ...next.tokenUsage, ...withoutUndefined(event.usage) };
      if (!next.tokenUsage.contextWindow) next.tokenUsage.contextWindow = DEFAULT_CONTEXT_WINDOW;
      effects.push({ type: 'tokensChanged' });
      break;
    case 'rateLimits':
      next.rateLimits = event.rateLimits;
      break;
    case 'metadata': {
      const { type: _t, ...fields } = event;
      Object.assign(next, withoutUndefined(fields));
      if (fields.cwd !== undefined) next.projectName = projectNameOf(fields.cwd);
      break;
    }
    case 'plan':
      next.plan = event.plan;
      break;
    case 'turnDiff':
      next.turnDiff = event.changes;
      break;
    case 'ended':
      if (next.status !== 'ended') {
        next.status = 'ended';
        next.workStatus = 'idle';
        next.endedAt = isoCached(now);
        next.endReason = event.reason;
        next.pendingApprovals = [];
        next.pendingQuestion = null;
        next.currentTurnId = null;
        effects.push({ type: 'ended', reason: event.reason });
      }
      break;
    case 'reactivated':
      break;
    case 'modeChanged':
      next.mode = event.mode;
      break;
    case 'restored':
      if (next.workStatus === 'working') next.workStatus = 'waiting';
      next.currentTurnId = null;
      break;
    case 'conflicts':
      // Absent and empty mean the same: keep absent, so sessions without a conflict carry no field.
      if (event.conflicts?.length) next.conflicts = event.conflicts;
      else if (next.conflicts) next.conflicts = null;
      break;
  }

  const revives = ACTIVITY.has(event.type) || event.type === 'reactivated';
  if (revives && next.status === 'ended') {
    next.status = 'active';
    next.endedAt = null;
    next.endReason = null;
    if (next.workStatus === 'idle') next.workStatus = event.type === 'userPrompt' ? 'working' : 'waiting';
    effects.push({ type: 'reactivated' });
  }
  if (ACTIVITY.has(event.type)) next.lastActivityAt = isoCached(now);

  next.pendingApproval = next.pendingApprovals[0] ?? null;
  next.contextFill = contextFillOf(next.tokenUsage);
  next.displayName = displayNameOf(next);
  return next;
}


/** The fields of b that differ from a (deep equality via JSON: session fields are plain data). */
export function diffSession(a: Session, b: Session): SessionChanges {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(b) as (keyof Session)[]) {
    if (key === 'revision') continue;
    const x = a[key], y = b[key];
    if (x === y) continue;
    if (typeof x === 'object' && typeof y === 'object' && JSON.stringify(x) === JSON.stringify(y)) continue;
    out[key] = y;
  }
  return out as SessionChanges;
}
