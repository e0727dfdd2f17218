// Codex direct sessions: Flightdeck owns the thread through `codex app-server` (SPEC §1 kind 1).
// The operations clients ask for (create, send/steer, interrupt, rename, approve, answer, autonomy
// and model, resume, end, list models, takeover) as app-server requests; what comes back is turned
// into engine events by DirectEvents.
import * as fs from 'node:fs';
import type { z } from 'zod';
import type { ApprovalDecision, ModelInfo, PendingApproval, Session } from '../../protocol';
import { ErrorCode } from '../../protocol';
import { AUTONOMY_TO_CODEX, autonomyOf } from '../autonomy';
import type { Clock } from '../../platform/clock';
import type { SessionEngine } from '../../sessions/engine';
import type { LogFn } from '../../platform/log';
import { EngineError } from '../../sessions/errors';
import type { ConfigChange, CreateRequest, ProviderController } from '../../sessions/provider';
import type { AppServerClient } from './client';
import { ModelListResult, SandboxModeName, ThreadOpenResult, TurnStartResult } from './schemas';
import { toCodexDecision, userInputResponse } from './directApprovals';
import { catchUpTurn } from './directCatchUp';
import { DirectEvents } from './directEvents';
import { DirectState, type ThreadState } from './directState';

export interface CodexDirectControllerOptions {
  engine: SessionEngine;
  client: AppServerClient;
  log: LogFn;
  clock: Clock;
  /** Takeover waits until the rollout has been quiet this long (unless forced). */
  takeoverQuietMs?: number;
  /** Leave the app-server to the first operation instead of starting it in start(). */
  lazy?: boolean;
}

const APPROVAL_POLICIES = new Set(['untrusted', 'on-request', 'never']);
const SANDBOX_POLICY: Record<SandboxModeName, { type: string }> = {
  'read-only': { type: 'readOnly' },
  'workspace-write': { type: 'workspaceWrite' },
  'danger-full-access': { type: 'dangerFullAccess' },
};
const SANDBOX_NAME: Record<string, SandboxModeName> = {
  readOnly: 'read-only', workspaceWrite: 'workspace-write', dangerFullAccess: 'danger-full-access',
};

export const DEFAULT_TAKEOVER_QUIET_MS = 10_000;

function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw new EngineError(ErrorCode.providerError, `codex: unexpected answer to ${what}: ${r.error.message.slice(0, 300)}`);
  return r.data;
}

/** App-server failures as protocol errors with a clear message. */
function providerError(e: unknown): EngineError {
  if (e instanceof EngineError) return e;
  const msg = (e as Error)?.message ?? String(e);
  if (/already has an active writer/i.test(msg)) {
    return new EngineError(ErrorCode.conflict, `another Codex process is still writing this thread (${msg}); close it first or try again later`);
  }
  return new EngineError(ErrorCode.providerError, `codex: ${msg}`);
}

function validApprovalPolicy(p: string | null): string | undefined { return p && APPROVAL_POLICIES.has(p) ? p : undefined; }
function validSandbox(m: string | null): SandboxModeName | undefined {
  const r = SandboxModeName.safeParse(m);
  return r.success ? r.data : undefined;
}
function approvalPolicyOf(v: unknown): string | null { return typeof v === 'string' ? v : null; }
function sandboxModeOf(v: { type: string } | null | undefined): string | null { return v ? SANDBOX_NAME[v.type] ?? null : null; }

export class CodexDirectController implements ProviderController {
  readonly provider = 'codex' as const;
  readonly state = new DirectState();
  readonly events: DirectEvents;
  private readonly engine: SessionEngine;
  private readonly client: AppServerClient;
  private readonly log: LogFn;
  private readonly clock: Clock;
  private readonly quietMs: number;
  private readonly lazy: boolean;

  constructor(o: CodexDirectControllerOptions) {
    this.lazy = o.lazy ?? false;
    this.engine = o.engine;
    this.client = o.client;
    this.log = o.log;
    this.clock = o.clock;
    this.quietMs = o.takeoverQuietMs ?? DEFAULT_TAKEOVER_QUIET_MS;
    this.events = new DirectEvents(o.engine, this.state, o.client, o.log, o.clock);
    o.client.handlers = {
      notification: (m, p, g) => this.events.onNotification(m, p, g),
      request: (id, m, p, g) => this.events.onServerRequest(id, m, p, g),
      exit: (info, g) => this.events.onProcessExit(info, g),
      ready: g => this.onReady(g),
    };
  }

