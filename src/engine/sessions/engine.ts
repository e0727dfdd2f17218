// The session engine: the one owner of session state. Providers feed it events and messages; it
// runs the reducer, persists through the store, and publishes deltas on the bus. Clients ask it to
// act through the operations below; they never mutate state themselves.
import * as fs from 'node:fs';
import type {
  ApprovalDecision, Autonomy, HistoryGroup, HistoryScope, Message, MessagePatch, ModelInfo, Provider, ReviewComment, SearchFilters,
  SearchHit, Session,
} from '../protocol';
import type { HistoryPageQuery } from '../store/history';
import { ErrorCode } from '../protocol';
import type { ImportProgressMessage } from '../protocol/messages';
import type { Store } from '../store/types';
import { EventBus } from './bus';
import { type Clock, type TimerHandle, iso } from '../platform/clock';
import type { LogFn } from '../platform/log';
import { EngineError } from './errors';
import type { SessionEvent } from './events';
import { approvalSubject } from '../protocol/uiPolicy';
import { END_REASONS, LIFECYCLE, awaitsUser, clearReasonForEnd, idleVerdict, inactivityTimeoutMs, startupEvents } from './lifecycle';
import { type OpenFilesProbe, procOpenFiles } from './openFiles';
import { byRecentActivity, type NewSession, newSession } from './model';
import type { ConfigChange, CreateRequest, ProviderController, WorktreeOps } from './provider';
import { reduce } from './reducer';
import { PendingReviews, normalizeReview, reviewText } from './review';
import { requireWorkingDir } from './workingDir';


export interface EngineOptions {
  store: Store;
  clock: Clock;
  log?: LogFn;
  /** Streaming text is broadcast at most this often per session (SPEC §5). */
  streamThrottleMs?: number;
  /** Which files processes hold open: tells whether a passive session's agent still runs (default: /proc). */
  openFiles?: OpenFilesProbe;
}

/** Transcript items that are tool calls: one still in progress means the agent is running it. */
const CALL_KINDS: ReadonlySet<string> = new Set(['command', 'fileChange', 'tool', 'mcpTool', 'webSearch']);
/** Starts (or joins) and cancels the history import; progress goes out on the bus as import_progress. */
export interface HistoryController {
  /** The progress so far of the run started (or already running). */
  start(): ImportProgressMessage;
  /** Whether a run was cancelled. */
  cancel(): boolean;
}

export type NewMessage = Omit<Message, 'seq' | 'sessionId'> & { seq?: number };

const RECENT_IDS_PER_SESSION = 4096;
/** Past sessions read from the store (opened from History, search) kept in memory, most recent last. */
const DORMANT_MAX = 200;
const LIST_REVISION_KEY = 'listRevision';
/**
 * The stored list revision is a ceiling: revisions up to it may have been published. It is raised
 * this far ahead (and committed at once) when the revision comes within half of it, so a kill -9
 * restarts at or above every revision a client saw, without a write per revision. A clean stop
 * stores the exact revision.
 */
const LIST_REVISION_RESERVE = 10_000;

export class SessionEngine {
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly store: Store;
  private readonly log: LogFn;
  private sessions = new Map<string, Session>();
  /**
   * Past sessions a client opened (History, search) that are not in the live list. Any change to one
   * (resume, a file that grows again) promotes it into the list with session_created.
   */
  private dormant = new Map<string, Session>();
  private byProviderId = new Map<string, string>();
  /** Told each `<provider>:<provider session id>` as it joins byProviderId (the history import's thread). */
  private providerIdListeners = new Set<(key: string) => void>();
  private nextSeq = new Map<string, number>();
  /** Message ids written this run, per session, so a re-read line updates instead of duplicating. */
  private recentIds = new Map<string, Set<string>>();
  /**
   * Sessions created by this process whose every message id is still in recentIds: nothing of
   * theirs can be in the store from an earlier run, so appends skip the store lookup (a cold
   * ingest spent a tenth of its time on those lookups).
   */
  private freshSessions = new Set<string>();
  private inactivity = new Map<string, TimerHandle>();
  private pendingStream = new Map<string, { timer: TimerHandle; patches: Map<string, MessagePatch> }>();
  private deciding = new Set<string>();
  /** Reviews sent and not yet echoed back by the agent as a user item (see appendMessage). */
  private readonly reviews = new PendingReviews();
  private controllers: ProviderController[] = [];
  private history: HistoryController | null = null;
  private worktreeOps: WorktreeOps | null = null;
  private _listRevision = 0;
  private listRevisionCeiling = 0;
  private readonly streamThrottleMs: number;
  private readonly openFiles: OpenFilesProbe;

