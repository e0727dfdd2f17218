// What a client knows about the session list, rebuilt from server messages: the one mirror of the
// list used by every client (the sidebar tree, the web client, the tests). Browser-safe and pure.
// Revision rule: every list event carries the list revision, the next one is revision + 1. Older
// ones are duplicates (dropped); a jump means events were lost: the change asks for a fresh list
// (subscribe_list), once, until the next sessions_list. A delta for a session not in the list asks
// the same. Delta rule (SPEC §8): a missing key means unchanged, null means cleared.
// A long list comes in pages (part 0 … parts − 1 of one revision): they are gathered and replace the
// list together at the last one; a page out of order asks for a fresh list.
import type { ServerMessage, Session } from '../index';

/** What one applied server message changed, so the client redraws only that. */
export interface ListChange {
  /** A fresh list replaced everything. */
  reset: boolean;
  /** Sessions added or changed, as they are now. */
  upserted: Session[];
  /** Sessions no longer listed. */
  removed: string[];
  /** Set when events were lost: the caller sends subscribe_list. */
  resync: { reason: string } | null;
}

const none = (): ListChange => ({ reset: false, upserted: [], removed: [], resync: null });

export class ListMirror {
  private readonly byId = new Map<string, Session>();
  private _revision: number | null = null;
  private resyncRequested = false;
  /** The pages of a long sessions_list gathered so far. */
  private paging: { revision: number; parts: number; next: number; sessions: Session[] } | null = null;

  /** The listed sessions by id (read only: apply() changes them). */
  get sessions(): ReadonlyMap<string, Session> { return this.byId; }
  /** The newest list revision applied; null before the first sessions_list. */
  get revision(): number | null { return this._revision; }
  get loaded(): boolean { return this._revision !== null; }

  apply(m: ServerMessage): ListChange {
    switch (m.type) {
      case 'sessions_list': {
        let sessions = m.sessions;
        if (m.parts !== undefined && m.parts > 1) {
          const part = m.part ?? 0;
          if (part === 0) this.paging = { revision: m.revision, parts: m.parts, next: 0, sessions: [] };
          const p = this.paging;
          if (!p || p.revision !== m.revision || p.parts !== m.parts || p.next !== part) {
            this.paging = null;
            return this.requestResync(`list page ${part} of ${m.parts} out of order`);
          }
          for (const s of m.sessions) p.sessions.push(s);
          if (++p.next < p.parts) return none();
          sessions = p.sessions;
        }
        this.paging = null;
        this.byId.clear();
        for (const s of sessions) this.byId.set(s.id, s);
        this._revision = m.revision;
        this.resyncRequested = false;
        return { ...none(), reset: true };
      }
      case 'session_created':
        return this.inOrder(m.listRevision, () => this.upsert(m.session));
      case 'session_delta': {
        const before = this.byId.get(m.sessionId);
        if (this.loaded && !before && m.listRevision > this._revision!) return this.requestResync(`a change of unknown session ${m.sessionId}`);
        return this.inOrder(m.listRevision, () => this.upsert(merge(before!, m.changes, m.revision)));
      }
      case 'session_ended': {
        // The delta before it carries the status; this only makes sure of it (no list revision of its own).
        const before = this.byId.get(m.sessionId);
        if (!before || before.status === 'ended') return none();
        return this.upsert({ ...before, status: 'ended', workStatus: 'idle', endReason: m.reason ?? before.endReason });
      }
      case 'session_removed':
        return this.inOrder(m.listRevision, () => {
          if (!this.byId.delete(m.sessionId)) return none();
          return { ...none(), removed: [m.sessionId] };
        });
      case 'resync':
        return m.sessionId ? none() : this.requestResync(`the engine asked: ${m.reason}`);
      default:
        return none();
    }
  }

  private inOrder(listRevision: number, apply: () => ListChange): ListChange {
    if (this._revision === null || listRevision <= this._revision) return none();
    if (listRevision !== this._revision + 1) return this.requestResync(`list revision ${listRevision} after ${this._revision}`);
    this._revision = listRevision;
    return apply();
  }

  private upsert(s: Session): ListChange {
    this.byId.set(s.id, s);
    return { ...none(), upserted: [s] };
  }

  private requestResync(reason: string): ListChange {
    if (this.resyncRequested) return none();
    this.resyncRequested = true;
    return { ...none(), resync: { reason } };
  }
}

/** The session with a delta's changes: missing (or undefined) keys unchanged, null cleared. */
export function merge(s: Session, changes: Partial<Session>, revision: number): Session {
  const next: Record<string, unknown> = { ...s };
  for (const [key, value] of Object.entries(changes)) if (value !== undefined) next[key] = value;
  return { ...(next as Session), revision: Math.max(revision, s.revision) };
}
