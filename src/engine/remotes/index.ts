// The remote engines this engine joined (issue 20): each one's sessions shown next to the local ones,
// with ids in the host's space (ids.ts), and every request about them sent to the engine that owns
// them. This engine stays the authority for its own sessions only: mirrored sessions never enter
// the SessionEngine or the store, so nothing here reads their files or runs anything for them.
//
// Clients that are not engines see one list: local and mirrored sessions, with one list revision
// (the engine's own plus one per mirrored list change, so each event is still the previous + 1).
// `bus` carries both; an engine that joins this one (hello.peer) listens to the engine's own bus
// and never gets what this engine mirrors (no re-export, no loops).
import { ErrorCode, type ClientMessage, type RemoteEngineInfo, Session, type ServerMessage } from '../protocol';
import type { Clock } from '../platform/clock';
import type { LogFn } from '../platform/log';
import { EventBus, type EngineEvent } from '../sessions/bus';
import type { SessionEngine } from '../sessions/engine';
import type { ReplayBuffer } from '../clients/replay';
import { isWellFormedToken } from '../hub/token';
import type { BackoffPolicy } from './backoff';
import { mapMessage, mapSession, splitId, toLocalId, validRemoteName } from './ids';
import { RemoteLink } from './link';

export type { RemoteState } from './link';
export { HOST_SEPARATOR, splitId, toLocalId, validRemoteName } from './ids';

/** A remote as list() reports it (the protocol's remotes_list entries); never holds the token. */
export type RemoteInfo = RemoteEngineInfo;

export interface RemoteSpec { name: string; url: string; token: string }

export interface RemoteEnginesOptions {
  engine: SessionEngine;
  replay: ReplayBuffer;
  clock: Clock;
  log: LogFn;
  version: string;
  backoff?: BackoffPolicy;
  requestTimeoutMs?: number;
}

/** Checks a remote's name, URL and token; throws a message a user can act on. */
export function checkRemoteSpec(spec: RemoteSpec): void {
  if (!validRemoteName(spec.name)) throw new Error(`remote name "${spec.name}": use 1-32 letters, digits, - or _ (starting with a letter or digit)`);
  let url: URL;
  try { url = new URL(spec.url); } catch { throw new Error(`remote ${spec.name}: "${spec.url}" is not a URL (expected ws://host:port/ws or wss://…)`); }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new Error(`remote ${spec.name}: the URL must start with ws:// or wss:// (got ${url.protocol})`);
  if (url.username || url.password || url.search.includes('token')) throw new Error(`remote ${spec.name}: put the token in FLIGHTDECK_REMOTE_<NAME>_TOKEN or the token file, not in the URL`);
  if (!isWellFormedToken(spec.token)) throw new Error(`remote ${spec.name}: the token is missing or malformed (20-200 characters of A-Z a-z 0-9 - _)`);
}

export class RemoteEngines {
  /** Local and mirrored events, for clients that are not engines. */
  readonly bus: EventBus;
  private links = new Map<string, RemoteLink>();
  /** Mirrored list changes published so far: the combined list revision is the engine's plus this. */
  private mirroredChanges = 0;
  private listeners = new Set<() => void>();
  private unsubscribe: () => void;

  constructor(private opts: RemoteEnginesOptions) {
    this.bus = new EventBus(e => opts.log('error', `bus listener failed: ${(e as Error)?.stack ?? e}`));
    // Local events go on unchanged until something was mirrored (the common case costs nothing).
    this.unsubscribe = opts.engine.bus.subscribe(e => {
      this.bus.publish(this.mirroredChanges && 'listRevision' in e ? { ...e, listRevision: e.listRevision + this.mirroredChanges } as EngineEvent : e);
    });
  }

  /** The list revision clients that see every host are at. */
  get listRevision(): number { return this.opts.engine.listRevision + this.mirroredChanges; }

  /** Joins a remote engine (replacing one of the same name). Throws on a bad name, URL or token. */
  add(spec: RemoteSpec): void {
    checkRemoteSpec(spec);
    if (this.links.has(spec.name)) this.remove(spec.name);
    const link = new RemoteLink({
      cached: this.loadCache(spec.name),
      name: spec.name, url: spec.url, token: spec.token, clock: this.opts.clock, log: this.opts.log, version: this.opts.version,
      backoff: this.opts.backoff, requestTimeoutMs: this.opts.requestTimeoutMs,
      sink: {
        nextListRevision: () => { this.mirroredChanges++; return this.listRevision; },
        publish: e => this.bus.publish(e),
        record: e => this.opts.replay.record(e),
        dropReplay: id => this.opts.replay.drop(id),
        stateChanged: () => this.changed(),
        saveCache: sessions => this.opts.engine.store.setKv(cacheKey(spec.name), JSON.stringify(sessions)),
      },
    });
    this.links.set(spec.name, link);
    this.opts.log('info', `remote ${spec.name}: joining ${spec.url}`);
    link.start();
    this.changed();
  }

