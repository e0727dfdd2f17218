// Turns Claude hook events into session events: sessions are created and found by Claude's
// session_id, work status follows the hooks (SPEC §2, recipes/claude.md §5), approvals and questions
// are raised from PermissionRequest / AskUserQuestion, and a PermissionRequest can be held until a
// decision is made in Flightdeck. The transcript is read before each event is applied, so items
// land in the order Claude wrote them and a late prompt line never overrides a later state.
import { randomUUID } from 'node:crypto';
import type { PendingQuestion, Session } from '../protocol';
import { ErrorCode } from '../protocol';
import type { Clock, TimerHandle } from '../platform/clock';
import { iso } from '../platform/clock';
import type { SessionEngine } from '../sessions/engine';
import type { LogFn } from '../platform/log';
import { EngineError } from '../sessions/errors';
import { CLEAR_REASONS, END_REASONS, LIFECYCLE } from '../sessions/lifecycle';
import { approvalFor, inputKey } from './approvalMapping';
import { DecisionWaiters } from './decisionWaiters';
import { AskUserQuestionInput, type HookAnswer, type HookPayload, type HookPayloadOf, type PermissionDecisionOutput } from './hookPayload';
import type { HookContext } from './receiver';
import type { TranscriptTailer } from './transcriptTailer';

export interface HookSessionsOptions {
  engine: SessionEngine;
  clock: Clock;
  log: LogFn;
  tailer: TranscriptTailer;
  /** Hold PermissionRequest hooks for a decision made in Flightdeck. */
  approvalsFromFlightdeck: boolean;
  approvalTimeoutMs: number;
}

interface PreTool { key: string; toolUseId: string | null }
interface RaisedApproval { key: string; toolUseId: string | null }
interface AskedQuestion { toolUseId: string; input: AskUserQuestionInput }

interface ClaudeState {
  preTools: PreTool[];
  approvals: Map<string, RaisedApproval>;
  questions: Map<string, AskedQuestion>;
  /** Decisions already given, by approval id, so a repeated PermissionRequest gets the same answer. */
  decided: Map<string, PermissionDecisionOutput>;
  live: TimerHandle | null;
}

const PRE_TOOLS_KEPT = 32;
/**
 * How long a permission request waits for its tool call's transcript line, read every TOOL_LINE_POLL_MS.
 * Claude writes the line before it asks, but its writes are asynchronous: under load the request can
 * come first, and its card would point at an item no client has yet.
 */
export const TOOL_LINE_WAIT_MS = 500;
const TOOL_LINE_POLL_MS = 20;
const DECISIONS_KEPT = 32;
const SYNTHETIC_PROMPT = /^\s*<task-notification>/;
const SEP = '\u0001';

export class HookSessions {
  private states = new Map<string, ClaudeState>();
  readonly waiters: DecisionWaiters;

  constructor(private readonly opts: HookSessionsOptions) {
    this.waiters = new DecisionWaiters(opts.clock, key => this.onHookGone(key), key => this.onWaitTimedOut(key));
  }

  /** Restored Claude sessions get their liveness window (SPEC §2: live for 300 s after the last hook event). */
  start(): void {
    for (const s of this.opts.engine.listSessions()) {
      if (s.provider === 'claude' && s.status === 'active') this.touch(s.id, Date.parse(s.lastActivityAt));
    }
  }

  stop(): void {
    this.waiters.releaseAll();
    for (const st of this.states.values()) st.live?.cancel();
    this.states.clear();
  }