  constructor(opts: EngineOptions) {
    this.openFiles = opts.openFiles ?? procOpenFiles;
    this.store = opts.store;
    this.clock = opts.clock;
    this.log = opts.log ?? (() => {});
    this.bus = new EventBus(e => this.log('error', `bus listener failed: ${(e as Error)?.stack ?? e}`));
    this.streamThrottleMs = opts.streamThrottleMs ?? 50;
  }

  get listRevision(): number { return this._listRevision; }

  /** Restores recent sessions and applies the startup rules of SPEC §2. */
  start(): void {
    const restored = this.store.loadRecentSessions(LIFECYCLE.restoreLimit);
    this._listRevision = Number(this.store.getKv(LIST_REVISION_KEY) ?? 0);
    this.listRevisionCeiling = this._listRevision;
    const now = this.clock.now();
    for (const s of restored) {
      this.index(s);
      for (const ev of startupEvents(s, now)) this.apply(s.id, ev);
      this.scheduleInactivity(this.sessions.get(s.id)!);
    }
    this.log('info', `engine: restored ${restored.length} sessions (store: ${this.store.driver})`);
  }

  stop(): void {
    for (const id of [...this.pendingStream.keys()]) this.flushStream(id);
    for (const t of this.inactivity.values()) t.cancel();
    this.inactivity.clear();
    this.store.setKv(LIST_REVISION_KEY, String(this._listRevision));
    this.listRevisionCeiling = this._listRevision;
    this.store.flush();
  }

  /** The history import (SPEC §11) clients can start and cancel; set by the services that run it. */
  setHistory(h: HistoryController | null): void { this.history = h; }
  requireHistory(): HistoryController {
    if (!this.history) throw new EngineError(ErrorCode.notSupported, 'the history import is not available in this engine');
    return this.history;
  }

  /** Git worktrees (issue 18); absent, worktree requests answer not_supported. */
  setWorktrees(w: WorktreeOps | null): void { this.worktreeOps = w; }
  requireWorktrees(): WorktreeOps {
    if (!this.worktreeOps) throw new EngineError(ErrorCode.notSupported, 'git worktrees are not available in this engine');
    return this.worktreeOps;
  }

  registerProvider(c: ProviderController): () => void {
    this.controllers.push(c);
    return () => { this.controllers = this.controllers.filter(x => x !== c); };
  }

  // ---- reads -------------------------------------------------------------------------------

