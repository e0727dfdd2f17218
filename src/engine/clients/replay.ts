// Per-session replay buffer (SPEC §8): the last N events of each session, so a client that
// reconnects with its last revision gets exactly what it missed instead of a full snapshot.
import type { EngineEvent } from '../sessions/bus';

export type SessionEvent = Extract<EngineEvent, { sessionId: string; revision: number }>;

export const REPLAY_EVENTS_PER_SESSION = 1_000;

export function isSessionEvent(e: EngineEvent): e is SessionEvent {
  return 'sessionId' in e && 'revision' in e;
}

interface SessionLog {
  events: SessionEvent[];
  /** Every event with a revision above this is in `events` (what a catch-up needs to be exact). */
  completeAfter: number;
}

export class ReplayBuffer {
  private logs = new Map<string, SessionLog>();
  constructor(private capacity = REPLAY_EVENTS_PER_SESSION) {}

  record(e: SessionEvent): void {
    let log = this.logs.get(e.sessionId);
    // The engine publishes at least one event per revision, so the first one recorded starts a
    // complete history (the buffer is attached before the engine produces events).
    if (!log) { log = { events: [], completeAfter: e.revision - 1 }; this.logs.set(e.sessionId, log); }
    log.events.push(e);
    // Trim in blocks so the common push stays O(1). A revision may be cut in the middle: only
    // revisions above the last dropped one stay complete.
    if (log.events.length > this.capacity * 1.25) {
      const drop = log.events.length - this.capacity;
      log.completeAfter = Math.max(log.completeAfter, log.events[drop - 1].revision);
      log.events = log.events.slice(drop);
    }
  }

  /**
   * Events after `sinceRevision`, or null when the buffer no longer reaches back that far (the
   * client then needs a fresh snapshot).
   */
  since(sessionId: string, sinceRevision: number, currentRevision: number): SessionEvent[] | null {
    if (sinceRevision === currentRevision) return [];
    if (sinceRevision > currentRevision) return null;
    const log = this.logs.get(sessionId);
    if (!log || sinceRevision < log.completeAfter) return null;
    return log.events.filter(e => e.revision > sinceRevision);
  }

  drop(sessionId: string): void { this.logs.delete(sessionId); }
}
