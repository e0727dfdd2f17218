// One client of the engine, whatever its transport (in-process for the VS Code window that owns the
// engine, the leader socket for other windows, WebSocket for browsers and phones). It validates what
// the client sends, runs it through the engine's operations, and forwards the engine events the
// client subscribed to. The engine decides; a client only asks.
import {
  ANSWER_TYPES, type AnswerTo, type ClientMessage, type ClientMessageOf, ErrorCode, PROTOCOL_VERSION, type ServerMessage, WireErrorCode, parseClientMessage,
} from '../protocol';
import type { LogFn } from '../platform/log';
import type { EngineEvent } from '../sessions/bus';
import type { SessionEngine } from '../sessions/engine';
import { EngineError } from '../sessions/errors';
import { requireWorkingDir } from '../sessions/workingDir';
import { usageReport } from '../history/usage';
import { ReplayBuffer, isSessionEvent } from './replay';
import type { RemoteEngines } from '../remotes';
import { byRecentActivity } from '../sessions/model';
import { LIST_PAGE_SESSIONS, PAGE_DEFAULT, SNAPSHOT_MESSAGES, cutLongFields } from './snapshot';

type WithoutRequestId<T> = T extends unknown ? Omit<T, 'requestId'> : never;
/** The requests a bare `result` answers. */
type ResultRequest = { [K in ClientMessage['type']]: 'result' extends (typeof ANSWER_TYPES)[K][number] ? K : never }[ClientMessage['type']];

export interface ConnectionOptions {
  engine: SessionEngine;
  replay: ReplayBuffer;
  send: (msg: ServerMessage) => void;
  serverVersion: string;
  capabilities?: string[];
  log?: LogFn;
  /**
   * Resolves when the transport can take more (its send queue drained): a long list goes out one
   * page at a time as the client reads it. Without it, pages are sent one per event-loop turn.
   */
  drained?: () => Promise<void>;
  /** The remote engines this engine joined: their sessions are listed and their requests forwarded. */
  remotes?: RemoteEngines;
}

/** Events held while a paged list goes out; past this the client is told to resync instead. */
const MAX_HELD_EVENTS = 10_000;

export class ClientConnection {
  private listSubscribed = false;
  private sessionSubs = new Set<string>();
  private unsubscribeBus: () => void;
  private closed = false;
  /** List answers go out one after the other (pages of two answers never interleave). */
  private listing: Promise<void> = Promise.resolve();
  /**
   * While a paged list goes out, the events that follow it wait here, in order, so the client gets
   * the whole list at its revision first and then every later event (null: not paging).
   */
  private held: ServerMessage[] | null = null;
  private heldOverflow = false;
  /** Another engine joining this one (hello.peer): it gets this engine's own sessions only. */
  private peer = false;

  private unsubscribeRemotes: () => void = () => {};

  constructor(private opts: ConnectionOptions) {
    this.unsubscribeBus = (opts.remotes?.bus ?? opts.engine.bus).subscribe(e => this.forward(e));
    // List subscribers hear when a remote is added, removed or changes state (connected, unreachable…).
    if (opts.remotes) {
      const remotes = opts.remotes;
      this.unsubscribeRemotes = remotes.onChange(() => {
        if (this.listSubscribed && !this.peer) this.emit({ type: 'remotes_list', remotes: remotes.list() });
      });
    }
  }

  /** The remote engines whose sessions this client sees (none for a peer engine). */
  private get remotes(): RemoteEngines | undefined { return this.peer ? undefined : this.opts.remotes; }

  private get listRevision(): number { return this.remotes?.listRevision ?? this.opts.engine.listRevision; }

  get subscriptions(): { list: boolean; sessions: string[] } {
    return { list: this.listSubscribed, sessions: [...this.sessionSubs] };
  }

