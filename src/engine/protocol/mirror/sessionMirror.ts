// What a client knows about one session it follows, rebuilt from server messages: the one mirror
// of a session used by every client (the panel, the web client, the tests). Browser-safe and pure
// (no DOM, no Node imports), so it bundles for the browser and is unit-tested under Node.
// Revision rule: every session event carries the session revision;
// the next event is revision + 1. The engine sends approval_requested / tokens_updated / session_ended
// right after the session_delta of the same revision, so those "companion" events are also accepted at
// the current revision. Anything older is a duplicate; anything further ahead means events were lost,
// and the client asks for a resubscribe (the engine replays what was missed or sends a fresh snapshot).
import type { Message, PendingApproval, PendingQuestion, ServerMessage, Session } from '../index';

/** What one applied server message changed, so the UI redraws only that. */
export interface StateChange {
  /** Session fields changed (header, approval, question, composer, changes view). */
  session: boolean;
  /** A snapshot replaced everything. */
  reset: boolean;
  /** The ordered transcript changed shape (items added, at the end, in the middle or before). */
  structure: boolean;
  /** Items whose content changed in place (streaming text, command output, status). */
  updated: Message[];
  /** Set when events were lost: the caller re-sends subscribe_session with these fields. */
  resubscribe: { sinceRevision?: number; reason: string } | null;
}

/** Events that follow a session_delta with the same revision (see the header comment). */
const COMPANION_TYPES = new Set(['approval_requested', 'tokens_updated', 'session_ended']);

/*
 * A remote session's reachability is the joining engine's word, not the owner's: a session_delta
 * carrying `host` restates the list's copy of the session at whatever revision that copy has (older
 * than the view's while the remote is away, newer than it right after the remote is back, before
 * the replay of what was missed arrives). It changes only `host`, never the revision: the owner's
 * events still bring everything else, in order. The owner's own deltas never carry `host`
 * (remotes/ids.ts mapChanges).
 */

function noChange(): StateChange {
  return { session: false, reset: false, structure: false, updated: [], resubscribe: null };
}

export class SessionMirror {
  private _session: Session | null = null;
  private _revision: number | null = null;
  private _messages: Message[] = [];
  private byId = new Map<string, Message>();
  private _hasMore = false;
  /** A resubscribe was asked for and neither a snapshot nor the next in-order event arrived yet. */
  private resyncRequested = false;

  constructor(readonly sessionId: string) {}

  get session(): Session | null { return this._session; }
  /** The newest revision applied; null before the first snapshot. */
  get revision(): number | null { return this._revision; }
  /** The transcript ordered by seq. */
  get messages(): readonly Message[] { return this._messages; }
  /** Older items exist on the engine (load_messages pages them). */
  get hasMore(): boolean { return this._hasMore; }
  get oldestSeq(): number | null { return this._messages.length ? this._messages[0].seq : null; }
  get pendingApproval(): PendingApproval | null {
    const s = this._session;
    return s ? s.pendingApproval ?? s.pendingApprovals[0] ?? null : null;
  }
  get pendingQuestion(): PendingQuestion | null { return this._session?.pendingQuestion ?? null; }
  message(id: string): Message | undefined { return this.byId.get(id); }

  /** The subscribe_session fields to send now: a replay request once a revision is held. */
  subscribeFields(): { sessionId: string; sinceRevision?: number } {
    return this._revision === null ? { sessionId: this.sessionId } : { sessionId: this.sessionId, sinceRevision: this._revision };
  }

  apply(m: ServerMessage): StateChange {
    switch (m.type) {
      case 'session_snapshot':
        if (m.session.id !== this.sessionId) return noChange();
        return this.applySnapshot(m.session, m.messages, m.hasMore, m.revision);
      case 'messages_page':
        return m.sessionId === this.sessionId ? this.applyPage(m.messages, m.hasMore) : noChange();
      case 'message':
        return m.message.sessionId === this.sessionId ? this.applyFullMessage(m.message) : noChange();
      case 'resync':
        if (m.sessionId !== this.sessionId || this._revision === null) return noChange();
        return this.requestResync(`engine asked to resync: ${m.reason}`);
      case 'session_delta':
      case 'session_ended':
      case 'message_appended':
      case 'message_updated':
      case 'approval_requested':
      case 'tokens_updated':
        if (m.sessionId !== this.sessionId) return noChange();
        return this.applyEvent(m);
      default:
        return noChange();
    }
  }