  async handle(p: HookPayload, ctx: HookContext): Promise<HookAnswer> {
    const session = this.sessionFor(p, ctx);
    if (!session) return null;
    const sid = session.id;
    const { engine, tailer } = this.opts;
    if (p.transcript_path && p.hook_event_name !== 'SessionEnd') {
      if (session.sourcePath !== p.transcript_path) engine.apply(sid, { type: 'metadata', sourcePath: p.transcript_path });
      tailer.follow(sid, p.transcript_path);
    }
    // Claude's permission mode (default, auto, acceptEdits, plan, ...) is its approval policy.
    if (p.permission_mode && session.approvalPolicy !== p.permission_mode) engine.apply(sid, { type: 'metadata', approvalPolicy: p.permission_mode });
    if (p.hook_event_name === 'MessageDisplay') {
      // One per line of the reply: it keeps the session live, but is not a list change of its own.
      this.touch(sid);
      tailer.liveText.onDelta(sid, { messageId: p.message_id, index: p.index, final: p.final ?? false, delta: p.delta, turnId: p.prompt_id ?? null });
      return null;
    }
    if (p.hook_event_name !== 'SessionEnd') {
      engine.apply(sid, { type: 'activity' });
      this.touch(sid);
    }
    switch (p.hook_event_name) {
      case 'SessionStart':
        if (p.model) engine.apply(sid, { type: 'metadata', model: p.model });
        return null;
      case 'UserPromptSubmit':
        this.clearPending(sid);
        if (SYNTHETIC_PROMPT.test(p.prompt)) engine.apply(sid, { type: 'workStatus', workStatus: 'working' });
        else {
          engine.apply(sid, { type: 'userPrompt', text: p.prompt });
          // Its reply's live text waits for the prompt's transcript line (liveText.ts).
          if (p.prompt_id) tailer.liveText.promptSubmitted(sid, p.prompt_id);
        }
        return null;
      case 'PreToolUse':
        this.onPreToolUse(sid, p);
        return null;
      case 'PermissionRequest':
        return this.onPermissionRequest(sid, p, ctx);
      case 'PostToolUse':
      case 'PostToolUseFailure':
        this.onToolDone(sid, p);
        return null;
      case 'Stop':
        this.waiters.releaseAll(sid + SEP);
        this.state(sid).approvals.clear();
        engine.apply(sid, { type: 'turnCompleted', status: 'completed' });
        return null;
      case 'SessionEnd':
        tailer.readNow(sid);
        tailer.liveText.interrupted(sid);
        tailer.liveText.forget(sid);
        tailer.unfollow(sid);
        this.waiters.releaseAll(sid + SEP);
        this.forget(sid);
        engine.apply(sid, { type: 'ended', reason: END_REASONS.providerEnded });
        return null;
      case 'SubagentStop':
        if (p.agent_transcript_path) tailer.countSubagentUsage(sid, p.agent_transcript_path);
        return null;
      case 'Notification':
      case 'PreCompact':
        return null;
    }
  }

  /** Carries out a decision made in Flightdeck: answers the held hook, or says where to answer instead. */
  decide(session: Session, approvalId: string, output: PermissionDecisionOutput): void {
    const st = this.state(session.id);
    if (!this.waiters.decide(session.id + SEP + approvalId, output)) {
      throw new EngineError(ErrorCode.notSupported, this.opts.approvalsFromFlightdeck
        ? 'Claude is no longer waiting for Flightdeck on this request (the wait timed out); answer it in the Claude terminal'
        : 'approvals from Flightdeck are turned off for Claude; answer this request in the Claude terminal');
    }
    st.approvals.delete(approvalId);
    st.decided.set(approvalId, output);
    if (st.decided.size > DECISIONS_KEPT) st.decided.delete(st.decided.keys().next().value!);
  }

  /** Answers an AskUserQuestion through its held PermissionRequest (allow with the answers filled in). */
  answer(session: Session, questionId: string, answers: Record<string, string | string[]>): void {
    const asked = this.state(session.id).questions.get(questionId);
    const waitKey = session.id + SEP + 'q:' + questionId;
    if (!asked || !this.waiters.has(waitKey)) {
      throw new EngineError(ErrorCode.notSupported, 'Claude asks this question in its own terminal; answer it there');
    }
    const byQuestion: Record<string, string> = {};
    asked.input.questions.forEach((q, i) => {
      const a = answers[questionIdOf(i)] ?? answers[q.question];
      if (a !== undefined) byQuestion[q.question] = Array.isArray(a) ? a.join(', ') : a;
    });
    this.waiters.decide(waitKey, { behavior: 'allow', updatedInput: { ...asked.input, answers: byQuestion } });
    this.state(session.id).questions.delete(questionId);
  }

  // ---- events ------------------------------------------------------------------------------

  private sessionFor(p: HookPayload, ctx: HookContext): Session | null {
    const { engine, log } = this.opts;
    const found = engine.findByProviderId('claude', p.session_id);
    if (found) return found;
    if (p.hook_event_name === 'SessionEnd') {
      log('debug', `claude: SessionEnd for unknown session ${p.session_id}; ignored`);
      return null;
    }
    return engine.createSession({
      provider: 'claude', mode: 'passive', providerSessionId: p.session_id,
      cwd: ctx.projectDir ?? p.cwd ?? null, sourcePath: p.transcript_path ?? null,
      model: p.hook_event_name === 'SessionStart' ? p.model ?? null : null,
    });
  }