  listSessions(): Session[] { return [...this.sessions.values()].sort(byRecentActivity); }
  getSession(id: string): Session | undefined { return this.sessions.get(id); }
  /** A live session, else a past one from the store (kept dormant: it does not join the list). */
  findSession(id: string): Session | undefined {
    const live = this.sessions.get(id);
    if (live) return live;
    let s = this.dormant.get(id);
    if (s) this.dormant.delete(id);
    else s = this.store.getSession(id);
    if (!s) return undefined;
    this.dormant.set(id, s);
    if (this.dormant.size > DORMANT_MAX) this.dormant.delete(this.dormant.keys().next().value!);
    return s;
  }
  findByProviderId(provider: Provider, providerSessionId: string): Session | undefined {
    const id = this.byProviderId.get(`${provider}:${providerSessionId}`);
    if (id) return this.sessions.get(id);
    // An older session outside the restored window (a history session whose file grows again, one
    // being resumed): bring it back into the list rather than creating a second session for the thread.
    const stored = this.store.findSessionByProviderId(provider, providerSessionId);
    if (!stored) return undefined;
    return this.promote(this.dormant.get(stored.id) ?? stored);
  }
  /** `<provider>:<provider session id>` of every session in memory (what findLoaded finds). */
  loadedProviderKeys(): string[] {
    return [...this.byProviderId.keys()];
  }
  /** Calls `l` with each provider key findLoaded comes to know from now on; returns the unsubscribe. */
  onProviderIdLoaded(l: (key: string) => void): () => void {
    this.providerIdListeners.add(l);
    return () => { this.providerIdListeners.delete(l); };
  }
  /** The session of this provider id if it is in memory (live or restored), without a store lookup. */
  findLoaded(provider: Provider, providerSessionId: string): Session | undefined {
    const id = this.byProviderId.get(`${provider}:${providerSessionId}`);
    return id ? this.sessions.get(id) : undefined;
  }
  requireSession(id: string): Session {
    const s = this.findSession(id);
    if (!s) throw EngineError.notFound(`session ${id}`);
    return s;
  }
  /** A session about to change: a dormant (past) one joins the live list first. */
  private requireLive(id: string): Session {
    const s = this.requireSession(id);
    return this.sessions.has(id) ? s : this.promote(s);
  }
  private promote(s: Session): Session {
    this.dormant.delete(s.id);
    this.index(s);
    this.bumpList();
    this.bus.publish({ type: 'session_created', listRevision: this._listRevision, session: s });
    return s;
  }
  getMessages(sessionId: string, opts?: { beforeSeq?: number; limit?: number }): Message[] {
    this.flushStream(sessionId);
    return this.store.getMessages(sessionId, opts);
  }
  getMessage(id: string): Message | undefined { return this.store.getMessage(id); }
  /** Hits carry their session's stored name; a live session's may be newer (not flushed yet). */
  search(query: string, limit = 50, filters?: SearchFilters): SearchHit[] {
    return this.store.search(query, limit, filters).map(h => {
      const live = this.sessions.get(h.sessionId);
      return live ? { ...h, displayName: live.displayName } : h;
    });
  }
  historyGroups(q: { cwd?: string | null; scope?: HistoryScope; utcOffsetMinutes?: number }): HistoryGroup[] {
    return this.store.historyGroups(q);
  }
  historySessions(q: HistoryPageQuery): { sessions: Session[]; nextCursor: string | null } {
    return this.store.historySessions(q);
  }

  // ---- writes from providers ---------------------------------------------------------------

  createSession(init: NewSession): Session {
    if (init.providerSessionId) {
      const existing = this.findByProviderId(init.provider, init.providerSessionId);
      if (existing) return existing;
    }
    const s = newSession(init, this.clock.now());
    this.index(s);
    this.freshSessions.add(s.id);
    this.store.saveSession(s);
    this.bumpList();
    this.bus.publish({ type: 'session_created', listRevision: this._listRevision, session: s });
    // Here, not per provider: Claude and Codex sessions and approvals are logged alike.
    this.log('info', `engine: new ${s.provider} ${s.mode} session ${s.id}${s.cwd ? ` in ${s.cwd}` : ''}`);
    this.scheduleInactivity(s);
    return s;
  }

  /** Runs one event through the state machine; persists and publishes what changed. */
  apply(sessionId: string, event: SessionEvent): Session {
    const before = this.requireLive(sessionId);
    const { session, changes, effects } = reduce(before, event, this.clock.now());
    if (session === before) return before;
    this.sessions.set(sessionId, session);
    if (changes.providerSessionId !== undefined) this.reindexProviderId(before, session);
    this.store.saveSession(session);
    this.bumpList();
    this.bus.publish({ type: 'session_delta', sessionId, revision: session.revision, listRevision: this._listRevision, changes });
    this.noteClearedApprovals(before, session, event);
    for (const fx of effects) {
      if (fx.type === 'approvalRequested') {
        this.bus.publish({ type: 'approval_requested', sessionId, revision: session.revision, approval: fx.approval });
        this.log('info', `engine: ${session.provider} session ${sessionId} asks approval ${fx.approval.approvalId}: ${approvalSubject(fx.approval)}${fx.approval.options.length ? '' : ' (answered in its terminal)'}`);
      }
      else if (fx.type === 'tokensChanged') this.bus.publish({ type: 'tokens_updated', sessionId, revision: session.revision, tokenUsage: session.tokenUsage, contextFill: session.contextFill });
      else if (fx.type === 'ended') this.bus.publish({ type: 'session_ended', sessionId, revision: session.revision, reason: fx.reason });
    }
    this.scheduleInactivity(session);
    return session;
  }