  handles(s: Session): boolean { return s.provider === 'codex' && s.mode === 'direct'; }

  /**
   * Picks up the direct sessions the engine restored (call after engine.start()): their threads are
   * resumed on first use; approvals, questions and streaming items from the previous run are void.
   */
  async start(): Promise<void> {
    for (const s of this.engine.listSessions()) {
      if (!this.handles(s) || !s.providerSessionId) continue;
      this.state.track(s.providerSessionId, s.id);
      this.catchUp(s);
      this.clearStale(this.engine.requireSession(s.id));
    }
    if (!this.lazy) await this.client.ensure();
  }

  async stop(): Promise<void> { await this.client.stop(); }

  // ---- operations ------------------------------------------------------------------------------

  async createSession(req: CreateRequest): Promise<Session> {
    await this.requireModel(req.model ?? null, req.effort);
    const policy = req.autonomy ? AUTONOMY_TO_CODEX[req.autonomy] : null;
    let res: ThreadOpenResult;
    let generation: number;
    try {
      const raw = await this.client.request('thread/start', {
        cwd: req.cwd,
        ...(policy ? { approvalPolicy: policy.approvalPolicy, sandbox: policy.sandboxMode } : {}),
        ...(req.model ? { model: req.model } : {}),
      });
      generation = this.client.generation;
      res = parse(ThreadOpenResult, raw, 'thread/start');
    } catch (e) { throw providerError(e); }
    const approvalPolicy = policy?.approvalPolicy ?? approvalPolicyOf(res.approvalPolicy);
    const sandboxMode = policy?.sandboxMode ?? sandboxModeOf(res.sandbox);
    // providerSessionId = thread id from the start, so the passive watcher skips this rollout.
    const s = this.engine.createSession({
      provider: 'codex', mode: 'direct', providerSessionId: res.thread.id, cwd: res.cwd ?? res.thread.cwd ?? req.cwd,
      model: res.model ?? res.thread.model ?? req.model ?? null, autonomy: req.autonomy ?? autonomyOf(approvalPolicy, sandboxMode),
      approvalPolicy, sandboxMode, sourcePath: res.thread.path ?? null, reasoningEffort: req.effort ?? null,
    });
    this.state.track(res.thread.id, s.id).loadedGen = generation;
    if (req.prompt?.trim()) await this.sendMessage(s, req.prompt);
    return this.engine.requireSession(s.id);
  }

  /** A prompt: a new turn, or steering when a turn is running (the same operation for the user). */
  async sendMessage(s: Session, text: string): Promise<void> {
    const st = await this.ensureLoaded(s);
    const input = [{ type: 'text', text, text_elements: [] }];
    try {
      if (st.turnId) {
        try {
          await this.client.request('turn/steer', { threadId: st.threadId, expectedTurnId: st.turnId, input });
          return;
        } catch (e) {
          // The turn ended while the request was on its way: start a new one instead.
          this.log('info', `codex direct: steering failed (${(e as Error).message}); starting a new turn`);
        }
      }
      const cur = this.engine.requireSession(s.id);
      const approvalPolicy = validApprovalPolicy(cur.approvalPolicy);
      const sandbox = validSandbox(cur.sandboxMode);
      const raw = await this.client.request('turn/start', {
        threadId: st.threadId, input,
        ...(approvalPolicy ? { approvalPolicy } : {}),
        ...(sandbox ? { sandboxPolicy: SANDBOX_POLICY[sandbox] } : {}),
        ...(cur.model ? { model: cur.model } : {}),
        ...(cur.reasoningEffort ? { effort: cur.reasoningEffort } : {}),
        ...this.collaborationMode(cur),
      });
      const { turn } = parse(TurnStartResult, raw, 'turn/start');
      if (!st.finishedTurns.has(turn.id) && st.turnId !== turn.id) {
        st.turnId = turn.id;
        this.engine.apply(s.id, { type: 'turnStarted', turnId: turn.id });
      }
    } catch (e) { throw providerError(e); }
  }

  async interrupt(s: Session): Promise<void> {
    const st = s.providerSessionId ? this.state.threads.get(s.providerSessionId) : undefined;
    if (!st?.turnId || st.loadedGen !== this.client.generation) return;
    try {
      await this.client.request('turn/interrupt', { threadId: st.threadId, turnId: st.turnId });
    } catch (e) { throw providerError(e); }
  }

  async rename(s: Session, name: string | null): Promise<void> {
    if (!name) return;
    const st = await this.ensureLoaded(s);
    try {
      await this.client.request('thread/name/set', { threadId: st.threadId, name });
    } catch (e) { throw providerError(e); }
  }