  private onPreToolUse(sid: string, p: HookPayloadOf<'PreToolUse'>): void {
    const st = this.state(sid);
    st.preTools.push({ key: inputKey(p.tool_name, p.tool_input), toolUseId: p.tool_use_id ?? null });
    if (st.preTools.length > PRE_TOOLS_KEPT) st.preTools.shift();
    if (p.tool_name === 'AskUserQuestion') {
      const input = AskUserQuestionInput.safeParse(p.tool_input);
      if (input.success) {
        const questionId = p.tool_use_id ?? `question-${randomUUID()}`;
        st.questions.set(questionId, { toolUseId: questionId, input: input.data });
        this.opts.engine.apply(sid, { type: 'questionAsked', question: questionOf(questionId, input.data, iso(this.opts.clock.now())) });
        return;
      }
      this.opts.log('warn', `claude: AskUserQuestion input not understood: ${input.error.issues[0]?.message}`);
    }
    const s = this.opts.engine.requireSession(sid);
    if (s.workStatus !== 'needsApproval' && s.workStatus !== 'needsAnswer') this.opts.engine.apply(sid, { type: 'workStatus', workStatus: 'working' });
  }

  private async onPermissionRequest(sid: string, p: HookPayloadOf<'PermissionRequest'>, ctx: HookContext): Promise<HookAnswer> {
    const { engine, approvalsFromFlightdeck, approvalTimeoutMs } = this.opts;
    const st = this.state(sid);
    const key = inputKey(p.tool_name, p.tool_input);
    // PermissionRequest has no tool_use_id: pair it with the latest PreToolUse of the same call.
    const toolUseId = [...st.preTools].reverse().find(t => t.key === key)?.toolUseId ?? null;

    if (p.tool_name === 'AskUserQuestion' && toolUseId && st.questions.has(toolUseId)) {
      if (!approvalsFromFlightdeck) return null;
      const d = await this.waiters.wait(sid + SEP + 'q:' + toolUseId, approvalTimeoutMs, ctx.signal);
      return d ? permissionOutput(d) : null;
    }

    // Before what follows reads the state: a second request for the call, come meanwhile, then finds this one's approval.
    // Not for a subagent's call (agent_id): its line goes to the subagent's own transcript, not shown as items.
    const line = toolUseId && !p.agent_id ? this.untilToolLine(sid, toolUseId, ctx.signal) : null;
    if (line) await line;
    const repeated = toolUseId ? st.decided.get(toolUseId) : undefined;
    if (repeated) return permissionOutput(repeated);
    const existing = [...st.approvals].find(([, a]) => a.key === key)?.[0];
    const pending = existing !== undefined && engine.requireSession(sid).pendingApprovals.some(a => a.approvalId === existing);
    const approvalId = pending ? existing : toolUseId ?? `permission-${randomUUID()}`;
    // Wait first, raise second: a client may decide synchronously while the request is published.
    const decision = approvalsFromFlightdeck ? this.waiters.wait(sid + SEP + approvalId, approvalTimeoutMs, ctx.signal) : null;
    if (!pending) {
      st.approvals.set(approvalId, { key, toolUseId });
      const s = engine.requireSession(sid);
      engine.apply(sid, {
        type: 'approvalRequested',
        approval: approvalFor({
          approvalId, toolName: p.tool_name, input: p.tool_input, cwd: p.cwd ?? s.cwd,
          itemId: toolUseId ? this.opts.tailer.toolItemId(sid, toolUseId) : null, requestedAt: iso(this.opts.clock.now()), decidable: approvalsFromFlightdeck,
        }),
      });
    }
    const d = await decision;
    return d ? permissionOutput(d) : null;
  }

  /**
   * Until the tool call's item is in the session (read from its transcript), or TOOL_LINE_WAIT_MS; null
   * when it is there already, or no transcript is followed (the request is then raised in the same turn).
   */
  private untilToolLine(sid: string, toolUseId: string, signal: AbortSignal): Promise<void> | null {
    const { tailer, engine, clock } = this.opts;
    const itemId = tailer.toolItemId(sid, toolUseId);
    // readNow reads nothing for a session whose transcript is not followed; then there is nothing to wait for.
    const there = () => { tailer.readNow(sid); return !!engine.getMessage(itemId) || !tailer.isFollowing(sid) || signal.aborted; };
    if (there()) return null;
    return new Promise<void>(resolve => {
      let waited = 0;
      const poll = () => {
        waited += TOOL_LINE_POLL_MS;
        if (there() || waited >= TOOL_LINE_WAIT_MS) resolve();
        else clock.setTimeout(poll, TOOL_LINE_POLL_MS);
      };
      clock.setTimeout(poll, TOOL_LINE_POLL_MS);
    });
  }

