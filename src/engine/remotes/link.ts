// One remote engine, joined as a WebSocket client of its hub with the ordinary protocol (the same
// token check, the same zod schemas for everything it sends). The link mirrors the remote's session
// list, follows the sessions local clients opened, and hands each change to the sink with the ids
// mapped into the host's space. Nothing here waits on the remote while publishing: a message is
// handled when it arrives, and a slow or dead remote only costs its own sessions.
import WebSocket from 'ws';
import { ErrorCode, PROTOCOL_VERSION, ServerMessage, type ClientMessage, type Session } from '../protocol';
import type { ServerMessageOf } from '../protocol/messages';
import { SUBPROTOCOL } from '../hub/auth';
import type { Clock, TimerHandle } from '../platform/clock';
import type { LogFn } from '../platform/log';
import type { EngineEvent } from '../sessions/bus';
import type { SessionEvent } from '../clients/replay';
import { Backoff, type BackoffPolicy } from './backoff';
import { HOST_SEPARATOR, mapChanges, mapMessage, mapSession, toLocalId } from './ids';

export type RemoteState = 'connecting' | 'connected' | 'unreachable' | 'unauthorized';

/** What a link needs from the engine side: publishing mirrored events and the replay buffer. */
export interface LinkSink {
  /** The next list revision of this engine's combined list (local and mirrored sessions). */
  nextListRevision(): number;
  publish(e: EngineEvent): void;
  /** Records a followed session's event for replay (only while the link holds every event of it). */
  record(e: SessionEvent): void;
  dropReplay(sessionId: string): void;
  stateChanged(): void;
  /** Keeps the remote's list (its own form) so a restart can show it, as unreachable, before the remote answers. */
  saveCache(sessions: Session[]): void;
}

export interface LinkOptions {
  name: string;
  url: string;
  token: string;
  clock: Clock;
  log: LogFn;
  sink: LinkSink;
  version: string;
  backoff?: BackoffPolicy;
  /** A forwarded request with no answer within this long fails with `timeout`. */
  requestTimeoutMs?: number;
  /** The remote's list as last saved (saveCache): shown as unreachable until the remote answers. */
  cached?: Session[];
  /** The link pings the remote this often; no pong by the next ping means the path is dead (a dropped tunnel sends no close). */
  pingIntervalMs?: number;
}

/** Above this many bytes waiting to go to the remote, forwarded requests are refused, not queued. */
const MAX_SEND_QUEUE_BYTES = 4 * 1024 * 1024;
const MAX_PENDING_REQUESTS = 1_000;
const MAX_REMOTE_FRAME = 64 * 1024 * 1024;
/** At most this many of a remote's sessions are kept for the next start. */
const CACHED_SESSIONS = 500;
const COMPANION_TYPES = new Set(['approval_requested', 'tokens_updated', 'session_ended']);

type Pending = { deliver: (m: ServerMessage) => void; timer: TimerHandle };
/** A remote session this link is subscribed to: the last revision seen, and whether every event since the snapshot arrived. */
type Followed = { revision: number; complete: boolean };

export class RemoteLink {
  readonly name: string;
  readonly url: string;
  private _state: RemoteState = 'connecting';
  private _lastError: string | undefined;
  private ws: WebSocket | null = null;
  private stopped = false;
  private retry: TimerHandle | null = null;
  private readonly backoff: Backoff;
  private nextRequest = 1;
  private pending = new Map<string, Pending>();
  /** The remote's sessions as it sent them (its own ids). */
  private remote = new Map<string, Session>();
  /** The same sessions as this engine's clients were last told (mapped ids, host, masks). */
  private shown = new Map<string, Session>();
  private remoteListRevision: number | null = null;
  private paging: Session[] | null = null;
  private following = new Map<string, Followed>();
  private listRequested = false;
  private heartbeat: TimerHandle | null = null;
  private ponged = true;

  constructor(private opts: LinkOptions) {
    this.name = opts.name;
    this.url = opts.url;
    this.backoff = new Backoff(opts.backoff);
  }

  get state(): RemoteState { return this._state; }
  get lastError(): string | undefined { return this._lastError; }
  get sessions(): Iterable<Session> { return this.shown.values(); }
  sessionCount(): number { return this.shown.size; }
  shownSession(remoteId: string): Session | undefined { return this.shown.get(remoteId); }

  /** The revision up to which this engine's replay buffer holds every event of the session; null when it does not. */
  followedRevision(remoteId: string): number | null {
    const f = this.following.get(remoteId);
    return this._state === 'connected' && f?.complete ? f.revision : null;
  }