  async decideApproval(s: Session, approval: PendingApproval, decision: ApprovalDecision): Promise<void> {
    const r = this.state.requests.get(approval.approvalId);
    if (!r || r.sessionId !== s.id) {
      throw new EngineError(ErrorCode.staleApproval, `approval ${approval.approvalId} is no longer open in Codex (the turn ended or Codex restarted)`);
    }
    let result: unknown;
    try { result = { decision: toCodexDecision(decision, r.amendment) }; } catch (e) {
      throw new EngineError(ErrorCode.badRequest, (e as Error).message);
    }
    this.state.requests.delete(r.id);
    if (!this.client.respond(r.generation, r.rpcId, result)) {
      this.engine.apply(s.id, { type: 'approvalCleared', approvalId: r.id });
      throw new EngineError(ErrorCode.staleApproval, `approval ${approval.approvalId} belonged to a Codex process that has exited`);
    }
  }

  async answerQuestion(s: Session, questionId: string, answers: Record<string, string | string[]>): Promise<void> {
    const r = this.state.requests.get(questionId);
    if (!r || r.kind !== 'question' || r.sessionId !== s.id) {
      throw new EngineError(ErrorCode.staleApproval, `question ${questionId} is no longer open in Codex`);
    }
    this.state.requests.delete(r.id);
    if (!this.client.respond(r.generation, r.rpcId, userInputResponse(answers))) {
      throw new EngineError(ErrorCode.staleApproval, `question ${questionId} belonged to a Codex process that has exited`);
    }
  }

  /** Autonomy, model, effort and plan mode apply from the next turn on (turn/start carries them); persisted with the session. */
  async updateConfig(s: Session, change: ConfigChange): Promise<void> {
    const model = change.model || change.effort ? await this.requireModel(change.model ?? s.model, change.effort) : null;
    // A new model that does not offer the effort chosen before goes back to its own default.
    const keepsEffort = !change.model || !s.reasoningEffort || !!model?.efforts?.some(e => e.effort === s.reasoningEffort);
    const policy = change.autonomy ? AUTONOMY_TO_CODEX[change.autonomy] : null;
    this.engine.apply(s.id, {
      type: 'metadata',
      ...(change.model ? { model: change.model } : {}),
      ...(change.effort ? { reasoningEffort: change.effort } : keepsEffort ? {} : { reasoningEffort: null }),
      ...(change.planMode !== undefined ? { planMode: change.planMode } : {}),
      ...(policy ? { autonomy: change.autonomy, approvalPolicy: policy.approvalPolicy, sandboxMode: policy.sandboxMode } : {}),
    });
  }

  /**
   * Codex's collaboration mode for the next turn: "plan" (it plans and may ask questions through
   * request_user_input) while the session's planMode is on, "default" once it was switched off;
   * nothing when it was never set. developer_instructions null = Codex's own for the mode.
   */
  private collaborationMode(s: Session): { collaborationMode?: unknown } {
    if (s.planMode === undefined || !s.model) return {};
    return { collaborationMode: { mode: s.planMode ? 'plan' : 'default', settings: { model: s.model, developer_instructions: null } } };
  }

  async resume(s: Session): Promise<void> {
    await this.ensureLoaded(s);
    if (this.engine.requireSession(s.id).status === 'ended') this.engine.apply(s.id, { type: 'reactivated' });
  }

  async end(s: Session): Promise<void> {
    const st = s.providerSessionId ? this.state.threads.get(s.providerSessionId) : undefined;
    if (!st || st.loadedGen !== this.client.generation || !this.client.running) return;
    try {
      if (st.turnId) await this.client.request('turn/interrupt', { threadId: st.threadId, turnId: st.turnId });
      await this.client.request('thread/unsubscribe', { threadId: st.threadId });
    } catch (e) {
      this.log('warn', `codex direct: ending thread ${st.threadId}: ${(e as Error).message}`);
    }
    st.loadedGen = null;
  }

  async listModels(): Promise<ModelInfo[]> {
    const out: ModelInfo[] = [];
    let cursor: string | null = null;
    try {
      for (let page = 0; page < 20; page++) {
        const res: z.infer<typeof ModelListResult> = parse(ModelListResult, await this.client.request('model/list', cursor ? { cursor } : {}), 'model/list');
        for (const m of res.data) {
          if (m.hidden) continue;
          out.push({
            id: m.id, displayName: m.displayName, description: m.description ?? null, isDefault: m.isDefault ?? null,
            efforts: (m.supportedReasoningEfforts ?? []).map(e => ({ effort: e.reasoningEffort, description: e.description ?? null })),
            defaultEffort: m.defaultReasoningEffort ?? null,
          });
        }
        cursor = res.nextCursor ?? null;
        if (!cursor) break;
      }
    } catch (e) { throw providerError(e); }
    return out;
  }

