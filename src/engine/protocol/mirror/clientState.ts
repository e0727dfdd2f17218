// What the web client (and the hub tests' clients) hold: the session list and the sessions they
// follow, through the shared mirrors of src/engine/protocol/mirror/ (the same rules as the panel and
// the sidebar tree: revisions, a gap asks for a resync, the approval queue, null clears a field).
// Browser-safe (no Node imports).
import type { ClientMessage, Message, ServerMessage, Session } from '../index';
import { ListMirror } from './listMirror';
import { SessionMirror } from './sessionMirror';
import { needsAttention } from '../uiPolicy';

/** A request the client should send because events were lost. */
export type Resubscribe = Extract<ClientMessage, { type: 'subscribe_list' | 'subscribe_session' }>;

export class ClientState {
  readonly listMirror = new ListMirror();
  /** The sessions followed (subscribe_session), one mirror each, from their first snapshot on. */
  readonly views = new Map<string, SessionMirror>();
  /** Requests to send because events were lost (takeResubscribes() empties it). */
  private pending: Resubscribe[] = [];

  get list(): ReadonlyMap<string, Session> { return this.listMirror.sessions; }
  get listRevision(): number { return this.listMirror.revision ?? 0; }

  /** Applies one server message; returns the session id it touched (or 'list'), null if none. */
  apply(m: ServerMessage): string | null {
    const list = this.listMirror.apply(m);
    if (list.resync) this.pending.push({ type: 'subscribe_list' });
    for (const id of list.removed) this.views.delete(id);
    let touched: string | null = list.reset || list.upserted.length || list.removed.length ? 'list' : null;

    const sessionId = m.type === 'session_snapshot' ? m.session.id : m.type === 'message' ? m.message.sessionId : 'sessionId' in m ? m.sessionId : undefined;
    if (!sessionId) return touched;
    let view = this.views.get(sessionId);
    if (!view && m.type === 'session_snapshot') this.views.set(sessionId, view = new SessionMirror(sessionId));
    if (!view) return touched;
    const change = view.apply(m);
    if (change.resubscribe) this.pending.push({ type: 'subscribe_session', sessionId, sinceRevision: change.resubscribe.sinceRevision });
    if (change.session || change.structure || change.reset || change.updated.length) touched = sessionId;
    return touched;
  }

  /** The requests to send now (subscribe_list / subscribe_session from the revision held), once each. */
  takeResubscribes(): Resubscribe[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  /** The list with sessions that need the user first (uiPolicy.needsAttention), then most recent. */
  sortedList(): Session[] {
    const rank = (s: Session) => (needsAttention(s) ? 0 : s.status === 'active' ? 1 : 2);
    return [...this.list.values()].sort((a, b) => rank(a) - rank(b) || b.lastActivityAt.localeCompare(a.lastActivityAt) || a.id.localeCompare(b.id));
  }

  orderedMessages(sessionId: string): Message[] {
    return [...(this.views.get(sessionId)?.messages ?? [])];
  }
}
