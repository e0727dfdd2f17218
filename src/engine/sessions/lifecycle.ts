// SPEC §2 lifecycle numbers, and the startup rules as a pure function over a restored session.
import type { Session } from '../protocol';
import type { SessionEvent } from './events';

export const LIFECYCLE = {
  /** A passive Codex session with no activity this long is ended with reason `timeout`. */
  passiveInactivityMs: 120_000,
  /** At startup, passive sessions idle longer than this are ended (`startup_stale_passive`). */
  startupStalePassiveMs: 15 * 60_000,
  /** A Claude session counts as live this long after its last hook event. */
  claudeLiveMs: 300_000,
  /** How many recent sessions are restored at startup. */
  restoreLimit: 1_000,
} as const;

export const END_REASONS = {
  timeout: 'timeout',
  user: 'user',
  startupStalePassive: 'startup_stale_passive',
  startupEmptyShell: 'startup_empty_shell',
  providerEnded: 'provider_ended',
  /** The process of a passive session is gone (nothing holds its file) while it had work open. */
  agentStopped: 'agent_stopped',
  /** A `codex exec` run finished its turn: the process exits with it, so the session is done. */
  execFinished: 'exec_finished',
  /** SPEC §11: a past session imported from a file the live rules did not pick up. */
  history: 'history',
  /** SPEC §11: imported from `$CODEX_HOME/archived_sessions/`. */
  archived: 'archived',
} as const;

/** An imported past session that no live rule has touched since: not restored at startup, never needs attention. */
export function isHistorySession(s: { status: string; endReason: string | null }): boolean {
  return s.status === 'ended' && (s.endReason === END_REASONS.history || s.endReason === END_REASONS.archived);
}

/** Why an approval stopped being pending without a decision made here: shown in the transcript. */
export const CLEAR_REASONS = {
  terminalAnswered: 'the terminal answered',
  agentStopped: 'the agent stopped',
  hookClosed: 'answered in its terminal, or Claude stopped',
  engineRestarted: 'Flightdeck restarted while Claude waited; Claude asks in its terminal',
  turnEnded: 'the turn ended',
  sessionEnded: 'the session ended',
} as const;

/** The words for an approval that an end of the session took away. */
export function clearReasonForEnd(endReason: string): string {
  return endReason === END_REASONS.user ? CLEAR_REASONS.sessionEnded : endReason === END_REASONS.execFinished ? CLEAR_REASONS.turnEnded : CLEAR_REASONS.agentStopped;
}

/**
 * How long a session may stay without activity before the engine looks at it again, or null for
 * never. Codex passive sessions: 120 s (SPEC §2: we choose "ended", reason `timeout`; the next line
 * in the rollout reactivates them) — see idleVerdict for what happens then. Direct sessions live as
 * long as Flightdeck drives them; Claude sessions end on SessionEnd, and idle ones are handled by
 * the startup rules.
 */
export function inactivityTimeoutMs(s: Session): number | null {
  if (s.provider === 'codex' && s.mode === 'passive') return LIFECYCLE.passiveInactivityMs;
  return null;
}

/** What the engine knows about a passive session when its idle time is up. */
export interface IdleFacts {
  /** A tool call of the open turn has no output yet (a long command is running). */
  openCall: boolean;
  /** Whether a process still holds the session's file open; null when the platform cannot tell. */
  processAlive: boolean | null;
}

export type IdleVerdict =
  | { action: 'end'; reason: string }
  /** Still busy or still waiting for the user: look again after another idle period. */
  | { action: 'keep' };

/**
 * A passive Codex session was quiet for 120 s. The idle rule applies from the turn's last completed
 * item: a tool call still running, or an open turn of a process that is still there, keeps the
 * session working; an approval or question keeps it waiting for the user — unless the process is
 * gone, then nobody can answer it any more ("the agent stopped"). Otherwise: ended, `timeout`.
 */
export function idleVerdict(s: Session, f: IdleFacts): IdleVerdict {
  const busy = awaitsUser(s) || f.openCall || (s.currentTurnId !== null && f.processAlive === true);
  if (!busy) return { action: 'end', reason: END_REASONS.timeout };
  if (f.processAlive === false) return { action: 'end', reason: END_REASONS.agentStopped };
  return { action: 'keep' };
}

export function awaitsUser(s: Session): boolean {
  return s.pendingApprovals.length > 0 || s.pendingQuestion !== null || s.workStatus === 'needsApproval' || s.workStatus === 'needsAnswer';
}

/**
 * What happens to a restored session at startup, as events for the reducer (in order). A passive
 * Codex session follows its file: a turn the file says is open stays open (its idle check decides
 * later, knowing whether the process still runs). A Claude approval cannot outlive the engine: the
 * hook request that held it closed with the old engine, and Claude asks in its own terminal.
 */
export function startupEvents(s: Session, now: number): SessionEvent[] {
  const events: SessionEvent[] = [];
  const passiveCodex = s.provider === 'codex' && s.mode === 'passive';
  // Codex sessions follow their rollout: the watcher (passive) and the direct connector, which first
  // re-reads the turn that was open (SPEC §7), close what the file says is over.
  if (s.workStatus === 'working' && s.provider !== 'codex') events.push({ type: 'restored' });
  if (s.provider === 'claude' && s.pendingApprovals.length) events.push({ type: 'approvalCleared', reason: CLEAR_REASONS.engineRestarted });
  if (s.status !== 'active') return events;
  const idleMs = now - Date.parse(s.lastActivityAt);
  if (passiveCodex && idleMs > LIFECYCLE.startupStalePassiveMs && !awaitsUser(s) && s.currentTurnId === null) {
    events.push({ type: 'ended', reason: END_REASONS.startupStalePassive });
  } else if (s.provider === 'claude' && !s.firstPrompt && idleMs > LIFECYCLE.claudeLiveMs) {
    events.push({ type: 'ended', reason: END_REASONS.startupEmptyShell });
  }
  return events;
}