  /**
   * SPEC §6: a passive Codex session becomes direct. Only one writer per thread: refused while the
   * rollout was written less than the quiet time ago (unless forced), and Codex itself refuses while
   * another process holds the thread.
   */
  async takeover(s: Session, force: boolean): Promise<void> {
    if (s.provider !== 'codex' || s.mode !== 'passive') {
      throw new EngineError(ErrorCode.badRequest, 'only passive Codex sessions can be taken over');
    }
    if (!s.providerSessionId) throw new EngineError(ErrorCode.badRequest, 'this session has no Codex thread id yet');
    if (!force && s.sourcePath) {
      let mtime: number | null = null;
      try { mtime = fs.statSync(s.sourcePath).mtimeMs; } catch { mtime = null; }
      const age = mtime === null ? Infinity : this.clock.now() - mtime;
      if (age < this.quietMs) {
        throw new EngineError(ErrorCode.conflict,
          `another Codex process may still be writing this session (its rollout changed ${Math.max(0, Math.round(age / 1000))} s ago); ` +
          `wait until it has been quiet for ${Math.round(this.quietMs / 1000)} s, or force the takeover`);
      }
    }
    const st = this.state.track(s.providerSessionId, s.id);
    st.loadedGen = null;
    await this.resumeThread(st, s);
    const cur = this.engine.requireSession(s.id);
    this.engine.apply(s.id, { type: 'modeChanged', mode: 'direct' });
    this.engine.apply(s.id, { type: 'metadata', autonomy: autonomyOf(cur.approvalPolicy, cur.sandboxMode) });
    if (cur.status === 'ended') this.engine.apply(s.id, { type: 'reactivated' });
    this.log('info', `codex direct: took over thread ${s.providerSessionId} (session ${s.id})`);
  }

  // ---- internals -------------------------------------------------------------------------------

  /** The thread, loaded in the current app-server process (resumed if it is not). */
  private async ensureLoaded(s: Session): Promise<ThreadState> {
    if (!this.handles(s)) throw new EngineError(ErrorCode.notSupported, 'this is not a Codex direct session');
    if (!s.providerSessionId) throw new EngineError(ErrorCode.badRequest, 'this session has no Codex thread');
    const st = this.state.track(s.providerSessionId, s.id);
    try { await this.client.ensure(); } catch (e) { throw providerError(e); }
    if (st.loadedGen === this.client.generation) return st;
    if (!st.loading) st.loading = this.resumeThread(st, s).finally(() => { st.loading = null; });
    await st.loading;
    return st;
  }

  /** thread/resume with the session's approval policy and sandbox: the SAME thread, never a new one. */
  private async resumeThread(st: ThreadState, s: Session): Promise<void> {
    const cur = this.engine.getSession(s.id) ?? s;
    const approvalPolicy = validApprovalPolicy(cur.approvalPolicy);
    const sandbox = validSandbox(cur.sandboxMode);
    let res: ThreadOpenResult;
    try {
      const raw = await this.client.request('thread/resume', {
        threadId: st.threadId, excludeTurns: true,
        ...(approvalPolicy ? { approvalPolicy } : {}), ...(sandbox ? { sandbox } : {}),
      });
      st.loadedGen = this.client.generation;
      res = parse(ThreadOpenResult, raw, 'thread/resume');
    } catch (e) {
      if (/no rollout found/i.test((e as Error).message) && this.engine.getMessages(s.id, { limit: 1 }).length === 0) {
        // A thread that never ran a turn has no rollout to resume; nothing is lost by starting afresh.
        return this.restartEmptyThread(st, cur);
      }
      throw providerError(e);
    }
    st.resumeAfterRestart = false;
    this.engine.apply(s.id, {
      type: 'metadata',
      ...(res.thread.path ? { sourcePath: res.thread.path } : {}),
      ...(!cur.model && res.model ? { model: res.model } : {}),
      ...(!cur.approvalPolicy ? { approvalPolicy: approvalPolicyOf(res.approvalPolicy) } : {}),
      ...(!cur.sandboxMode ? { sandboxMode: sandboxModeOf(res.sandbox) } : {}),
    });
  }