  private onToolDone(sid: string, p: HookPayloadOf<'PostToolUse' | 'PostToolUseFailure'>): void {
    const { engine } = this.opts;
    const st = this.state(sid);
    const key = p.tool_input ? inputKey(p.tool_name, p.tool_input) : null;
    // The tool ran or failed, so its approval was answered somewhere (here or in the terminal).
    for (const [approvalId, a] of [...st.approvals]) {
      if ((p.tool_use_id && a.toolUseId === p.tool_use_id) || (key !== null && a.key === key)) {
        st.approvals.delete(approvalId);
        this.waiters.decide(sid + SEP + approvalId, null);
        engine.apply(sid, { type: 'approvalCleared', approvalId });
      }
    }
    if (p.tool_use_id && st.questions.has(p.tool_use_id)) {
      st.questions.delete(p.tool_use_id);
      engine.apply(sid, { type: 'questionAnswered', questionId: p.tool_use_id });
    }
    const s = engine.requireSession(sid);
    if (s.workStatus !== 'needsApproval' && s.workStatus !== 'needsAnswer') engine.apply(sid, { type: 'workStatus', workStatus: 'working' });
  }

  /** A new prompt means whatever was pending was answered or abandoned in the terminal. */
  private clearPending(sid: string): void {
    const st = this.state(sid);
    this.waiters.releaseAll(sid + SEP);
    st.approvals.clear();
    st.questions.clear();
    const s = this.opts.engine.requireSession(sid);
    if (s.pendingApprovals.length) this.opts.engine.apply(sid, { type: 'approvalCleared' });
    if (s.pendingQuestion) this.opts.engine.apply(sid, { type: 'questionAnswered' });
  }

  /** The held hook was killed (the user answered in Claude's own dialog): the request is no longer pending. */
  private onHookGone(key: string): void {
    const [sid, id] = key.split(SEP);
    const s = this.opts.engine.getSession(sid);
    if (!s || id.startsWith('q:')) return;
    this.states.get(sid)?.approvals.delete(id);
    if (s.pendingApprovals.some(a => a.approvalId === id)) this.opts.engine.apply(sid, { type: 'approvalCleared', approvalId: id, reason: CLEAR_REASONS.hookClosed });
  }

  /**
   * Nobody decided in Flightdeck in time: the hook answered "no opinion" and Claude asks in its own
   * terminal. The approval stays pending there, so it is re-issued offering nothing here.
   */
  private onWaitTimedOut(key: string): void {
    const [sid, id] = key.split(SEP);
    const s = this.opts.engine.getSession(sid);
    const a = s?.pendingApprovals.find(x => x.approvalId === id);
    if (!s || !a || a.options.length === 0) return;
    this.opts.engine.apply(sid, { type: 'approvalRequested', approval: { ...a, version: a.version + 1, options: [] } });
  }

  // ---- liveness ----------------------------------------------------------------------------

  private touch(sid: string, lastEventAt = this.opts.clock.now()): void {
    const st = this.state(sid);
    st.live?.cancel();
    const ms = Math.max(0, LIFECYCLE.claudeLiveMs - (this.opts.clock.now() - lastEventAt));
    st.live = this.opts.clock.setTimeout(() => this.expire(sid), ms);
  }

  /**
   * No hook event for 300 s: the session is ended with reason `timeout` (the next hook event revives
   * it), unless it waits for the user, which can take as long as it takes (a Claude that stops sends
   * SessionEnd; one killed outright leaves its approval to the startup cleanup).
   */
  private expire(sid: string): void {
    const s = this.opts.engine.getSession(sid);
    const st = this.states.get(sid);
    if (st) st.live = null;
    if (!s || s.status !== 'active') return;
    if (s.pendingApprovals.length > 0 || s.pendingQuestion) return;
    this.opts.tailer.readNow(sid);
    this.opts.tailer.unfollow(sid);
    this.opts.engine.apply(sid, { type: 'ended', reason: END_REASONS.timeout });
  }

  private state(sid: string): ClaudeState {
    let st = this.states.get(sid);
    if (!st) {
      st = { preTools: [], approvals: new Map(), questions: new Map(), decided: new Map(), live: null };
      this.states.set(sid, st);
    }
    return st;
  }

  private forget(sid: string): void {
    this.states.get(sid)?.live?.cancel();
    this.states.delete(sid);
  }
}

function permissionOutput(decision: PermissionDecisionOutput): HookAnswer {
  return { hookSpecificOutput: { hookEventName: 'PermissionRequest', decision } };
}

function questionIdOf(index: number): string { return `q${index}`; }

function questionOf(questionId: string, input: AskUserQuestionInput, requestedAt: string): PendingQuestion {
  return {
    questionId,
    requestedAt,
    questions: input.questions.map((q, i) => ({
      id: questionIdOf(i), header: q.header ?? null, question: q.question,
      options: q.options?.map(o => ({ label: o.label, description: o.description ?? null })) ?? null,
      multiSelect: q.multiSelect ?? null, allowFreeText: true,
    })),
  };
}