  start(): void {
    for (const s of this.opts.cached ?? []) {
      if (!ownSession(s) || this.remote.has(s.id)) continue;
      this.remote.set(s.id, s);
      const shown = unreachableView(mapSession(this.name, false, s));
      this.shown.set(s.id, shown);
      this.opts.sink.publish({ type: 'session_created', listRevision: this.opts.sink.nextListRevision(), session: shown });
    }
    this.connect();
  }

  /** Saves the remote's list as last known, newest first and bounded. */
  saveCache(): void {
    const all = [...this.remote.values()].sort((x, y) => y.lastActivityAt.localeCompare(x.lastActivityAt)).slice(0, CACHED_SESSIONS);
    this.opts.sink.saveCache(all);
  }

  /** Closes the link; its sessions leave the list (the caller publishes that). */
  stop(): void {
    this.stopped = true;
    this.retry?.cancel();
    this.retry = null;
    this.heartbeat?.cancel();
    this.heartbeat = null;
    const ws = this.ws;
    this.ws = null;
    if (ws) { ws.removeAllListeners(); ws.on('error', () => {}); ws.terminate(); }
    this.failPending('the remote engine was removed');
  }

  /** Every shown session, for removal when the remote is dropped. */
  takeShown(): Session[] {
    const all = [...this.shown.values()];
    this.shown.clear();
    this.remote.clear();
    this.following.clear();
    return all;
  }

  /**
   * Sends a request (ids already the remote's) and delivers its answer synchronously when it arrives,
   * so an answer and the events after it reach the asking client in the remote's order.
   */
  request(msg: ClientMessage, deliver: (m: ServerMessage) => void): void {
    const ws = this.ws;
    const refuse = (code: string, message: string) => deliver({ type: 'error', code, message });
    if (this._state !== 'connected' || !ws || ws.readyState !== WebSocket.OPEN) {
      return refuse(ErrorCode.unreachable, `the remote engine "${this.name}" is ${this._state === 'unauthorized' ? 'refusing its token' : 'not reachable'} now`);
    }
    if (ws.bufferedAmount > MAX_SEND_QUEUE_BYTES || this.pending.size >= MAX_PENDING_REQUESTS) {
      return refuse(ErrorCode.unreachable, `the remote engine "${this.name}" is not keeping up; try again`);
    }
    const requestId = `${this.name}-${this.nextRequest++}`;
    const timer = this.opts.clock.setTimeout(() => {
      this.pending.delete(requestId);
      refuse(ErrorCode.timeout, `the remote engine "${this.name}" did not answer ${msg.type} in time`);
    }, this.opts.requestTimeoutMs ?? 30_000);
    this.pending.set(requestId, { deliver, timer });
    ws.send(JSON.stringify({ ...msg, requestId }));
  }

  /** A forwarded subscribe_session was answered with a snapshot: the link follows the session from there. */
  noteSnapshot(snap: ServerMessageOf<'session_snapshot'>): void {
    const f = this.following.get(snap.session.id);
    if (f?.complete) { f.revision = Math.max(f.revision, snap.revision); return; }
    this.opts.sink.dropReplay(toLocalId(this.name, snap.session.id));
    this.following.set(snap.session.id, { revision: snap.revision, complete: true });
  }

  // ---- connection ----------------------------------------------------------------------------