  /**
   * Appends a transcript item; a user item also runs the naming rule. An id seen before (a line
   * re-read after a crash) updates the stored item instead of adding a second one.
   */
  appendMessage(sessionId: string, m: NewMessage): Message {
    this.requireLive(sessionId);
    if (this.knowsMessage(sessionId, m.id)) {
      // An item keeps the time it was first seen, whether both lines were stored in one flush or not.
      const { seq: _s, createdAt: _c, ...patch } = m;
      this.updateMessage(sessionId, patch);
      return { ...m, sessionId, seq: _s ?? -1 } as Message;
    }
    const seq = m.seq ?? this.allocSeq(sessionId);
    // The agent's echo of a review sent from here becomes the one review item (not a second item).
    const review = m.kind === 'user' && !m.review ? this.reviews.take(sessionId, m.text) : null;
    const message: Message = { ...m, ...(review ? { review } : {}), sessionId, seq };
    this.remember(sessionId, m.id);
    const s = this.bumpRevision(sessionId);
    this.store.saveMessage(message);
    this.bus.publish({ type: 'message_appended', sessionId, revision: s.revision, message });
    if (m.kind === 'user') this.apply(sessionId, { type: 'userPrompt', text: m.text });
    return message;
  }

  /** Changes fields of a transcript item now (persisted and published). */
  updateMessage(sessionId: string, patch: MessagePatch): void {
    const pending = this.pendingStream.get(sessionId)?.patches.get(patch.id);
    const merged = pending ? { ...pending, ...patch } : patch;
    this.pendingStream.get(sessionId)?.patches.delete(patch.id);
    this.requireLive(sessionId);
    this.store.patchMessage(merged);
    const s = this.bumpRevision(sessionId);
    this.bus.publish({ type: 'message_updated', sessionId, revision: s.revision, message: merged });
  }

  /**
   * Streaming updates: coalesced per session and broadcast at most every streamThrottleMs. Each
   * patch carries the full text so far (not an append), so a client that misses one loses nothing.
   */
  streamMessage(sessionId: string, patch: MessagePatch): void {
    let entry = this.pendingStream.get(sessionId);
    if (!entry) {
      entry = { timer: this.clock.setTimeout(() => this.flushStream(sessionId), this.streamThrottleMs), patches: new Map() };
      this.pendingStream.set(sessionId, entry);
    }
    const prev = entry.patches.get(patch.id);
    entry.patches.set(patch.id, prev ? { ...prev, ...patch } : patch);
  }

  flushStream(sessionId: string): void {
    const entry = this.pendingStream.get(sessionId);
    if (!entry) return;
    entry.timer.cancel();
    this.pendingStream.delete(sessionId);
    if (!this.sessions.has(sessionId)) return;
    for (const p of entry.patches.values()) this.updateMessage(sessionId, p);
  }

  // ---- operations clients ask for ----------------------------------------------------------