  /** Handles one raw message (text or parsed JSON). Never throws: failures become error messages. */
  async handle(raw: string | unknown): Promise<void> {
    if (this.closed) return;
    const parsed = parseClientMessage(raw);
    if (!parsed.ok) {
      this.send({ type: 'error', code: parsed.code, message: parsed.message, requestId: parsed.requestId });
      return;
    }
    const msg = parsed.value;
    try {
      if (this.forwardToRemote(msg)) return;
      // A host this client cannot reach through here (a peer engine, or no remotes): never done locally instead.
      if ((msg.type === 'create_session' || msg.type === 'list_models') && msg.host !== undefined) {
        throw EngineError.notFound(`remote engine "${msg.host}"`);
      }
      await this.dispatch(msg);
    } catch (e) {
      const code = errorCode(e);
      const message = e instanceof Error ? e.message : String(e);
      if (!(e instanceof EngineError) || code === ErrorCode.internal) this.opts.log?.('error', `request ${msg.type} failed: ${(e as Error)?.stack ?? e}`);
      this.send({ type: 'error', code, message, requestId: msg.requestId });
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribeBus();
    this.unsubscribeRemotes();
  }

  private send(msg: ServerMessage): void {
    if (!this.closed) this.opts.send(msg);
  }

  /** Answers a request with one of the message types its type maps to (protocol/requests.ts). */
  private reply<T extends ClientMessage['type']>(msg: { type: T; requestId?: string }, answer: WithoutRequestId<AnswerTo<T>>): void {
    this.send({ ...answer, requestId: msg.requestId } as ServerMessage);
  }

  private ok<T extends ResultRequest>(msg: { type: T; requestId?: string }, extra: { sessionId?: string; data?: unknown } = {}): void {
    this.reply(msg, { type: 'result', ok: true, ...extra } as WithoutRequestId<AnswerTo<T>>);
  }

  private async dispatch(msg: ClientMessage): Promise<void> {
    const { engine } = this.opts;
    switch (msg.type) {
      case 'hello':
        if (msg.peer && !this.peer && this.opts.remotes) {
          // From now on only this engine's own events: what it mirrors is never passed on.
          this.peer = true;
          this.unsubscribeBus();
          this.unsubscribeBus = engine.bus.subscribe(e => this.forward(e));
        }
        this.reply(msg, {
          type: 'welcome', protocolVersion: PROTOCOL_VERSION, serverVersion: this.opts.serverVersion,
          capabilities: this.opts.capabilities ?? [], listRevision: this.listRevision,
        });
        return;
      case 'ping':
        this.reply(msg, { type: 'pong' });
        return;
      case 'subscribe_list': {
        const answer = this.listing.then(() => this.sendList(msg));
        this.listing = answer.catch(() => {});
        return answer;
      }
      case 'unsubscribe_list':
        this.listSubscribed = false;
        this.ok(msg);
        return;
      case 'subscribe_session':
        return this.subscribeSession(msg);
      case 'unsubscribe_session':
        this.sessionSubs.delete(msg.sessionId);
        this.ok(msg, { sessionId: msg.sessionId });
        return;
      case 'load_messages': {
        engine.requireSession(msg.sessionId);
        const limit = msg.limit ?? PAGE_DEFAULT;
        const page = engine.getMessages(msg.sessionId, { beforeSeq: msg.beforeSeq, limit: limit + 1 });
        const hasMore = page.length > limit;
        const messages = (hasMore ? page.slice(1) : page).map(cutLongFields);
        this.reply(msg, { type: 'messages_page', sessionId: msg.sessionId, messages, hasMore });
        return;
      }
      case 'get_message': {
        const m = engine.getMessage(msg.messageId);
        if (!m || m.sessionId !== msg.sessionId) throw EngineError.notFound(`message ${msg.messageId}`);
        this.reply(msg, { type: 'message', message: m });
        return;
      }
      case 'create_session': {
        const s = await engine.createFromClient({
          provider: msg.provider, cwd: msg.cwd, model: msg.model, autonomy: msg.autonomy, prompt: msg.prompt, effort: msg.effort, worktree: msg.worktree,
        });
        this.ok(msg, { sessionId: s.id });
        return;
      }
      case 'propose_worktree':
        this.reply(msg, { type: 'worktree_proposal', ...await engine.requireWorktrees().propose(requireWorkingDir(msg.cwd), msg.prompt, msg.parentDir) });
        return;
      case 'worktree_changes': {
        const wt = engine.requireWorktreeOf(msg.sessionId);
        this.reply(msg, { type: 'worktree_changes', sessionId: msg.sessionId, worktreePath: wt.path, ...await engine.requireWorktrees().changes(wt) });
        return;
      }
      case 'worktree_base_file': {
        const wt = engine.requireWorktreeOf(msg.sessionId);
        this.reply(msg, { type: 'worktree_base_file', sessionId: msg.sessionId, path: msg.path, ...await engine.requireWorktrees().baseFile(wt, msg.path) });
        return;
      }
      case 'remove_worktree':
        await engine.removeWorktree(msg.sessionId, msg.force ?? false);
        this.ok(msg, { sessionId: msg.sessionId });
        return;
      case 'send_message':
        await engine.sendMessage(msg.sessionId, msg.text);
        this.ok(msg, { sessionId: msg.sessionId });
        return;
      case 'send_review':
        await engine.sendReview(msg.sessionId, msg.comments);
        this.ok(msg, { sessionId: msg.sessionId });
        return;
      case 'approve_tool':
        await engine.decideApproval(msg.sessionId, msg.approvalId, msg.decision, { version: msg.version, message: msg.message });
        this.ok(msg, { sessionId: msg.sessionId });
        return;
      case 'answer_question':
        await engine.answerQuestion(msg.sessionId, msg.questionId, msg.answers);
        this.ok(msg, { sessionId: msg.sessionId });
        return;
      case 'interrupt_session':
        await engine.interrupt(msg.sessionId);
        this.ok(msg, { sessionId: msg.sessionId });
        return;
      case 'end_session':
        await engine.end(msg.sessionId);
        this.ok(msg, { sessionId: msg.sessionId });
        return;
      case 'update_session_config':
        await engine.updateConfig(msg.sessionId, { autonomy: msg.autonomy, model: msg.model, effort: msg.effort, planMode: msg.planMode });
        this.ok(msg, { sessionId: msg.sessionId });
        return;
      case 'rename_session':
        await engine.rename(msg.sessionId, msg.name);
        this.ok(msg, { sessionId: msg.sessionId });
        return;
      case 'resume_session':
        await engine.resume(msg.sessionId);
        this.ok(msg, { sessionId: msg.sessionId });
        return;
      case 'takeover_session':
        await engine.takeover(msg.sessionId, msg.force ?? false);
        this.ok(msg, { sessionId: msg.sessionId });
        return;
      case 'list_models':
        this.reply(msg, { type: 'models_list', provider: msg.provider, models: await engine.listModels(msg.provider) });
        return;
      case 'import_history':
        this.ok(msg, { data: engine.requireHistory().start() });
        return;
      case 'list_remotes':
        this.reply(msg, { type: 'remotes_list', remotes: this.remotes?.list() ?? [] });
        return;
      case 'cancel_import':
        this.ok(msg, { data: { cancelled: engine.requireHistory().cancel() } });
        return;
      case 'search':
        this.reply(msg, {
          type: 'search_results', query: msg.query, results: engine.search(msg.query, msg.limit ?? 50, msg.filters),
          degraded: !engine.store.ftsAvailable || undefined,
          indexing: indexingState(engine.store.searchIndexPercent()),
        });
        return;
      case 'list_history_groups': {
        const scope = msg.scope ?? 'history';
        this.reply(msg, {
          type: 'history_groups', cwd: msg.cwd, scope,
          groups: engine.historyGroups({ cwd: msg.cwd, scope, utcOffsetMinutes: msg.utcOffsetMinutes }),
        });
        return;
      }
      case 'list_history_sessions': {
        const scope = msg.scope ?? 'history';
        const page = engine.historySessions({ cwd: msg.cwd, day: msg.day, scope, utcOffsetMinutes: msg.utcOffsetMinutes, limit: msg.limit, cursor: msg.cursor });
        this.reply(msg, { type: 'history_sessions', cwd: msg.cwd, day: msg.day ?? null, scope, ...page });
        return;
      }
      case 'archive_session':
        engine.archive(msg.sessionId, msg.archived ?? true);
        this.ok(msg, { sessionId: msg.sessionId });
        return;
      case 'delete_session':
        engine.deleteSession(msg.sessionId);
        this.ok(msg, { sessionId: msg.sessionId });
        return;
      case 'usage_report':
        this.reply(msg, {
          type: 'usage',
          report: usageReport(engine.store, { by: msg.by, since: msg.since, until: msg.until, timezone: msg.timezone }),
        });
        return;
    }
  }

  /**
   * A request about a mirrored session (or for a chosen remote host) goes to the engine that owns it;
   * its answer comes back to this client with the request's id. True when forwarded.
   */
  private forwardToRemote(msg: ClientMessage): boolean {
    const remotes = this.remotes;
    if (!remotes) return false;
    const deliver = (answer: ServerMessage) => this.send({ ...answer, requestId: msg.requestId } as ServerMessage);
    if ((msg.type === 'create_session' || msg.type === 'list_models') && msg.host !== undefined) {
      remotes.forwardToHost(msg.host, msg, deliver);
      return true;
    }
    if (!('sessionId' in msg) || !remotes.owns(msg.sessionId)) return false;
    switch (msg.type) {
      case 'unsubscribe_session':
        return false;
      case 'subscribe_session': {
        this.sessionSubs.add(msg.sessionId);
        // Replayed from this engine's buffer when it holds every event since then; else a snapshot from the owner.
        const held = msg.sinceRevision !== undefined ? remotes.followedRevision(msg.sessionId) : null;
        const missed = held !== null ? this.opts.replay.since(msg.sessionId, msg.sinceRevision!, held) : null;
        if (missed) {
          for (const e of missed) this.send(e);
          this.ok(msg, { sessionId: msg.sessionId, data: { replayed: missed.length, revision: held } });
          return true;
        }
        remotes.forward({ ...msg, sinceRevision: undefined }, deliver);
        return true;
      }
      default:
        remotes.forward(msg, deliver);
        return true;
    }
  }

  private subscribeSession(msg: ClientMessageOf<'subscribe_session'>): void {
    const { engine, replay } = this.opts;
    const session = engine.requireSession(msg.sessionId);
    this.sessionSubs.add(msg.sessionId);
    if (msg.sinceRevision !== undefined) {
      const missed = replay.since(msg.sessionId, msg.sinceRevision, session.revision);
      if (missed) {
        for (const e of missed) this.send(e);
        this.ok(msg, { sessionId: msg.sessionId, data: { replayed: missed.length, revision: session.revision } });
        return;
      }
    }
    const page = engine.getMessages(msg.sessionId, { limit: SNAPSHOT_MESSAGES + 1 });
    const hasMore = page.length > SNAPSHOT_MESSAGES;
    const messages = (hasMore ? page.slice(1) : page).map(cutLongFields);
    this.reply(msg, { type: 'session_snapshot', revision: session.revision, session, messages, hasMore });
  }

  /**
   * The list at one revision: one `sessions_list` when it is short, else pages of LIST_PAGE_SESSIONS
   * (part 0 … parts − 1, the requestId on the last), each sent once the transport drained the one
   * before. A 20,000-session list was one 17.8 MB message, and the reader that could not take it at
   * once was dropped (issue 19).
   */
  private async sendList(msg: ClientMessageOf<'subscribe_list'>): Promise<void> {
    if (this.closed) return;
    const { engine } = this.opts;
    const revision = this.listRevision;
    const remotes = this.remotes;
    const sessions = remotes ? [...engine.listSessions(), ...remotes.sessions()].sort(byRecentActivity) : engine.listSessions();
    this.listSubscribed = true;
    if (sessions.length <= LIST_PAGE_SESSIONS) {
      this.reply(msg, { type: 'sessions_list', revision, sessions });
      return;
    }
    const parts = Math.ceil(sessions.length / LIST_PAGE_SESSIONS);
    this.held = [];
    this.heldOverflow = false;
    try {
      for (let part = 0; part < parts && !this.closed; part++) {
        const page = sessions.slice(part * LIST_PAGE_SESSIONS, (part + 1) * LIST_PAGE_SESSIONS);
        if (part === parts - 1) {
          this.reply(msg, { type: 'sessions_list', revision, part, parts, sessions: page });
          break;
        }
        this.send({ type: 'sessions_list', revision, part, parts, sessions: page });
        await (this.opts.drained?.() ?? new Promise<void>(r => setImmediate(r)));
      }
    } finally {
      this.releaseHeld();
    }
  }

  private releaseHeld(): void {
    const held = this.held ?? [];
    const overflow = this.heldOverflow;
    this.held = null;
    this.heldOverflow = false;
    if (!overflow) {
      for (const m of held) this.send(m);
      return;
    }
    // Too much changed while the list went out: ask again rather than queue without bound.
    if (this.listSubscribed) this.send({ type: 'resync', reason: 'list_changed_while_paging' });
    for (const sessionId of this.sessionSubs) this.send({ type: 'resync', sessionId, reason: 'list_changed_while_paging' });
  }

  private forward(e: EngineEvent): void {
    switch (e.type) {
      case 'session_created':
      case 'session_removed':
        if (this.listSubscribed) this.emit(e);
        return;
      case 'import_progress':
        this.emit(e);
        return;
      case 'resync':
        if (e.sessionId && this.sessionSubs.has(e.sessionId)) this.emit(e);
        return;
      case 'session_delta':
      case 'session_ended':
        if (this.listSubscribed || this.sessionSubs.has(e.sessionId)) this.emit(e);
        return;
      default:
        if (isSessionEvent(e) && this.sessionSubs.has(e.sessionId)) this.emit(e);
    }
  }

  /** An event: sent now, or held until the paged list going out is complete. */
  private emit(e: ServerMessage): void {
    if (!this.held) return this.send(e);
    if (this.heldOverflow) return;
    if (this.held.length >= MAX_HELD_EVENTS) { this.heldOverflow = true; this.held = []; return; }
    this.held.push(e);
  }
}

const PROTOCOL_CODES = new Set<string>(Object.values(WireErrorCode));

/**
 * Engine errors carry a protocol code; providers may throw errors with one too. A code that is not
 * the protocol's (SQLITE_ERROR, ENOENT, …) is an internal detail: clients get `internal`.
 */
function errorCode(e: unknown): string {
  const code = e && typeof e === 'object' ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' && PROTOCOL_CODES.has(code) ? code : ErrorCode.internal;
}

/** The replay buffer is fed once per engine, not once per connection. */
export function attachReplay(engine: SessionEngine, replay = new ReplayBuffer()): ReplayBuffer {
  engine.bus.subscribe(e => { if (isSessionEvent(e)) replay.record(e); });
  return replay;
}

/** The search index's build state for a search answer: absent once complete. */
function indexingState(percent: number | undefined): { percent: number } | undefined {
  return percent === undefined ? undefined : { percent };
}