  private applyEvent(m: Extract<ServerMessage, { sessionId: string; revision: number }>): StateChange {
    // Before the first snapshot there is nothing to apply an event to; the snapshot will include it.
    if (this._revision === null || !this._session) return noChange();
    const expected = this._revision + 1;
    if (m.type === 'session_delta' && m.changes.host) {
      // Reachability only: the owner's state and revision stay as they are (see the note above noChange).
      this._session = { ...this._session, host: m.changes.host };
      return { ...noChange(), session: true };
    }
    const sameRevisionCompanion = m.revision === this._revision && COMPANION_TYPES.has(m.type);
    if (m.revision > expected) {
      return this.requestResync(`missed revisions ${expected}..${m.revision - 1}`);
    }
    if (m.revision < expected && !sameRevisionCompanion) return noChange(); // duplicate or stale
    this._revision = m.revision;
    this.resyncRequested = false;
    const change = noChange();
    switch (m.type) {
      case 'session_delta': {
        const next: Record<string, unknown> = { ...this._session };
        // Missing key = unchanged, null = cleared (SPEC §8); an explicit undefined counts as missing.
        for (const [key, value] of Object.entries(m.changes)) if (value !== undefined) next[key] = value;
        this._session = { ...(next as Session), revision: m.revision };
        change.session = true;
        break;
      }
      case 'session_ended':
        this._session = { ...this._session, status: 'ended', endReason: m.reason ?? this._session.endReason, revision: m.revision };
        change.session = true;
        break;
      case 'tokens_updated':
        this._session = { ...this._session, tokenUsage: m.tokenUsage, contextFill: m.contextFill, revision: m.revision };
        change.session = true;
        break;
      case 'approval_requested':
        this._session = { ...withApproval(this._session, m.approval), revision: m.revision };
        change.session = true;
        break;
      case 'message_appended':
        this.bumpSessionRevision(m.revision);
        if (this.upsert(m.message)) change.structure = true;
        else change.updated.push(m.message);
        break;
      case 'message_updated': {
        this.bumpSessionRevision(m.revision);
        const prev = this.byId.get(m.message.id);
        // An update to an item older than the loaded window changes nothing shown.
        if (prev) {
          const merged = { ...prev };
          for (const [key, value] of Object.entries(m.message)) if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
          this.replaceInPlace(prev, merged as Message);
          change.updated.push(merged as Message);
        }
        break;
      }
    }
    return change;
  }

  private applySnapshot(session: Session, messages: Message[], hasMore: boolean, revision: number): StateChange {
    this._session = session;
    this._revision = revision;
    this._hasMore = hasMore;
    this.byId = new Map(messages.map(x => [x.id, x]));
    this._messages = [...this.byId.values()].sort((a, b) => a.seq - b.seq);
    this.resyncRequested = false;
    return { session: true, reset: true, structure: true, updated: [], resubscribe: null };
  }

  private applyPage(messages: Message[], hasMore: boolean): StateChange {
    if (this._revision === null) return noChange();
    const change = noChange();
    for (const x of messages) if (!this.byId.has(x.id) && this.upsert(x)) change.structure = true;
    this._hasMore = hasMore;
    change.session = true; // hasMore is shown above the transcript
    return change;
  }

  private applyFullMessage(full: Message): StateChange {
    const prev = this.byId.get(full.id);
    if (!prev) return noChange();
    this.replaceInPlace(prev, full);
    return { ...noChange(), updated: [full] };
  }

  private requestResync(reason: string): StateChange {
    if (this.resyncRequested) return noChange();
    this.resyncRequested = true;
    return { ...noChange(), resubscribe: { ...this.subscribeFields(), reason } };
  }

  private bumpSessionRevision(revision: number): void {
    if (this._session) this._session = { ...this._session, revision };
  }

  /** Adds or replaces an item; true when it was new (the order changed). */
  private upsert(x: Message): boolean {
    const prev = this.byId.get(x.id);
    if (prev) { this.replaceInPlace(prev, x); return false; }
    this.byId.set(x.id, x);
    const list = this._messages;
    if (!list.length || list[list.length - 1].seq <= x.seq) list.push(x);
    else list.splice(this.indexForSeq(x.seq), 0, x);
    return true;
  }

  private replaceInPlace(prev: Message, next: Message): void {
    this.byId.set(next.id, next);
    const i = this.indexOf(prev);
    if (i >= 0) this._messages[i] = next;
  }

  /** Binary search: first index whose seq is >= seq. */
  private indexForSeq(seq: number): number {
    let lo = 0, hi = this._messages.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this._messages[mid].seq < seq) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  private indexOf(x: Message): number {
    for (let i = this.indexForSeq(x.seq); i < this._messages.length && this._messages[i].seq === x.seq; i++) {
      if (this._messages[i].id === x.id) return i;
    }
    return this._messages.findIndex(y => y.id === x.id);
  }
}

/** The queue with this approval added or re-issued; the head stays the head unless it is the same approval. */
function withApproval(s: Session, a: PendingApproval): Session {
  const queue = s.pendingApprovals.some(x => x.approvalId === a.approvalId)
    ? s.pendingApprovals.map(x => (x.approvalId === a.approvalId ? a : x))
    : [...s.pendingApprovals, a];
  const head = !s.pendingApproval || s.pendingApproval.approvalId === a.approvalId ? a : s.pendingApproval;
  return { ...s, pendingApprovals: queue, pendingApproval: head };
}