  async createFromClient(req: CreateRequest): Promise<Session> {
    const c = this.controllers.find(x => x.provider === req.provider && x.createSession);
    if (!c?.createSession) throw new EngineError(ErrorCode.notSupported, `creating ${req.provider} sessions is not available yet`);
    const cwd = requireWorkingDir(req.cwd);
    if (!req.worktree) return c.createSession({ ...req, cwd });
    const ops = this.requireWorktrees();
    const made = await ops.add(cwd, req.worktree);
    let s: Session;
    try {
      s = await c.createSession({ ...req, worktree: undefined, cwd: made.cwd });
    } catch (e) {
      await ops.discard(made.worktree).catch(err => this.log('warn', `git: removing the unused worktree ${made.worktree.path} failed: ${(err as Error).message}`));
      throw e;
    }
    this.log('info', `engine: session ${s.id} runs in the new worktree ${made.worktree.path} (branch ${made.worktree.branch})`);
    if (!this.sessions.has(s.id)) return s;
    return this.apply(s.id, { type: 'metadata', worktree: made.worktree, gitBranch: made.worktree.branch });
  }

  /** The session's linked worktree, or a clear error. */
  requireWorktreeOf(sessionId: string): NonNullable<Session['worktree']> {
    const s = this.requireSession(sessionId);
    if (!s.worktree) throw new EngineError(ErrorCode.badRequest, `"${s.displayName}" does not run in a linked git worktree`);
    return s.worktree;
  }

  /** git worktree remove: refused while the session works (unless force); git refuses uncommitted changes (unless force). */
  async removeWorktree(sessionId: string, force: boolean): Promise<void> {
    const s = this.requireSession(sessionId);
    const wt = this.requireWorktreeOf(sessionId);
    const working = s.status === 'active' && (s.workStatus === 'working' || s.currentTurnId !== null);
    if (working && !force) throw new EngineError(ErrorCode.conflict, `"${s.displayName}" is working in ${wt.path}: interrupt it first, or force the removal`);
    await this.requireWorktrees().remove(wt, force);
    // The folder is gone: the session no longer runs in a worktree (its branch stays, as gitBranch).
    if (this.sessions.has(sessionId)) this.apply(sessionId, { type: 'metadata', worktree: null });
    this.log('info', `engine: worktree ${wt.path} of session ${sessionId} removed${force ? ' (forced)' : ''}; branch ${wt.branch ?? '(detached)'} kept`);
  }

  async listModels(provider: Provider): Promise<ModelInfo[]> {
    const c = this.controllers.find(x => x.provider === provider && x.listModels);
    if (!c?.listModels) throw new EngineError(ErrorCode.notSupported, `listing ${provider} models is not available yet`);
    return c.listModels();
  }

  async sendMessage(sessionId: string, text: string): Promise<void> {
    const s = this.requireSession(sessionId);
    await this.controllerFor(s, 'sendMessage', 'sending messages').sendMessage!(s, text);
  }

  /**
   * Review comments as one message to the agent (issue 18): a new turn, or a steer while one runs,
   * exactly like a prompt. The agent's echo of that message is stored as the review item.
   */
  async sendReview(sessionId: string, comments: readonly ReviewComment[]): Promise<void> {
    if (!comments.length) throw new EngineError(ErrorCode.badRequest, 'a review needs at least one comment');
    if (comments.some(c => !c.body.trim())) throw new EngineError(ErrorCode.badRequest, 'a review comment needs a text');
    const s = this.requireSession(sessionId);
    const c = this.controllers.find(x => x.handles(s) && x.sendMessage);
    if (!c?.sendMessage) {
      const hint = s.mode === 'passive' ? ': take it over first (Take Over and Send)' : '';
      throw new EngineError(ErrorCode.notSupported, `sending a review is not available for ${s.provider} ${s.mode} sessions${hint}`);
    }
    const review = normalizeReview(comments);
    const text = reviewText(review);
    const undo = this.reviews.add(sessionId, text, review);
    try {
      await c.sendMessage(s, text);
    } catch (e) { undo(); throw e; }
    this.log('info', `engine: ${s.provider} session ${sessionId}: review with ${review.length} comment(s) sent`);
  }

  async interrupt(sessionId: string): Promise<void> {
    const s = this.requireSession(sessionId);
    await this.controllerFor(s, 'interrupt', 'interrupting').interrupt!(s);
  }

