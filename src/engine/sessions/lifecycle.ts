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
} as const;

/**
 * How long a session may stay without activity before the engine ends it, or null for never.
 * Codex passive sessions end after 120 s (SPEC §2: we choose "ended", reason `timeout`; the next line
 * in the rollout reactivates them). Direct sessions live as long as Flightdeck drives them; Claude
 * sessions end on SessionEnd, and idle ones are handled by the startup rules.
 */
export function inactivityTimeoutMs(s: Session): number | null {
  // A session that waits for the user is not inactive: the agent cannot go on without an answer.
  if (s.provider === 'codex' && s.mode === 'passive' && !awaitsUser(s)) return LIFECYCLE.passiveInactivityMs;
  return null;
}

function awaitsUser(s: Session): boolean {
  return s.pendingApprovals.length > 0 || s.pendingQuestion !== null || s.workStatus === 'needsApproval' || s.workStatus === 'needsAnswer';
}

/** What happens to a restored session at startup, as events for the reducer (in order). */
export function startupEvents(s: Session, now: number): SessionEvent[] {
  const events: SessionEvent[] = [];
  if (s.workStatus === 'working') events.push({ type: 'restored' });
  if (s.status !== 'active') return events;
  const idleMs = now - Date.parse(s.lastActivityAt);
  if (s.provider === 'codex' && s.mode === 'passive' && idleMs > LIFECYCLE.startupStalePassiveMs && !awaitsUser(s)) {
    events.push({ type: 'ended', reason: END_REASONS.startupStalePassive });
  } else if (s.provider === 'claude' && !s.firstPrompt && idleMs > LIFECYCLE.claudeLiveMs) {
    events.push({ type: 'ended', reason: END_REASONS.startupEmptyShell });
  }
  return events;
}
