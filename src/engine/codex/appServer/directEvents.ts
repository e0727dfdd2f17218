// Everything the app-server tells us, as engine events and transcript items: notifications (turns,
// items, deltas, usage, names, diffs, plans) and server requests (approvals, questions). Unknown or
// malformed input is logged (once per kind) and ignored; it never throws into the transport.
import { randomUUID } from 'node:crypto';
import type { MessageStatus, RateLimits } from '../../protocol';
import type { Clock } from '../../platform/clock';
import { iso } from '../../platform/clock';
import type { SessionEngine } from '../../sessions/engine';
import type { LogFn, LogLevel } from '../../platform/log';
import type { AppServerClient } from './client';
import type { ExitInfo } from './process';
import { describeExit } from './process';
import {
  CommandApprovalParams, FileChangeApprovalParams, IGNORED_NOTIFICATIONS, type NotificationMethod, type NotificationParams,
  Notifications, type RpcId, UserInputRequestParams,
} from './schemas';
import { commandApproval, fileChangeApproval, proposedAmendment, userInputQuestion } from './directApprovals';
import { codexUsageRecord } from '../../history/usageRecords';
import { turnDiffChanges } from './directDiff';
import { codexMessageId, messageFromItem } from './directItems';
import type { DirectState, LiveItem, ThreadState } from './directState';

type Handlers = { [M in NotificationMethod]: (p: NotificationParams<M>, generation: number) => void };

export class DirectEvents {
  private loggedOnce = new Set<string>();

  constructor(
    private readonly engine: SessionEngine,
    private readonly state: DirectState,
    private readonly client: AppServerClient,
    private readonly log: LogFn,
    private readonly clock: Clock,
  ) {}

  onNotification(method: string, params: unknown, generation: number): void {
    if (IGNORED_NOTIFICATIONS.has(method)) return;
    if (!(method in Notifications)) {
      this.logOnce(`unknown:${method}`, 'info', `codex app-server: ignoring notification ${method} (not used by Flightdeck)`);
      return;
    }
    const m = method as NotificationMethod;
    const parsed = Notifications[m].safeParse(params);
    if (!parsed.success) {
      this.logOnce(`invalid:${m}`, 'error', `codex app-server: ignored malformed ${m}: ${parsed.error.message.slice(0, 300)}`);
      return;
    }
    try {
      (this.handlers[m] as (p: unknown, g: number) => void)(parsed.data, generation);
    } catch (e) {
      this.log('error', `codex direct: handling ${m} failed: ${(e as Error).stack ?? e}`);
    }
  }

  onServerRequest(rpcId: RpcId, method: string, params: unknown, generation: number): void {
    try {
      this.serverRequest(rpcId, method, params, generation);
    } catch (e) {
      this.log('error', `codex direct: handling ${method} failed: ${(e as Error).stack ?? e}`);
      this.client.respondError(generation, rpcId, -32603, `Flightdeck failed to handle ${method}`);
    }
  }

  /** The process died: turns it was running end as failed with a clear message; threads need a resume. */
  onProcessExit(info: ExitInfo, generation: number): void {
    for (const st of this.state.threads.values()) {
      if (st.loadedGen !== generation) continue;
      st.loadedGen = null;
      st.resumeAfterRestart = true;
      if (st.turnId && this.engine.getSession(st.sessionId)) {
        const text = `Codex stopped unexpectedly (${describeExit(info)}) during this turn. Flightdeck restarted it; send a message to continue.`;
        this.finishTurn(st, st.turnId, 'failed', { id: `exit-${generation}`, text });
      }
    }
    for (const r of [...this.state.requests.values()]) {
      if (r.generation !== generation) continue;
      this.state.requests.delete(r.id);
      if (this.engine.getSession(r.sessionId)) this.clearRequest(r.sessionId, r.kind, r.id);
    }
  }