  async rename(sessionId: string, name: string | null): Promise<Session> {
    const s = this.requireSession(sessionId);
    const next = this.apply(sessionId, { type: 'renamed', name });
    const c = this.controllers.find(x => x.handles(s) && x.rename);
    // The name is Flightdeck's first: telling the agent is best effort (a thread may not exist yet).
    if (c?.rename) await c.rename(next, next.customName).catch(e => this.log('warn', `rename of ${sessionId} not sent to ${s.provider}: ${(e as Error).message}`));
    return next;
  }

  async end(sessionId: string): Promise<Session> {
    const s = this.requireSession(sessionId);
    const c = this.controllers.find(x => x.handles(s) && x.end);
    if (c?.end) await c.end(s);
    return this.apply(sessionId, { type: 'ended', reason: END_REASONS.user });
  }

  async resume(sessionId: string): Promise<void> {
    const s = this.requireSession(sessionId);
    await this.controllerFor(s, 'resume', 'resuming').resume!(s);
  }

  async takeover(sessionId: string, force = false): Promise<void> {
    const s = this.requireSession(sessionId);
    await this.controllerFor(s, 'takeover', 'taking over').takeover!(s, force);
  }

  async updateConfig(sessionId: string, change: ConfigChange): Promise<void> {
    const s = this.requireSession(sessionId);
    await this.controllerFor(s, 'updateConfig', 'changing autonomy or model').updateConfig!(s, change);
  }

  async answerQuestion(sessionId: string, questionId: string, answers: Record<string, string | string[]>): Promise<void> {
    const s = this.requireSession(sessionId);
    if (!s.pendingQuestion || s.pendingQuestion.questionId !== questionId) {
      throw new EngineError(ErrorCode.staleApproval, `question ${questionId} is not pending on this session`);
    }
    await this.controllerFor(s, 'answerQuestion', 'answering questions').answerQuestion!(s, questionId, answers);
    this.apply(sessionId, { type: 'questionAnswered', questionId });
  }

  /**
   * A decision on a pending approval. Checked against the current queue and version first, so a
   * stale or repeated decision (another client was faster) is rejected and never applied twice.
   */
  async decideApproval(sessionId: string, approvalId: string, decision: ApprovalDecision, opts: { version?: number; message?: string } = {}): Promise<Session> {
    const s = this.requireSession(sessionId);
    const approval = s.pendingApprovals.find(a => a.approvalId === approvalId);
    const key = `${sessionId}:${approvalId}`;
    if (!approval || this.deciding.has(key)) {
      throw new EngineError(ErrorCode.staleApproval, `approval ${approvalId} is no longer pending (already decided or withdrawn)`);
    }
    if (opts.version !== undefined && opts.version !== approval.version) {
      throw new EngineError(ErrorCode.staleApproval, `approval ${approvalId} changed (version ${approval.version}, decision was for ${opts.version})`);
    }
    if (!approval.options.includes(decision)) {
      throw new EngineError(ErrorCode.badRequest, `decision ${decision} is not offered for this approval (offered: ${approval.options.join(', ')})`);
    }
    const c = this.controllerFor(s, 'decideApproval', 'approving');
    this.deciding.add(key);
    try {
      await c.decideApproval!(s, approval, decision, opts.message);
      this.log('info', `engine: ${s.provider} session ${sessionId}: approval ${approvalId} ${decision} from Flightdeck`);
      if (!this.sessions.get(sessionId)?.pendingApprovals.some(a => a.approvalId === approvalId)) return this.requireSession(sessionId);
      return this.apply(sessionId, { type: 'approvalResolved', approvalId, decision });
    } finally {
      this.deciding.delete(key);
    }
  }

  /**
   * Archives (hidden from the list and History, still searchable) or un-archives an ended session.
   * An archived session leaves the live list with session_removed; un-archived, it is back in History.
   */
  archive(sessionId: string, archived = true): Session {
    const s = this.requireSession(sessionId);
    if (s.status === 'active') throw new EngineError(ErrorCode.conflict, `"${s.displayName}" is still active: end it before archiving it`);
    if (!!s.archivedAt === archived) return s;
    const next: Session = { ...s, archivedAt: archived ? iso(this.clock.now()) : null, revision: s.revision + 1 };
    this.store.saveSession(next);
    if (archived && this.sessions.has(sessionId)) this.forget(sessionId);
    if (this.sessions.has(sessionId)) this.sessions.set(sessionId, next);
    else this.dormant.set(sessionId, next);
    if (archived) this.publishRemoved(sessionId);
    return next;
  }