  private async restartEmptyThread(st: ThreadState, s: Session): Promise<void> {
    const approvalPolicy = validApprovalPolicy(s.approvalPolicy);
    const sandbox = validSandbox(s.sandboxMode);
    let res: ThreadOpenResult;
    try {
      const raw = await this.client.request('thread/start', {
        cwd: s.cwd, ...(approvalPolicy ? { approvalPolicy } : {}), ...(sandbox ? { sandbox } : {}), ...(s.model ? { model: s.model } : {}),
      });
      res = parse(ThreadOpenResult, raw, 'thread/start');
    } catch (e) { throw providerError(e); }
    this.log('info', `codex direct: thread ${st.threadId} never ran a turn; continuing in new thread ${res.thread.id}`);
    this.state.rekey(st, res.thread.id);
    st.loadedGen = this.client.generation;
    st.resumeAfterRestart = false;
    this.engine.apply(s.id, { type: 'metadata', providerSessionId: res.thread.id, sourcePath: res.thread.path ?? null });
  }

  /**
   * Checks a model (null: the default one) and an effort against model/list; nothing to check and
   * no request when neither is asked for. The model's entry, when known.
   */
  private async requireModel(model: string | null, effort?: string): Promise<ModelInfo | null> {
    if (!model && !effort) return null;
    const models = await this.listModels();
    const m = model ? models.find(x => x.id === model) : models.find(x => x.isDefault);
    if (model && !m) {
      throw new EngineError(ErrorCode.badRequest, `unknown Codex model ${model} (available: ${models.map(x => x.id).join(', ')})`);
    }
    if (effort && !m?.efforts?.some(e => e.effort === effort)) {
      const offered = m?.efforts?.map(e => e.effort).join(', ');
      throw new EngineError(ErrorCode.badRequest, `model ${m?.id ?? model ?? '(default)'} offers no reasoning effort "${effort}" (${offered ? `offered: ${offered}` : 'it offers none'})`);
    }
    return m ?? null;
  }

  /** After a crash, the threads that were loaded are resumed right away (their sessions stay usable). */
  private onReady(generation: number): void {
    if (generation === 1) return;
    for (const st of this.state.threads.values()) {
      if (!st.resumeAfterRestart) continue;
      const s = this.engine.getSession(st.sessionId);
      if (!s || !this.handles(s)) continue;
      this.ensureLoaded(s).catch(e => this.log('warn', `codex direct: resuming thread ${st.threadId} after a restart failed: ${(e as Error).message}`));
    }
  }

  /**
   * SPEC §7: a turn that was open when the engine stopped is re-read from the rollout (items the
   * store missed, items that finished in the file, the turn's end). thread/resume runs with
   * excludeTurns (its items come without the ids the live connector used); the file has them.
   */
  private catchUp(s: Session): void {
    if (!s.currentTurnId || !s.sourcePath || !s.providerSessionId) return;
    try {
      const r = catchUpTurn(this.engine, s.id, s.providerSessionId, s.currentTurnId, s.sourcePath, this.log);
      if (r.turnStatus) this.engine.apply(s.id, { type: 'turnCompleted', turnId: s.currentTurnId, status: r.turnStatus });
      this.log('info', `codex direct: re-read turn ${s.currentTurnId} of ${s.id} from its rollout after a restart: ${r.added} item(s) added, ${r.finished} finished, the turn ${r.turnStatus ?? 'has no end in the file'}`);
    } catch (e) {
      this.log('warn', `codex direct: re-reading ${s.sourcePath} after a restart failed: ${(e as Error).message}`);
    }
  }

  /** Leftovers of a previous run: nothing can answer those approvals or finish those items now. */
  private clearStale(s: Session): void {
    if (s.pendingApprovals.length) this.engine.apply(s.id, { type: 'approvalCleared' });
    if (s.pendingQuestion) this.engine.apply(s.id, { type: 'questionAnswered' });
    const now = this.engine.requireSession(s.id);
    if (now.workStatus !== 'waiting' && now.workStatus !== 'idle') this.engine.apply(s.id, { type: 'workStatus', workStatus: now.status === 'ended' ? 'idle' : 'waiting' });
    if (now.currentTurnId) this.engine.apply(s.id, { type: 'restored' });
    for (const m of this.engine.getMessages(s.id, { limit: 200 })) {
      if (m.status === 'inProgress') this.engine.updateMessage(s.id, { id: m.id, status: 'interrupted' });
    }
  }
}