  /**
   * Ends a turn: streaming items keep their text and are marked interrupted (or failed), open
   * requests go away, and the session waits for the user (SPEC §2, §4).
   */
  finishTurn(st: ThreadState, turnId: string, status: 'completed' | 'interrupted' | 'failed', error?: { id: string; text: string }): void {
    const sessionId = st.sessionId;
    const itemStatus: MessageStatus = status === 'failed' ? 'failed' : 'interrupted';
    for (const item of st.live.values()) {
      this.engine.updateMessage(sessionId, { id: item.messageId, ...this.liveFields(item), status: itemStatus });
    }
    st.live.clear();
    st.fileChanges.clear();
    for (const r of this.state.requestsOf(st.threadId)) this.state.requests.delete(r.id);
    if (error) {
      this.engine.appendMessage(sessionId, {
        id: codexMessageId(st.threadId, turnId, error.id), kind: 'error', text: error.text, createdAt: iso(this.clock.now()),
        turnId, status: 'failed', isError: true,
      });
    }
    if (st.turnId === turnId) st.turnId = null;
    this.state.markFinished(st, turnId);
    this.engine.apply(sessionId, { type: 'turnCompleted', turnId, status });
  }

  // ---- notifications ---------------------------------------------------------------------------

  private readonly handlers: Handlers = {
    'turn/started': p => {
      const st = this.thread(p.threadId);
      if (!st || st.finishedTurns.has(p.turn.id)) return;
      st.turnId = p.turn.id;
      this.engine.apply(st.sessionId, { type: 'turnStarted', turnId: p.turn.id });
    },
    'turn/completed': p => {
      const st = this.thread(p.threadId);
      if (!st || st.finishedTurns.has(p.turn.id)) return;
      const status = p.turn.status === 'interrupted' ? 'interrupted' : p.turn.status === 'failed' ? 'failed' : 'completed';
      const error = status === 'failed' ? { id: 'error', text: p.turn.error?.message ?? 'the turn failed' } : undefined;
      this.finishTurn(st, p.turn.id, status, error);
    },
    'item/started': p => this.item(p, 'started'),
    'item/completed': p => this.item(p, 'completed'),
    'item/agentMessage/delta': p => this.delta(p, 'text'),
    'item/reasoning/summaryTextDelta': p => this.delta(p, 'text'),
    'item/reasoning/textDelta': p => this.delta(p, 'text'),
    'item/plan/delta': p => this.delta(p, 'text'),
    'item/commandExecution/outputDelta': p => this.delta(p, 'output'),
    'turn/diff/updated': p => {
      const st = this.thread(p.threadId);
      if (st) this.engine.apply(st.sessionId, { type: 'turnDiff', changes: turnDiffChanges(p.diff) });
    },
    'turn/plan/updated': p => {
      const st = this.thread(p.threadId);
      if (!st) return;
      const plan = p.plan.map(s => ({ step: s.step, status: s.status }));
      this.engine.apply(st.sessionId, { type: 'plan', plan });
      const text = [p.explanation, ...plan.map(s => `[${s.status === 'completed' ? 'x' : s.status === 'inProgress' ? '~' : ' '}] ${s.step}`)]
        .filter(Boolean).join('\n');
      this.engine.appendMessage(st.sessionId, {
        id: codexMessageId(p.threadId, p.turnId, 'plan'), kind: 'plan', text, plan, turnId: p.turnId, createdAt: iso(this.clock.now()),
      });
    },
    'thread/tokenUsage/updated': p => {
      const st = this.thread(p.threadId);
      if (!st) return;
      const { total, last, modelContextWindow } = p.tokenUsage;
      const s = this.engine.getSession(st.sessionId);
      if (s && total.totalTokens) {
        this.engine.store.recordTokenUsage(codexUsageRecord(st.sessionId, s.model, {
          totalTokens: total.totalTokens, input: last.inputTokens, cachedInput: last.cachedInputTokens,
          cacheWrite: last.cacheWriteInputTokens ?? 0, output: last.outputTokens, reasoning: last.reasoningOutputTokens ?? 0,
        }, iso(this.clock.now())));
      }
      this.engine.apply(st.sessionId, {
        type: 'tokenTotals',
        usage: {
          input: total.inputTokens, output: total.outputTokens, cached: total.cachedInputTokens,
          // Context fill is the input of the latest model call (the context it saw), not the sum (SPEC §5).
          lastTurnInput: last.inputTokens,
          ...(modelContextWindow ? { contextWindow: modelContextWindow } : {}),
        },
      });
    },
    'account/rateLimits/updated': p => {
      const { primary, secondary } = p.rateLimits;
      // Codex repeats the snapshot with empty windows between reports; keep the last real one.
      if (!primary && !secondary) return;
      const win = (w: typeof primary): RateLimits['primary'] => w ? {
        usedPercent: w.usedPercent, windowMinutes: w.windowDurationMins ?? null,
        resetsAt: w.resetsAt ? iso(w.resetsAt * 1000) : null,
      } : null;
      const rateLimits: RateLimits = { primary: win(primary), secondary: win(secondary) };
      for (const st of this.state.threads.values()) {
        if (this.engine.getSession(st.sessionId)?.status === 'active') this.engine.apply(st.sessionId, { type: 'rateLimits', rateLimits });
      }
    },
    'thread/name/updated': p => {
      const st = this.thread(p.threadId);
      const s = st && this.engine.getSession(st.sessionId);
      if (st && s && (p.threadName ?? null) !== s.customName) this.engine.apply(st.sessionId, { type: 'renamed', name: p.threadName ?? null });
    },
    'serverRequest/resolved': (p, generation) => {
      const r = this.state.findRequest(p.threadId, generation, p.requestId);
      if (!r) return;
      // Resolved without our answer (the turn moved on): withdraw it here too.
      this.state.requests.delete(r.id);
      this.clearRequest(r.sessionId, r.kind, r.id);
    },
    'error': p => {
      this.log(p.willRetry ? 'info' : 'warn', `codex: ${p.error.message}${p.threadId ? ` (thread ${p.threadId})` : ''}`);
    },
  };