  /** Deletes an ended session and its items from the store; every list hears session_removed. */
  deleteSession(sessionId: string): void {
    const s = this.requireSession(sessionId);
    if (s.status === 'active') throw new EngineError(ErrorCode.conflict, `"${s.displayName}" is still active: end it before deleting it`);
    this.removeSession(sessionId);
  }

  /** Retention: removes ended sessions (with their items) last active before the cutoff, in batches. */
  pruneEndedBefore(cutoff: number, batch = 200): number {
    const ids = this.store.endedBefore(iso(cutoff), batch);
    for (const id of ids) this.removeSession(id);
    return ids.length;
  }

  private removeSession(sessionId: string): void {
    this.forget(sessionId);
    this.dormant.delete(sessionId);
    this.nextSeq.delete(sessionId);
    this.recentIds.delete(sessionId);
    this.reviews.forget(sessionId);
    this.freshSessions.delete(sessionId);
    this.pendingStream.get(sessionId)?.timer.cancel();
    this.pendingStream.delete(sessionId);
    this.store.deleteSession(sessionId);
    this.publishRemoved(sessionId);
  }

  /** Takes a session out of the live list (memory only). */
  private forget(sessionId: string): void {
    const s = this.sessions.get(sessionId);
    if (!s) return;
    this.sessions.delete(sessionId);
    if (s.providerSessionId && this.byProviderId.get(`${s.provider}:${s.providerSessionId}`) === sessionId) {
      this.byProviderId.delete(`${s.provider}:${s.providerSessionId}`);
    }
    this.inactivity.get(sessionId)?.cancel();
    this.inactivity.delete(sessionId);
  }

  private publishRemoved(sessionId: string): void {
    this.bumpList();
    this.bus.publish({ type: 'session_removed', listRevision: this._listRevision, sessionId });
  }

  // ---- internals ---------------------------------------------------------------------------

  private controllerFor(s: Session, op: keyof ProviderController, what: string): ProviderController {
    const c = this.controllers.find(x => x.handles(s) && typeof x[op] === 'function');
    if (!c) throw new EngineError(ErrorCode.notSupported, `${what} is not available for ${s.provider} ${s.mode} sessions`);
    return c;
  }

  private index(s: Session): void {
    this.sessions.set(s.id, s);
    if (s.providerSessionId) this.indexProviderId(s);
  }

  private reindexProviderId(before: Session, after: Session): void {
    if (before.providerSessionId) this.byProviderId.delete(`${before.provider}:${before.providerSessionId}`);
    if (after.providerSessionId) this.indexProviderId(after);
  }

  private indexProviderId(s: Session): void {
    const key = `${s.provider}:${s.providerSessionId}`;
    if (this.byProviderId.get(key) === s.id) return;
    this.byProviderId.set(key, s.id);
    for (const l of this.providerIdListeners) l(key);
  }

  private bumpList(): void {
    this._listRevision++;
    if (this._listRevision > this.listRevisionCeiling - LIST_REVISION_RESERVE / 2) {
      // Committed before the revision is published (inside Store.atomic: with its transaction, which
      // leaves half the reserve for what that transaction publishes).
      this.listRevisionCeiling = this._listRevision + LIST_REVISION_RESERVE;
      this.store.setKv(LIST_REVISION_KEY, String(this.listRevisionCeiling));
      this.store.flush();
    }
  }

  /**
   * Every event about a session carries its own revision, message events included, so a client
   * that reconnects with its last revision can be sent exactly what it missed.
   */
  private bumpRevision(sessionId: string): Session {
    const s = { ...this.requireLive(sessionId) };
    s.revision++;
    this.sessions.set(sessionId, s);
    this.store.saveSession(s);
    return s;
  }

