// Per-session replay buffer (SPEC §8): the last N events of each session, so a client that
// reconnects with its last revision gets exactly what it missed instead of a full snapshot.
import type { EngineEvent } from '../sessions/bus';

export type SessionEvent = Extract<EngineEvent, { sessionId: string; revision: number }>;

export const REPLAY_EVENTS_PER_SESSION = 1_000;

export function isSessionEvent(e: EngineEvent): e is SessionEvent {
  return 'sessionId' in e && 'revision' in e;
}

export class ReplayBuffer {
  private buffers = new Map<string, SessionEvent[]>();
  constructor(private capacity = REPLAY_EVENTS_PER_SESSION) {}

  record(e: SessionEvent): void {
    let buf = this.buffers.get(e.sessionId);
    if (!buf) { buf = []; this.buffers.set(e.sessionId, buf); }
    buf.push(e);
    // Trim in blocks so the common push stays O(1); keep whole revisions together.
    if (buf.length > this.capacity * 1.25) this.buffers.set(e.sessionId, buf.slice(buf.length - this.capacity));
  }

  /**
   * Events after `sinceRevision`, or null when the buffer no longer reaches back that far (the
   * client then needs a fresh snapshot).
   */
  since(sessionId: string, sinceRevision: number, currentRevision: number): SessionEvent[] | null {
    if (sinceRevision === currentRevision) return [];
    if (sinceRevision > currentRevision) return null;
    const buf = this.buffers.get(sessionId);
    if (!buf || buf.length === 0) return null;
    const firstRevision = buf[0].revision;
    // Events with firstRevision may be partly trimmed; only a start strictly after it is complete.
    if (sinceRevision < firstRevision) return null;
    const out = buf.filter(e => e.revision > sinceRevision);
    return out;
  }

  drop(sessionId: string): void { this.buffers.delete(sessionId); }
}