  private item(p: NotificationParams<'item/started'>, phase: 'started' | 'completed'): void {
    const st = this.thread(p.threadId);
    if (!st) return;
    const mapped = messageFromItem(p.item, { threadId: p.threadId, turnId: p.turnId, createdAt: iso(this.clock.now()) });
    if (!mapped.ok) {
      this.logOnce(`item:${p.item.type}`, 'info', `codex direct: ${mapped.reason}`);
      return;
    }
    const message = mapped.message;
    if (message.kind === 'fileChange' && message.changes) st.fileChanges.set(p.item.id, message.changes);
    if (phase === 'started') {
      const kind: LiveItem['kind'] = message.kind === 'agent' || message.kind === 'reasoning' || message.kind === 'command' || message.kind === 'plan' ? message.kind : 'other';
      st.live.set(message.id, { messageId: message.id, kind, text: message.text, output: message.output ?? '' });
      this.engine.appendMessage(st.sessionId, { ...message, status: message.status ?? 'inProgress' });
    } else {
      // The final item may lack what was streamed (a command's aggregatedOutput can be null): keep it.
      const live = st.live.get(message.id);
      st.live.delete(message.id);
      if (live?.output && !message.output && message.kind === 'command') message.output = live.output;
      if (live?.text && !message.text) message.text = live.text;
      this.engine.appendMessage(st.sessionId, { ...message, status: message.status ?? 'completed' });
    }
  }