  private allocSeq(sessionId: string): number {
    let next = this.nextSeq.get(sessionId);
    if (next === undefined) next = this.store.maxSeq(sessionId) + 1;
    this.nextSeq.set(sessionId, next + 1);
    return next;
  }

  private knowsMessage(sessionId: string, id: string): boolean {
    if (this.recentIds.get(sessionId)?.has(id)) return true;
    return !this.freshSessions.has(sessionId) && this.store.hasCommittedMessage(id);
  }

  private remember(sessionId: string, id: string): void {
    let set = this.recentIds.get(sessionId);
    if (!set) { set = new Set(); this.recentIds.set(sessionId, set); }
    set.add(id);
    if (set.size > RECENT_IDS_PER_SESSION) {
      // Older ids are committed by now (the writer flushes within 100 ms), so the store answers for them.
      this.store.flush();
      set.clear();
      set.add(id);
      this.freshSessions.delete(sessionId);
    }
  }

  /**
   * Approvals that left the queue without a decision made here, for a reason the user should see
   * (the terminal answered, the agent stopped): one system line each in the transcript.
   */
  private noteClearedApprovals(before: Session, after: Session, event: SessionEvent): void {
    const reason = event.type === 'approvalCleared' ? event.reason : event.type === 'ended' ? clearReasonForEnd(event.reason) : undefined;
    if (!reason) return;
    for (const a of before.pendingApprovals) {
      if (after.pendingApprovals.some(x => x.approvalId === a.approvalId)) continue;
      this.log('info', `engine: ${after.provider} session ${after.id}: approval ${a.approvalId} no longer pending (${reason})`);
      this.appendMessage(after.id, {
        id: `${after.id}:approval-cleared:${a.approvalId}`, kind: 'system', createdAt: iso(this.clock.now()),
        text: `No longer waiting for approval (${reason}): ${approvalSubject(a)}`, turnId: before.currentTurnId,
      });
    }
  }

  private scheduleInactivity(s: Session, delayMs?: number): void {
    this.inactivity.get(s.id)?.cancel();
    this.inactivity.delete(s.id);
    const ms = inactivityTimeoutMs(s);
    if (ms === null || s.status !== 'active') return;
    const idle = this.clock.now() - Date.parse(s.lastActivityAt);
    const t = this.clock.setTimeout(() => {
      this.inactivity.delete(s.id);
      const cur = this.sessions.get(s.id);
      if (cur && cur.status === 'active' && cur.lastActivityAt === s.lastActivityAt) this.onIdle(cur, ms);
    }, delayMs ?? Math.max(0, ms - idle));
    this.inactivity.set(s.id, t);
  }

  /** The idle time of a passive session is up: end it, or look again later (lifecycle.idleVerdict). */
  private onIdle(s: Session, periodMs: number): void {
    const openCall = this.hasOpenCall(s);
    // Reading every process's open files costs a little: only when the answer can matter.
    const processAlive = openCall || awaitsUser(s) || s.currentTurnId !== null ? this.processAlive(s) : null;
    const verdict = idleVerdict(s, { openCall, processAlive });
    if (verdict.action === 'end') {
      this.log('info', `engine: session ${s.id} ended (${verdict.reason})`);
      this.apply(s.id, { type: 'ended', reason: verdict.reason });
    } else {
      this.scheduleInactivity(s, periodMs);
    }
  }

  /** A tool call of the session's open turn without its result yet. */
  private hasOpenCall(s: Session): boolean {
    if (!s.currentTurnId) return false;
    return this.getMessages(s.id, { limit: 200 }).some(m => m.turnId === s.currentTurnId && m.status === 'inProgress' && CALL_KINDS.has(m.kind));
  }

  /** Whether a process holds the session's file open (its agent runs); null when unknown. */
  private processAlive(s: Session): boolean | null {
    if (!s.sourcePath) return null;
    const open = this.openFiles();
    if (!open) return null;
    if (open.has(s.sourcePath)) return true;
    try { return open.has(fs.realpathSync(s.sourcePath)); } catch { return false; }
  }
}

