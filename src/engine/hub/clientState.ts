// What a client holds, rebuilt from server messages: the session list and the sessions it follows,
// each with its transcript. Browser-safe (no Node imports): the web client uses it, and the tests use
// it to check that every client ends up with the engine's state. Delta rule (SPEC §8): a missing
// key means unchanged, null means cleared.
import type { Message, ServerMessage, Session } from '../protocol';

export interface SessionView {
  session: Session;
  /** The newest revision applied; what a reconnecting client sends as sinceRevision. */
  revision: number;
  /** Transcript by id; ordered by seq when read through orderedMessages. */
  messages: Map<string, Message>;
  /** Older history exists on the server (load_messages pages it). */
  hasMore: boolean;
}

export class ClientState {
  readonly list = new Map<string, Session>();
  listRevision = 0;
  readonly views = new Map<string, SessionView>();

  /** Applies one server message; returns the session id it touched (or 'list'), null if none. */
  apply(m: ServerMessage): string | null {
    switch (m.type) {
      case 'welcome':
        return null;
      case 'sessions_list':
        this.list.clear();
        for (const s of m.sessions) this.list.set(s.id, s);
        this.listRevision = m.revision;
        return 'list';
      case 'session_created':
        this.list.set(m.session.id, m.session);
        this.listRevision = Math.max(this.listRevision, m.listRevision);
        return 'list';
      case 'session_removed':
        this.list.delete(m.sessionId);
        this.views.delete(m.sessionId);
        this.listRevision = Math.max(this.listRevision, m.listRevision);
        return 'list';
      case 'session_snapshot':
        this.views.set(m.session.id, {
          session: m.session, revision: m.revision, hasMore: m.hasMore,
          messages: new Map(m.messages.map(x => [x.id, x])),
        });
        this.list.set(m.session.id, m.session);
        return m.session.id;
      case 'session_delta': {
        const listed = this.list.get(m.sessionId);
        if (listed) this.list.set(m.sessionId, { ...listed, ...m.changes, revision: m.revision });
        this.listRevision = Math.max(this.listRevision, m.listRevision);
        const v = this.views.get(m.sessionId);
        if (v && m.revision >= v.revision) {
          v.session = { ...v.session, ...m.changes, revision: m.revision };
          v.revision = m.revision;
        }
        return m.sessionId;
      }
      case 'message_appended': {
        const v = this.views.get(m.sessionId);
        if (!v) return null;
        v.messages.set(m.message.id, m.message);
        this.bump(v, m.revision);
        return m.sessionId;
      }
      case 'message_updated': {
        const v = this.views.get(m.sessionId);
        if (!v) return null;
        const prev = v.messages.get(m.message.id);
        // An update to an item older than what this client holds changes nothing it shows.
        if (prev) v.messages.set(m.message.id, { ...prev, ...m.message });
        this.bump(v, m.revision);
        return m.sessionId;
      }
      case 'tokens_updated': {
        const v = this.views.get(m.sessionId);
        if (!v) return null;
        v.session = { ...v.session, tokenUsage: m.tokenUsage, contextFill: m.contextFill };
        this.bump(v, m.revision);
        return m.sessionId;
      }
      case 'approval_requested':
      case 'session_ended': {
        // The state change itself arrives in the session_delta of the same revision.
        const v = this.views.get(m.sessionId);
        if (v) this.bump(v, m.revision);
        return m.sessionId;
      }
      case 'messages_page': {
        const v = this.views.get(m.sessionId);
        if (!v) return null;
        for (const x of m.messages) if (!v.messages.has(x.id)) v.messages.set(x.id, x);
        v.hasMore = m.hasMore;
        return m.sessionId;
      }
      case 'message': {
        const v = this.views.get(m.message.sessionId);
        if (v) v.messages.set(m.message.id, m.message);
        return v ? m.message.sessionId : null;
      }
      default:
        return null;
    }
  }

  /** The list with sessions that need the user first (approval or question), then most recent. */
  sortedList(): Session[] {
    const rank = (s: Session) => (s.status === 'active' && (s.workStatus === 'needsApproval' || s.workStatus === 'needsAnswer') ? 0 : s.status === 'active' ? 1 : 2);
    return [...this.list.values()].sort((a, b) => rank(a) - rank(b) || b.lastActivityAt.localeCompare(a.lastActivityAt) || a.id.localeCompare(b.id));
  }

  orderedMessages(sessionId: string): Message[] {
    const v = this.views.get(sessionId);
    return v ? [...v.messages.values()].sort((a, b) => a.seq - b.seq) : [];
  }

  private bump(v: SessionView, revision: number): void {
    if (revision > v.revision) {
      v.revision = revision;
      v.session = { ...v.session, revision };
    }
  }
}