  /** Leaves a remote engine: its sessions leave every list. */
  remove(name: string): boolean {
    const link = this.links.get(name);
    if (!link) return false;
    this.links.delete(name);
    link.stop();
    this.opts.engine.store.setKv(cacheKey(name), '[]');
    for (const s of link.takeShown()) {
      this.opts.replay.drop(s.id);
      this.mirroredChanges++;
      this.bus.publish({ type: 'session_removed', listRevision: this.listRevision, sessionId: s.id });
    }
    this.changed();
    return true;
  }

  list(): RemoteInfo[] {
    return [...this.links.values()].map(l => ({
      name: l.name, url: l.url, state: l.state, sessions: l.sessionCount(), ...(l.lastError ? { lastError: l.lastError } : {}),
    }));
  }

  /** Called on every add, remove and state change. */
  onChange(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => { this.listeners.delete(cb); };
  }

  /** Every mirrored session, as clients see them. */
  sessions(): Session[] {
    const out: Session[] = [];
    for (const l of this.links.values()) for (const s of l.sessions) out.push(s);
    return out;
  }

  /** Whether an id names a mirrored session (whether or not its host is joined). */
  owns(sessionId: string): boolean { return splitId(sessionId) !== null; }

  getSession(sessionId: string): Session | undefined {
    const at = splitId(sessionId);
    return at ? this.links.get(at.host)?.shownSession(at.remoteId) : undefined;
  }

  /** The revision up to which the replay buffer holds every event of a mirrored session, or null. */
  followedRevision(sessionId: string): number | null {
    const at = splitId(sessionId);
    return at ? this.links.get(at.host)?.followedRevision(at.remoteId) ?? null : null;
  }

  /**
   * Sends a request about a mirrored session to the engine that owns it, with the remote's id, and
   * delivers the answer (or error) with ids mapped back. Synchronous on arrival, so an answer and
   * the events that follow it keep the remote's order.
   */
  forward(msg: Extract<ClientMessage, { sessionId: string }>, deliver: (m: ServerMessage) => void): void {
    const at = splitId(msg.sessionId);
    const link = at ? this.links.get(at.host) : undefined;
    if (!at || !link) return deliver({ type: 'error', code: ErrorCode.notFound, message: `session ${msg.sessionId} not found (no remote engine of that name)` });
    const { requestId: _r, ...rest } = msg;
    link.request({ ...rest, sessionId: at.remoteId } as ClientMessage, answer => {
      if (answer.type === 'session_snapshot') link.noteSnapshot(answer);
      deliver(mapAnswer(link.name, answer));
    });
  }

  /** A request for a chosen host that names no session (create_session, list_models with `host`). */
  forwardToHost(host: string, msg: Extract<ClientMessage, { type: 'create_session' | 'list_models' }>, deliver: (m: ServerMessage) => void): void {
    const link = this.links.get(host);
    if (!link) return deliver({ type: 'error', code: ErrorCode.notFound, message: `no remote engine named "${host}"` });
    const { requestId: _r, host: _h, ...rest } = msg;
    link.request(rest as ClientMessage, answer => deliver(mapAnswer(link.name, answer)));
  }

  stop(): void {
    this.unsubscribe();
    for (const l of this.links.values()) { l.saveCache(); l.stop(); }
    this.links.clear();
  }

  /**
   * The remote's list as last seen, shown (unreachable) until it answers. Kept in the kv table, never
   * as sessions: the store and the engine never take them for local ones. Checked like the wire.
   */
  private loadCache(name: string): Session[] {
    let raw: unknown;
    try { raw = JSON.parse(this.opts.engine.store.getKv(cacheKey(name)) ?? '[]'); } catch { return []; }
    if (!Array.isArray(raw)) return [];
    const out: Session[] = [];
    for (const s of raw) { const p = Session.safeParse(s); if (p.success) out.push(p.data); }
    return out;
  }

  private changed(): void {
    for (const l of this.listeners) {
      try { l(); } catch (e) { this.opts.log('error', `remote change listener failed: ${(e as Error).message}`); }
    }
  }
}

function cacheKey(name: string): string { return `remotes.${name}.sessions`; }

/** A remote's answer with its ids moved into the host's space. */
function mapAnswer(host: string, m: ServerMessage): ServerMessage {
  switch (m.type) {
    case 'result':
      return m.sessionId ? { ...m, sessionId: toLocalId(host, m.sessionId) } : m;
    case 'session_snapshot':
      return { ...m, session: mapSession(host, true, m.session), messages: m.messages.map(x => mapMessage(host, x)) };
    case 'messages_page':
      return { ...m, sessionId: toLocalId(host, m.sessionId), messages: m.messages.map(x => mapMessage(host, x)) };
    case 'message':
      return { ...m, message: mapMessage(host, m.message) };
    case 'error':
      return { ...m, message: `${host}: ${m.message}` };
    default:
      // Answers added later (worktree_changes, …) name their session the same way.
      return 'sessionId' in m && typeof m.sessionId === 'string' ? { ...m, sessionId: toLocalId(host, m.sessionId) } as ServerMessage : m;
  }
}