  private connect(): void {
    if (this.stopped) return;
    this.setState('connecting');
    const ws = new WebSocket(this.url, [SUBPROTOCOL], {
      // The token goes in the header, as the hub expects; never in the URL or a log line.
      headers: { Authorization: `Bearer ${this.opts.token}` },
      handshakeTimeout: 10_000, maxPayload: MAX_REMOTE_FRAME, perMessageDeflate: false,
    });
    this.ws = ws;
    ws.on('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      if (status === 401 || status === 403) this.lost(ws, 'unauthorized', `the remote refused the token (HTTP ${status}): check FLIGHTDECK_REMOTE_<NAME>_TOKEN or the token file`);
      else if (status === 429) this.lost(ws, 'unauthorized', 'the remote refuses after too many failed attempts (HTTP 429)');
      else this.lost(ws, 'unreachable', `the remote answered HTTP ${status} instead of a WebSocket`);
    });
    ws.on('pong', () => { this.ponged = true; });
    ws.on('open', () => {
      if (this.ws !== ws) return;
      this.ponged = true;
      this.heartbeat = this.opts.clock.setInterval(() => {
        if (this.ws !== ws) return;
        if (!this.ponged) return this.lost(ws, 'unreachable', 'the remote stopped answering pings');
        this.ponged = false;
        try { ws.ping(); } catch { /* the close event follows */ }
      }, this.opts.pingIntervalMs ?? 30_000);
      this.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, client: `flightdeck-engine ${this.opts.version}`, peer: true }, m => {
        if (m.type === 'error') return this.lost(ws, 'unreachable', `the remote refused hello: ${m.message}`);
        this.relist();
      });
    });
    ws.on('message', (data, isBinary) => { if (this.ws === ws && !isBinary) this.receive(String(data)); });
    ws.on('error', e => { if (this.ws === ws) this._lastError = e.message; });
    ws.on('close', () => { if (this.ws === ws) this.lost(ws, 'unreachable', this._lastError ?? 'the connection closed'); });
  }

  /** The connection is gone: sessions show as unreachable, pending requests fail, a retry is scheduled. */
  private lost(ws: WebSocket, state: 'unreachable' | 'unauthorized', why: string): void {
    if (this.ws !== ws) return;
    this.ws = null;
    this.heartbeat?.cancel();
    this.heartbeat = null;
    ws.removeAllListeners();
    ws.on('error', () => {});
    ws.terminate();
    this._lastError = why;
    this.remoteListRevision = null;
    this.paging = null;
    this.listRequested = false;
    this.failPending(`the connection to the remote engine "${this.name}" was lost`);
    this.markUnreachable();
    if (this.remote.size) this.saveCache();
    if (this._state !== state) this.opts.log(state === 'unauthorized' ? 'warn' : 'info', `remote ${this.name}: ${state}: ${why}`);
    this.setState(state);
    if (this.stopped) return;
    const wait = this.backoff.next(state);
    this.retry = this.opts.clock.setTimeout(() => { this.retry = null; this.connect(); }, wait);
  }

  private failPending(why: string): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) { p.timer.cancel(); p.deliver({ type: 'error', code: ErrorCode.unreachable, message: why }); }
  }

  private setState(s: RemoteState): void {
    if (this._state === s) return;
    this._state = s;
    if (s === 'connected') this._lastError = undefined;
    this.opts.sink.stateChanged();
  }

  private send(msg: ClientMessage, deliver: (m: ServerMessage) => void): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    const requestId = `${this.name}-${this.nextRequest++}`;
    const timer = this.opts.clock.setTimeout(() => {
      this.pending.delete(requestId);
      this.lost(ws, 'unreachable', `no answer to ${msg.type}`);
    }, this.opts.requestTimeoutMs ?? 30_000);
    this.pending.set(requestId, { deliver, timer });
    ws.send(JSON.stringify({ ...msg, requestId }));
  }

  /** Asks for the whole list again (after connecting, a gap, or the remote's resync). */
  private relist(): void {
    if (this.listRequested) return;
    this.listRequested = true;
    this.send({ type: 'subscribe_list' }, () => { this.listRequested = false; });
  }

  // ---- what the remote sends -------------------------------------------------------------

  private receive(text: string): void {
    let data: unknown;
    try { data = JSON.parse(text); } catch { this.opts.log('warn', `remote ${this.name}: dropped a message that is not JSON`); return; }
    const parsed = ServerMessage.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      this.opts.log('warn', `remote ${this.name}: dropped an invalid message (${issue?.path.join('.') || 'root'}: ${issue?.message})`);
      return;
    }
    const m = parsed.data;
    // The list (and its pages) is the mirror's, whoever asked.
    if (m.type === 'sessions_list') this.applyList(m);
    const requestId = 'requestId' in m ? m.requestId : undefined;
    const p = requestId ? this.pending.get(requestId) : undefined;
    if (p && requestId) {
      this.pending.delete(requestId);
      p.timer.cancel();
      p.deliver(m);
      return;
    }
    this.applyEvent(m);
  }

  private applyList(m: ServerMessageOf<'sessions_list'>): void {
    if (m.parts !== undefined && m.parts > 1) {
      const part = m.part ?? 0;
      if (part === 0) this.paging = [];
      if (!this.paging) return;
      this.paging.push(...m.sessions);
      if (part < m.parts - 1) return;
    }
    // A session the remote itself mirrors (an engine that does not honour hello.peer) is left out: never loop.
    const sessions = (this.paging ?? m.sessions).filter(ownSession);
    this.paging = null;
    this.remoteListRevision = m.revision;
    const next = new Map(sessions.map(s => [s.id, s]));
    for (const id of [...this.remote.keys()]) if (!next.has(id)) this.removeShown(id);
    for (const s of next.values()) this.upsert(s);
    this.backoff.reset();
    this.saveCache();
    const wasConnected = this._state === 'connected';
    this.setState('connected');
    if (!wasConnected) this.opts.log('info', `remote ${this.name}: connected, ${next.size} sessions`);
    // Followed sessions resume where they were: the remote replays what was missed, or sends a snapshot.
    if (!wasConnected) for (const [id, f] of this.following) this.resubscribe(id, f);
  }

  private resubscribe(remoteId: string, f: Followed): void {
    this.send({ type: 'subscribe_session', sessionId: remoteId, ...(f.complete ? { sinceRevision: f.revision } : {}) }, answer => {
      if (answer.type === 'session_snapshot') {
        // Too old to replay (or the remote restarted): this engine's clients get a fresh snapshot.
        const had = this.following.get(remoteId);
        if (had?.complete && had.revision === answer.revision) return;
        this.opts.sink.dropReplay(toLocalId(this.name, remoteId));
        this.following.set(remoteId, { revision: answer.revision, complete: true });
        this.upsert(answer.session);
        this.opts.sink.publish({ type: 'resync', sessionId: toLocalId(this.name, remoteId), reason: 'remote_resync' });
      } else if (answer.type === 'error') {
        this.following.delete(remoteId);
      }
    });
  }

  private applyEvent(m: ServerMessage): void {
    switch (m.type) {
      case 'session_created':
        if (!this.listInOrder(m.listRevision) || !ownSession(m.session)) return;
        this.upsert(m.session);
        return;
      case 'session_removed':
        if (!this.listInOrder(m.listRevision)) return;
        this.removeShown(m.sessionId);
        return;
      case 'session_delta': {
        const before = this.remote.get(m.sessionId);
        if (this.remoteListRevision === null) return;
        if (m.sessionId.includes(HOST_SEPARATOR)) { this.listInOrder(m.listRevision); return; } // one the remote mirrors
        if (!before) { if (m.listRevision > this.remoteListRevision) this.relist(); return; }
        const listOk = this.listInOrder(m.listRevision);
        const verdict = this.sessionOrder(m.sessionId, m.revision, m.type);
        if (verdict === 'dup' || (!listOk && verdict === 'unfollowed')) return;
        const after = merge(before, m.changes, m.revision);
        this.remote.set(m.sessionId, after);
        const shown = this.shownOf(after);
        this.shown.set(m.sessionId, shown);
        this.emit({ type: 'session_delta', sessionId: shown.id, revision: m.revision, listRevision: this.opts.sink.nextListRevision(), changes: mapChanges(this.name, m.changes) }, verdict);
        return;
      }
      case 'session_ended': {
        const before = this.remote.get(m.sessionId);
        const verdict = this.sessionOrder(m.sessionId, m.revision, m.type);
        if (verdict === 'dup' || (!before && verdict === 'unfollowed')) return;
        if (before) {
          const after = { ...before, status: 'ended' as const, workStatus: 'idle' as const, endReason: m.reason ?? before.endReason };
          this.remote.set(m.sessionId, after);
          this.shown.set(m.sessionId, this.shownOf(after));
        }
        this.emit({ type: 'session_ended', sessionId: toLocalId(this.name, m.sessionId), revision: m.revision, reason: m.reason }, verdict);
        return;
      }
      case 'message_appended':
      case 'message_updated':
      case 'approval_requested':
      case 'tokens_updated': {
        const verdict = this.sessionOrder(m.sessionId, m.revision, m.type);
        if (verdict === 'dup' || verdict === 'unfollowed') return;
        const local = toLocalId(this.name, m.sessionId);
        if (m.type === 'tokens_updated') {
          const before = this.remote.get(m.sessionId);
          if (before) {
            const after = { ...before, tokenUsage: m.tokenUsage, contextFill: m.contextFill };
            this.remote.set(m.sessionId, after);
            this.shown.set(m.sessionId, this.shownOf(after));
          }
          this.emit({ ...m, sessionId: local }, verdict);
        } else if (m.type === 'approval_requested') {
          this.emit({ ...m, sessionId: local }, verdict);
        } else if (m.type === 'message_appended') {
          this.emit({ ...m, sessionId: local, message: mapMessage(this.name, m.message) }, verdict);
        } else {
          this.emit({ ...m, sessionId: local, message: mapMessage(this.name, m.message) }, verdict);
        }
        return;
      }
      case 'resync':
        if (!m.sessionId) { this.relist(); return; }
        this.lostTrack(m.sessionId);
        return;
      default:
        return;
    }
  }

  /** Publishes a session event; a followed session's in-order events are kept for replay too. */
  private emit(e: EngineEvent, verdict: 'next' | 'gap' | 'unfollowed'): void {
    if (verdict === 'next' && 'revision' in e) this.opts.sink.record(e as SessionEvent);
    this.opts.sink.publish(e);
  }

  /** Remote list events come one revision after the other; a jump means some were lost: ask for the list. */
  private listInOrder(listRevision: number): boolean {
    if (this.remoteListRevision === null || listRevision <= this.remoteListRevision) return false;
    if (listRevision !== this.remoteListRevision + 1) { this.relist(); return false; }
    this.remoteListRevision = listRevision;
    return true;
  }

  /**
   * Where a session event stands in a followed session's revisions: the next one, one already seen,
   * or past a gap (then the session is followed again from a fresh snapshot).
   */
  private sessionOrder(remoteId: string, revision: number, type: string): 'next' | 'dup' | 'gap' | 'unfollowed' {
    const f = this.following.get(remoteId);
    if (!f) return 'unfollowed';
    if (!f.complete) return 'gap';
    if (revision === f.revision + 1) { f.revision = revision; return 'next'; }
    if (revision === f.revision && COMPANION_TYPES.has(type)) return 'next';
    if (revision <= f.revision) return 'dup';
    this.lostTrack(remoteId);
    return 'gap';
  }

  /** Events of a followed session were lost: local clients resubscribe, the link takes a fresh snapshot. */
  private lostTrack(remoteId: string): void {
    const f = this.following.get(remoteId);
    if (!f) return;
    f.complete = false;
    this.opts.sink.dropReplay(toLocalId(this.name, remoteId));
    this.resubscribe(remoteId, f);
  }

  private upsert(s: Session): void {
    this.remote.set(s.id, s);
    const before = this.shown.get(s.id);
    const after = this.shownOf(s);
    this.shown.set(s.id, after);
    if (!before) {
      this.opts.sink.publish({ type: 'session_created', listRevision: this.opts.sink.nextListRevision(), session: after });
      return;
    }
    const changes = diff(before, after);
    if (!changes) return;
    // Not kept for replay: it restates the remote's state at a revision its own events also carry.
    this.opts.sink.publish({ type: 'session_delta', sessionId: after.id, revision: after.revision, listRevision: this.opts.sink.nextListRevision(), changes });
  }

  private removeShown(remoteId: string): void {
    const shown = this.shown.get(remoteId);
    this.remote.delete(remoteId);
    this.shown.delete(remoteId);
    this.following.delete(remoteId);
    if (!shown) return;
    this.opts.sink.dropReplay(shown.id);
    this.opts.sink.publish({ type: 'session_removed', listRevision: this.opts.sink.nextListRevision(), sessionId: shown.id });
  }

  /** The remote cannot be reached: every session says so, and none shows as working (nothing is known). */
  private markUnreachable(): void {
    for (const [id, before] of this.shown) {
      const after = unreachableView(before);
      this.shown.set(id, after);
      const changes = diff(before, after);
      if (changes) this.opts.sink.publish({ type: 'session_delta', sessionId: after.id, revision: after.revision, listRevision: this.opts.sink.nextListRevision(), changes });
    }
  }

  private shownOf(s: Session): Session {
    return mapSession(this.name, this.ws !== null && this.remoteListRevision !== null, s);
  }
}