  private delta(p: { threadId: string; turnId: string; itemId: string; delta: string }, field: 'text' | 'output'): void {
    const st = this.thread(p.threadId);
    if (!st) return;
    const messageId = codexMessageId(p.threadId, p.turnId, p.itemId);
    let item = st.live.get(messageId);
    if (!item) {
      item = { messageId, kind: 'other', text: '', output: '' };
      st.live.set(messageId, item);
    }
    item[field] += p.delta;
    // Coalesced by the engine: at most one broadcast per 50 ms per session, carrying the full text so far.
    this.engine.streamMessage(st.sessionId, { id: messageId, [field]: item[field] });
  }

  private liveFields(item: LiveItem): { text?: string; output?: string } {
    if (item.kind === 'command') return item.output ? { output: item.output } : {};
    return { text: item.text };
  }

  // ---- server requests -------------------------------------------------------------------------

  private serverRequest(rpcId: RpcId, method: string, params: unknown, generation: number): void {
    const now = iso(this.clock.now());
    const reject = (code: number, why: string) => {
      this.log('warn', `codex direct: declined ${method}: ${why}`);
      this.client.respondError(generation, rpcId, code, why);
    };
    const open = (kind: 'exec' | 'fileChange' | 'question', threadId: string, amendment: string[] | null) => {
      const st = this.thread(threadId);
      if (!st) return null;
      const id = randomUUID();
      this.state.requests.set(id, { id, kind, threadId, sessionId: st.sessionId, generation, rpcId, amendment });
      return { st, id };
    };
    switch (method) {
      case 'item/commandExecution/requestApproval': {
        const p = CommandApprovalParams.safeParse(params);
        if (!p.success) return reject(-32602, `invalid params: ${p.error.message.slice(0, 200)}`);
        const o = open('exec', p.data.threadId, proposedAmendment(p.data));
        if (!o) return reject(-32602, `thread ${p.data.threadId} is not driven by Flightdeck`);
        this.engine.apply(o.st.sessionId, { type: 'approvalRequested', approval: commandApproval(o.id, p.data, now) });
        return;
      }
      case 'item/fileChange/requestApproval': {
        const p = FileChangeApprovalParams.safeParse(params);
        if (!p.success) return reject(-32602, `invalid params: ${p.error.message.slice(0, 200)}`);
        const o = open('fileChange', p.data.threadId, null);
        if (!o) return reject(-32602, `thread ${p.data.threadId} is not driven by Flightdeck`);
        const changes = o.st.fileChanges.get(p.data.itemId) ?? null;
        this.engine.apply(o.st.sessionId, { type: 'approvalRequested', approval: fileChangeApproval(o.id, p.data, changes, now) });
        return;
      }
      case 'item/tool/requestUserInput': {
        const p = UserInputRequestParams.safeParse(params);
        if (!p.success) return reject(-32602, `invalid params: ${p.error.message.slice(0, 200)}`);
        const o = open('question', p.data.threadId, null);
        if (!o) return reject(-32602, `thread ${p.data.threadId} is not driven by Flightdeck`);
        this.engine.apply(o.st.sessionId, { type: 'questionAsked', question: userInputQuestion(o.id, p.data, now) });
        return;
      }
      default:
        return reject(-32601, `Flightdeck does not handle ${method}`);
    }
  }

  private clearRequest(sessionId: string, kind: 'exec' | 'fileChange' | 'question', id: string): void {
    if (kind === 'question') this.engine.apply(sessionId, { type: 'questionAnswered', questionId: id });
    else this.engine.apply(sessionId, { type: 'approvalCleared', approvalId: id });
  }

  private thread(threadId: string): ThreadState | null {
    const st = this.state.threads.get(threadId);
    if (!st || !this.engine.getSession(st.sessionId)) {
      this.logOnce(`thread:${threadId}`, 'debug', `codex direct: event for thread ${threadId}, which no session of ours drives`);
      return null;
    }
    return st;
  }

  private logOnce(key: string, level: LogLevel, msg: string): void {
    if (this.loggedOnce.has(key)) return;
    if (this.loggedOnce.size > 1000) this.loggedOnce.clear();
    this.loggedOnce.add(key);
    this.log(level, msg);
  }
}