/** A session of a remote that cannot be reached: said so, and not shown working (nothing is known). */
function unreachableView(s: Session): Session {
  return { ...s, host: { name: s.host?.name ?? '', reachable: false }, ...(s.workStatus === 'working' ? { workStatus: 'idle' as const } : {}) };
}

/** A session the remote owns itself: no host, and an id without the host separator. */
function ownSession(s: Session): boolean {
  return !s.host && !s.id.includes(HOST_SEPARATOR);
}

function merge(s: Session, changes: Partial<Session>, revision: number): Session {
  const next: Record<string, unknown> = { ...s };
  for (const [key, value] of Object.entries(changes)) if (value !== undefined) next[key] = value;
  return { ...(next as Session), revision: Math.max(revision, s.revision) };
}

/** The fields that differ (null where one was cleared); null when none does. */
function diff(before: Session, after: Session): Partial<Session> | null {
  const out: Record<string, unknown> = {};
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  keys.delete('revision');
  keys.delete('id');
  for (const k of keys) {
    const a = (before as Record<string, unknown>)[k];
    const b = (after as Record<string, unknown>)[k];
    if (JSON.stringify(a) !== JSON.stringify(b)) out[k] = b === undefined ? null : b;
  }
  return Object.keys(out).length ? (out as Partial<Session>) : null;
}
