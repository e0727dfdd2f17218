// One rollout line → what it means for the session: transcript upserts/patches and state-machine
// events. Pure apart from the small per-file state it carries between lines.
//
// Message ids are derived from the thread, the turn and the item (or a hash of the text), never from
// a counter, so they are the same after a restart and when the same line is read again:
// - user and agent messages: a hash of the text within the turn. Codex writes each message twice
//   (response_item and event_msg item_completed, or the older user_message/agent_message events),
//   with different ids; the hash makes both forms land on one transcript item.
// - tool calls: the call id within the turn (function_call, its output and item_completed share it).
// - a line without turn or item id: the file and byte offset of the line.
import type { FileChange, MessagePatch } from '../../protocol';
import { withoutUndefined } from '../../platform/objects';
import { sha256Hex } from '../../platform/sha256';
import type { NewMessage } from '../../sessions/engine';
import type { SessionEvent } from '../../sessions/events';
import { CLEAR_REASONS, END_REASONS } from '../../sessions/lifecycle';
import type { CodexTokens } from '../../history/usageRecords';
import { isBootstrapPayload } from '../../sessions/naming';
import {
  commandText, fileChangesOf, fileUrlToPath, itemStatus, joinText, outputText, parseArgs, parseToolOutput, planOf, policyOf,
  questionOf, rateWindow, realUserText, strOr, timestampOf,
} from './rolloutFields';
import {
  CompletedItem, EventMsg, LegacyChat, LegacyError, PlanUpdate, ResponseCallOutput, ResponseFunctionCall, ResponseMessage,
  ResponseReasoning, ResponseWebSearch, type RolloutEnvelope, SessionMeta, TaskComplete, TaskStarted, ThreadNameUpdated,
  ThreadSettingsApplied, TokenCount, TurnAborted, TurnContext,
} from './rolloutSchema';

export type RolloutOp =
  | { op: 'meta'; meta: SessionMeta }
  /** Append, or update when the id is known (the engine decides). */
  | { op: 'upsert'; message: NewMessage }
  /** Change fields of an item that exists (no-op if it does not). */
  | { op: 'patch'; patch: MessagePatch }
  | { op: 'event'; event: SessionEvent }
  /** Files changed in the current turn; the watcher merges them into the session's turn diff. */
  | { op: 'turnChanges'; changes: FileChange[] }
  /** One model call's tokens (a token_count record), for the usage report. */
  | { op: 'usage'; tokens: CodexTokens; at: string };

export interface MapperState {
  /** The turn of the latest task_started / turn_context, for lines that carry no turn id. */
  turnId: string | null;
  /** Calls already completed by an item_completed line: their *_output line must not overwrite it. */
  completedCalls: Set<string>;
  /** What each open call is, so its output line knows which kind it closes. */
  callKinds: Map<string, CallKind>;
  /** The open turn is run by a `codex exec` process, which exits when the turn ends. */
  execTurn: boolean;
}

type CallKind = 'command' | 'fileChange' | 'question' | 'plan' | 'tool';

export function newMapperState(): MapperState {
  return { turnId: null, completedCalls: new Set(), callKinds: new Map(), execTurn: false };
}

const CALL_KINDS: readonly CallKind[] = ['command', 'fileChange', 'question', 'plan', 'tool'];

/**
 * The state as JSON, persisted with the file's offset: lines after the offset that carry no turn id
 * (older rollouts) get their turn from it, so a restart gives them the ids they had before a crash.
 */
export function saveMapperState(state: MapperState): string {
  return JSON.stringify({ v: 1, turnId: state.turnId, completed: [...state.completedCalls], calls: [...state.callKinds], execTurn: state.execTurn });
}

/** The state saved by saveMapperState; a fresh one for anything else (no state stored, another version). */
export function loadMapperState(json: string | null | undefined): MapperState {
  const state = newMapperState();
  if (!json) return state;
  try {
    const o = JSON.parse(json) as { v?: unknown; turnId?: unknown; completed?: unknown; calls?: unknown; execTurn?: unknown };
    if (o.v !== 1) return state;
    if (typeof o.turnId === 'string') state.turnId = o.turnId;
    state.execTurn = o.execTurn === true;
    if (Array.isArray(o.completed)) for (const c of o.completed) if (typeof c === 'string') state.completedCalls.add(c);
    if (Array.isArray(o.calls)) {
      for (const e of o.calls) {
        if (Array.isArray(e) && typeof e[0] === 'string' && CALL_KINDS.includes(e[1])) state.callKinds.set(e[0], e[1] as CallKind);
      }
    }
  } catch { /* unreadable: start fresh, as before this state was kept */ }
  return state;
}

export interface MapContext {
  threadId: string;
  /** Short stable key of the file, for ids of lines that carry neither turn nor item id. */
  fileKey: string;
  /** Byte offset of the line in its file. */
  offset: number;
  /** The session's current approval policy / sandbox (from earlier lines), for needs-approval. */
  approvalPolicy: string | null;
  sandboxMode: string | null;
  now: number;
  state: MapperState;
}

export interface MapResult { ops: RolloutOp[]; /** Set when the line's payload did not match its type's schema. */ invalid?: string }

const BOUNDED_CALLS = 2048;

export function mapRolloutLine(env: RolloutEnvelope, ctx: MapContext): MapResult {
  const at = timestampOf(env.timestamp, ctx.now);
  switch (env.type) {
    case 'session_meta': {
      const meta = SessionMeta.safeParse(env.payload);
      return meta.success ? { ops: [{ op: 'meta', meta: meta.data }] } : { ops: [], invalid: 'session_meta' };
    }
    case 'turn_context': {
      const tc = TurnContext.safeParse(env.payload);
      if (!tc.success) return { ops: [], invalid: 'turn_context' };
      if (tc.data.turn_id) ctx.state.turnId = tc.data.turn_id;
      return {
        ops: [{
          op: 'event',
          event: withoutUndefined({
            type: 'metadata' as const, cwd: tc.data.cwd ?? undefined, model: tc.data.model ?? undefined,
            approvalPolicy: policyOf(tc.data.approval_policy), sandboxMode: tc.data.sandbox_policy?.type ?? undefined,
          }),
        }],
      };
    }
    case 'response_item': return mapResponseItem(env.payload, ctx, at);
    case 'event_msg': return mapEventMsg(env.payload, ctx, at);
    default: return { ops: [] };
  }
}

// ---- response_item -------------------------------------------------------------------------

function mapResponseItem(payload: unknown, ctx: MapContext, at: string): MapResult {
  const kind = EventMsg.safeParse(payload);
  if (!kind.success) return { ops: [], invalid: 'response_item' };
  switch (kind.data.type) {
    case 'message': {
      const m = ResponseMessage.safeParse(payload);
      if (!m.success) return { ops: [], invalid: 'response_item/message' };
      const turn = turnOf(m.data.internal_chat_message_metadata_passthrough?.turn_id, ctx);
      if (m.data.role === 'user') {
        const text = realUserText(m.data.content, m.data.internal_chat_message_metadata_passthrough?.content_item_kinds);
        return text ? { ops: [userMessage(text, turn, ctx, at)] } : { ops: [] };
      }
      if (m.data.role === 'assistant') {
        const text = joinText(m.data.content);
        return text ? { ops: [agentMessage(text, turn, ctx, at)] } : { ops: [] };
      }
      return { ops: [] };
    }
    case 'reasoning': {
      const r = ResponseReasoning.safeParse(payload);
      if (!r.success) return { ops: [], invalid: 'response_item/reasoning' };
      const text = (r.data.summary ?? []).map(p => p.text ?? '').filter(Boolean).join('\n\n');
      if (!text) return { ops: [] };
      const turn = turnOf(r.data.internal_chat_message_metadata_passthrough?.turn_id, ctx);
      return { ops: [reasoningMessage(text, r.data.id, turn, ctx, at)] };
    }
    case 'function_call': case 'custom_tool_call': case 'local_shell_call': {
      const c = ResponseFunctionCall.safeParse(payload);
      if (!c.success) return { ops: [], invalid: `response_item/${kind.data.type}` };
      return mapCall(c.data, ctx, at);
    }
    case 'function_call_output': case 'custom_tool_call_output': {
      const o = ResponseCallOutput.safeParse(payload);
      if (!o.success) return { ops: [], invalid: `response_item/${kind.data.type}` };
      return mapCallOutput(o.data, ctx);
    }
    case 'web_search_call': {
      const w = ResponseWebSearch.safeParse(payload);
      if (!w.success) return { ops: [], invalid: 'response_item/web_search_call' };
      const turn = turnOf(w.data.internal_chat_message_metadata_passthrough?.turn_id, ctx);
      return {
        ops: [{
          op: 'upsert',
          message: {
            id: idOf(ctx, turn, `web:${w.data.id ?? `@${ctx.offset}`}`), kind: 'webSearch', text: w.data.action?.query ?? '',
            createdAt: at, turnId: turn, status: 'completed',
          },
        }],
      };
    }
    default: return { ops: [] };
  }
}

type Call = ResponseFunctionCall;

function mapCall(c: Call, ctx: MapContext, at: string): MapResult {
  const turn = turnOf(c.internal_chat_message_metadata_passthrough?.turn_id, ctx);
  const callId = c.call_id ?? c.id ?? `@${ctx.offset}`;
  const id = idOf(ctx, turn, `call:${callId}`);
  const name = c.name ?? c.type;
  const args = parseArgs(c.arguments);
  const ops: RolloutOp[] = [];
  // Each item written out whole, not `{ ...base, kind, … }`: a spread followed by more fields gave every
  // item a hidden class (map) of its own past V8's first few clones — ~2 KB more per call, and every
  // later read of the item (its copy, its patches, its row) off V8's fast paths
  // (test/unit/history-item-shape.test.ts).

  if (name === 'exec_command' || name === 'shell' || c.type === 'local_shell_call') {
    rememberCall(ctx.state, callId, 'command');
    const command = commandText(args.cmd ?? args.command);
    ops.push({ op: 'upsert', message: { id, createdAt: at, turnId: turn, toolName: name, status: 'inProgress', kind: 'command', text: command, command, cwd: strOr(args.workdir), toolInput: c.arguments ?? null } });
    if (needsExecApproval(args, ctx)) {
      ops.push({
        op: 'event',
        event: {
          type: 'approvalRequested',
          approval: {
            approvalId: callId, version: 0, kind: 'exec', itemId: id, toolName: name, command, cwd: strOr(args.workdir),
            reason: strOr(args.justification), options: [], requestedAt: at,
          },
        },
      });
    }
  } else if (name === 'apply_patch') {
    rememberCall(ctx.state, callId, 'fileChange');
    const patch = c.input ?? strOr(args.input) ?? '';
    ops.push({ op: 'upsert', message: { id, createdAt: at, turnId: turn, toolName: name, status: 'inProgress', kind: 'fileChange', text: 'apply_patch', toolInput: patch } });
    if (needsPatchApproval(ctx)) {
      ops.push({
        op: 'event',
        event: {
          type: 'approvalRequested',
          approval: { approvalId: callId, version: 0, kind: 'fileChange', itemId: id, toolName: name, options: [], requestedAt: at },
        },
      });
    }
  } else if (name === 'update_plan') {
    rememberCall(ctx.state, callId, 'plan');
    const plan = planOf(args.plan);
    ops.push({ op: 'upsert', message: { id, createdAt: at, turnId: turn, toolName: name, status: 'completed', kind: 'plan', text: strOr(args.explanation) ?? '', plan } });
    ops.push({ op: 'event', event: { type: 'plan', plan } });
  } else if (name === 'request_user_input') {
    rememberCall(ctx.state, callId, 'question');
    ops.push({ op: 'upsert', message: { id, createdAt: at, turnId: turn, toolName: name, status: 'inProgress', kind: 'tool', text: 'request_user_input', toolInput: c.arguments ?? null } });
    const question = questionOf(callId, args.questions, at);
    if (question) ops.push({ op: 'event', event: { type: 'questionAsked', question } });
  } else {
    rememberCall(ctx.state, callId, 'tool');
    ops.push({ op: 'upsert', message: { id, createdAt: at, turnId: turn, toolName: name, status: 'inProgress', kind: 'tool', text: name, toolInput: c.arguments ?? c.input ?? null } });
  }
  return { ops };
}

function mapCallOutput(o: ResponseCallOutput, ctx: MapContext): MapResult {
  const turn = turnOf(o.internal_chat_message_metadata_passthrough?.turn_id, ctx);
  const callId = o.call_id ?? `@${ctx.offset}`;
  const id = idOf(ctx, turn, `call:${callId}`);
  const kind = ctx.state.callKinds.get(callId);
  ctx.state.callKinds.delete(callId);
  const ops: RolloutOp[] = [];
  // Unknown kind (the call was read before a restart): clear whichever of the two it opened.
  if (kind === 'question' || kind === undefined) ops.push({ op: 'event', event: { type: 'questionAnswered', questionId: callId } });
  if (kind !== 'question') ops.push({ op: 'event', event: { type: 'approvalCleared', approvalId: callId, reason: CLEAR_REASONS.terminalAnswered } });
  // Its item_completed came first and said it all; the call is closed now, so the state stays small.
  if (ctx.state.completedCalls.delete(callId)) return { ops };
  const text = outputText(o.output);
  const parsed = parseToolOutput(text);
  ops.push({
    op: 'patch',
    patch: {
      id, output: parsed.output,
      status: parsed.declined ? 'declined' : parsed.exitCode !== undefined && parsed.exitCode !== 0 ? 'failed' : 'completed',
      ...(parsed.exitCode !== undefined ? { exitCode: parsed.exitCode, isError: parsed.exitCode !== 0 } : {}),
      ...(parsed.declined ? { isError: true } : {}),
    },
  });
  return { ops };
}

// ---- event_msg -----------------------------------------------------------------------------

function mapEventMsg(payload: unknown, ctx: MapContext, at: string): MapResult {
  const kind = EventMsg.safeParse(payload);
  if (!kind.success) return { ops: [], invalid: 'event_msg' };
  switch (kind.data.type) {
    case 'task_started': {
      const t = TaskStarted.safeParse(payload);
      if (!t.success || !t.data.turn_id) return { ops: [], invalid: 'event_msg/task_started' };
      ctx.state.turnId = t.data.turn_id;
      ctx.state.callKinds.clear();
      ctx.state.execTurn = t.data.turn_attribution?.turn_trigger === 'exec';
      const ops: RolloutOp[] = [
        { op: 'event', event: { type: 'turnStarted', turnId: t.data.turn_id } },
        { op: 'upsert', message: { id: idOf(ctx, t.data.turn_id, 'turn'), kind: 'turn', text: '', createdAt: at, turnId: t.data.turn_id, status: 'inProgress' } },
      ];
      if (t.data.model_context_window) ops.push({ op: 'event', event: { type: 'tokenTotals', usage: { contextWindow: t.data.model_context_window } } });
      return { ops };
    }
    case 'task_complete': {
      const t = TaskComplete.safeParse(payload);
      if (!t.success) return { ops: [], invalid: 'event_msg/task_complete' };
      const turn = turnOf(t.data.turn_id, ctx);
      const failed = !!t.data.error;
      const ops: RolloutOp[] = [
        { op: 'event', event: { type: 'turnCompleted', turnId: turn, status: failed ? 'failed' : 'completed' } },
        { op: 'patch', patch: { id: idOf(ctx, turn, 'turn'), status: failed ? 'failed' : 'completed', durationMs: t.data.duration_ms ?? null, isError: failed || null } },
      ];
      if (failed) {
        ops.push({
          op: 'upsert',
          message: { id: idOf(ctx, turn, 'error'), kind: 'error', text: t.data.error?.message ?? 'The turn failed', createdAt: at, turnId: turn, isError: true },
        });
      }
      return { ops: [...ops, ...execDone(ctx)] };
    }
    case 'turn_aborted': {
      const t = TurnAborted.safeParse(payload);
      if (!t.success) return { ops: [], invalid: 'event_msg/turn_aborted' };
      const turn = turnOf(t.data.turn_id, ctx);
      return {
        ops: [
          { op: 'event', event: { type: 'turnCompleted', turnId: turn, status: 'interrupted' } },
          { op: 'patch', patch: { id: idOf(ctx, turn, 'turn'), status: 'interrupted', durationMs: t.data.duration_ms ?? null, text: t.data.reason ?? '' } },
          ...execDone(ctx),
        ],
      };
    }
    case 'token_count': {
      const t = TokenCount.safeParse(payload);
      if (!t.success) return { ops: [], invalid: 'event_msg/token_count' };
      const ops: RolloutOp[] = [];
      const info = t.data.info;
      if (info?.total_token_usage) {
        const total = info.total_token_usage;
        ops.push({
          op: 'event',
          event: {
            type: 'tokenTotals',
            usage: withoutUndefined({
              input: total.input_tokens ?? undefined, output: total.output_tokens ?? undefined,
              cached: total.cached_input_tokens ?? undefined, lastTurnInput: info.last_token_usage?.input_tokens ?? undefined,
              contextWindow: info.model_context_window || undefined,
            }),
          },
        });
      }
      const last = info?.last_token_usage;
      if (last && info?.total_token_usage?.total_tokens) {
        ops.push({
          op: 'usage', at,
          tokens: {
            totalTokens: info.total_token_usage.total_tokens, input: last.input_tokens ?? 0, cachedInput: last.cached_input_tokens ?? 0,
            cacheWrite: last.cache_write_input_tokens ?? 0, output: last.output_tokens ?? 0, reasoning: last.reasoning_output_tokens ?? 0,
          },
        });
      }
      const rl = t.data.rate_limits;
      if (rl && (rl.primary || rl.secondary)) {
        ops.push({ op: 'event', event: { type: 'rateLimits', rateLimits: { primary: rateWindow(rl.primary), secondary: rateWindow(rl.secondary) } } });
      }
      return { ops };
    }
    case 'thread_settings_applied': {
      const t = ThreadSettingsApplied.safeParse(payload);
      if (!t.success || !t.data.thread_settings) return { ops: [] };
      const s = t.data.thread_settings;
      return {
        ops: [{
          op: 'event',
          event: withoutUndefined({ type: 'metadata' as const, model: s.model ?? undefined, cwd: s.cwd ?? undefined, approvalPolicy: policyOf(s.approval_policy) }),
        }],
      };
    }
    case 'thread_name_updated': case 'thread_renamed': {
      const t = ThreadNameUpdated.safeParse(payload);
      const name = t.success ? t.data.thread_name ?? t.data.name : null;
      return name ? { ops: [{ op: 'event', event: { type: 'renamed', name } }] } : { ops: [] };
    }
    case 'user_message': case 'agent_message': case 'agent_reasoning': {
      const l = LegacyChat.safeParse(payload);
      const text = l.success ? (l.data.message ?? l.data.text ?? '').trim() : '';
      if (!text) return { ops: [] };
      const turn = turnOf(null, ctx);
      if (kind.data.type === 'user_message') return isBootstrapPayload(text) ? { ops: [] } : { ops: [userMessage(text, turn, ctx, at)] };
      if (kind.data.type === 'agent_message') return { ops: [agentMessage(text, turn, ctx, at)] };
      return { ops: [reasoningMessage(text, null, turn, ctx, at)] };
    }
    case 'plan_update': {
      const p = PlanUpdate.safeParse(payload);
      if (!p.success) return { ops: [], invalid: 'event_msg/plan_update' };
      return { ops: [{ op: 'event', event: { type: 'plan', plan: planOf(p.data.plan) } }] };
    }
    case 'error': {
      const e = LegacyError.safeParse(payload);
      const turn = turnOf(null, ctx);
      return {
        ops: [{
          op: 'upsert',
          message: { id: idOf(ctx, null, `error@${ctx.offset}`), kind: 'error', text: (e.success && e.data.message) || 'Error', createdAt: at, turnId: turn, isError: true },
        }],
      };
    }
    case 'item_completed': {
      const c = CompletedItem.safeParse(payload);
      if (!c.success) return { ops: [], invalid: 'event_msg/item_completed' };
      return mapCompletedItem(c.data, ctx, at);
    }
    default: return { ops: [] };
  }
}

function mapCompletedItem(c: CompletedItem, ctx: MapContext, at: string): MapResult {
  const turn = turnOf(c.turn_id, ctx);
  const item = c.item;
  const duration = c.started_at_ms != null && c.completed_at_ms != null ? c.completed_at_ms - c.started_at_ms : null;
  switch (item.type) {
    case 'UserMessage': {
      const text = joinText(item.content);
      return text && !isBootstrapPayload(text) ? { ops: [userMessage(text, turn, ctx, at)] } : { ops: [] };
    }
    case 'AgentMessage': {
      const text = joinText(item.content);
      return text ? { ops: [agentMessage(text, turn, ctx, at)] } : { ops: [] };
    }
    case 'Reasoning': {
      const text = (item.summary_text ?? []).filter(Boolean).join('\n\n');
      return text ? { ops: [reasoningMessage(text, item.id ?? null, turn, ctx, at)] } : { ops: [] };
    }
    case 'CommandExecution': {
      const callId = item.id ?? `@${ctx.offset}`;
      completeCall(ctx.state, callId);
      const command = commandText(item.command);
      const exitCode = item.exit_code ?? null;
      const durationMs = item.duration ? Math.round((item.duration.secs ?? 0) * 1000 + (item.duration.nanos ?? 0) / 1e6) : duration;
      return {
        ops: [
          { op: 'event', event: { type: 'approvalCleared', approvalId: callId, reason: CLEAR_REASONS.terminalAnswered } },
          {
            op: 'upsert',
            message: {
              id: idOf(ctx, turn, `call:${callId}`), kind: 'command', text: command, command, createdAt: at, turnId: turn,
              cwd: fileUrlToPath(item.cwd), output: item.aggregated_output ?? null, exitCode, durationMs,
              status: itemStatus(item.status, exitCode), isError: exitCode !== null ? exitCode !== 0 : item.status === 'failed',
              toolName: 'exec_command',
            },
          },
        ],
      };
    }
    case 'FileChange': {
      const callId = item.id ?? `@${ctx.offset}`;
      completeCall(ctx.state, callId);
      const changes = fileChangesOf(item.changes ?? {});
      const status = itemStatus(item.status, null);
      const ops: RolloutOp[] = [
        { op: 'event', event: { type: 'approvalCleared', approvalId: callId, reason: CLEAR_REASONS.terminalAnswered } },
        {
          op: 'upsert',
          message: {
            id: idOf(ctx, turn, `call:${callId}`), kind: 'fileChange', text: 'apply_patch', createdAt: at, turnId: turn, changes, status,
            output: [item.stdout, item.stderr].filter(Boolean).join('\n') || null, isError: status === 'failed', durationMs: duration,
            toolName: 'apply_patch',
          },
        },
      ];
      if (status === 'completed' && changes.length) ops.push({ op: 'turnChanges', changes });
      return { ops };
    }
    default: return { ops: [] };
  }
}

// ---- helpers -------------------------------------------------------------------------------

/**
 * A `codex exec` process exits with its turn: the session is done, not waiting for anyone (a later
 * `codex exec resume` appends to the file and reactivates it).
 */
function execDone(ctx: MapContext): RolloutOp[] {
  if (!ctx.state.execTurn) return [];
  ctx.state.execTurn = false;
  return [{ op: 'event', event: { type: 'ended', reason: END_REASONS.execFinished } }];
}

function userMessage(text: string, turn: string | null, ctx: MapContext, at: string): RolloutOp {
  return { op: 'upsert', message: { id: idOf(ctx, turn, `user:${hash(text)}`), kind: 'user', text, createdAt: at, turnId: turn } };
}

function agentMessage(text: string, turn: string | null, ctx: MapContext, at: string): RolloutOp {
  return { op: 'upsert', message: { id: idOf(ctx, turn, `agent:${hash(text)}`), kind: 'agent', text, createdAt: at, turnId: turn, status: 'completed' } };
}

function reasoningMessage(text: string, itemId: string | null | undefined, turn: string | null, ctx: MapContext, at: string): RolloutOp {
  return { op: 'upsert', message: { id: idOf(ctx, turn, `reasoning:${itemId ?? hash(text)}`), kind: 'reasoning', text, createdAt: at, turnId: turn } };
}

/**
 * `<thread>:<turn>:<key>`, or `<thread>:@<file>:<offset>:<key>` when the line's turn is unknown.
 * Joined, not a template: a template makes a tree of ~6 cons strings that every Map and Set lookup of
 * the id walks, and that postMessage flattens into a new string when the unit goes to the writing
 * thread — by then in the old generation, since the id outlived a few scavenges. One flat string from
 * the start: the Codex half of 1 GB of short messages imported ~2.5 % faster (farm-bench, 6 pairs).
 */
function idOf(ctx: MapContext, turn: string | null, key: string): string {
  return turn ? ['codex', ctx.threadId, turn, key].join(':') : ['codex', ctx.threadId, `@${ctx.fileKey}`, ctx.offset, key].join(':');
}

function turnOf(lineTurn: string | null | undefined, ctx: MapContext): string | null {
  return lineTurn || ctx.state.turnId;
}

function hash(text: string): string {
  return sha256Hex(text).slice(0, 16);
}

/**
 * A rollout records no approval request, only the call. A call Codex must ask about before it runs
 * (an escalated command, a patch in a read-only sandbox) under a policy that asks is taken as
 * waiting for approval until its result line arrives.
 */
function needsExecApproval(args: Record<string, unknown>, ctx: MapContext): boolean {
  return asksUser(ctx.approvalPolicy) && args.sandbox_permissions === 'require_escalated';
}

function needsPatchApproval(ctx: MapContext): boolean {
  return asksUser(ctx.approvalPolicy) && ctx.sandboxMode === 'read-only';
}

function asksUser(policy: string | null): boolean {
  return policy !== null && policy !== 'never';
}

function rememberCall(state: MapperState, callId: string, kind: CallKind): void {
  if (state.callKinds.size >= BOUNDED_CALLS) state.callKinds.clear();
  state.callKinds.set(callId, kind);
}

function completeCall(state: MapperState, callId: string): void {
  if (state.completedCalls.size >= BOUNDED_CALLS) state.completedCalls.clear();
  state.completedCalls.add(callId);
}
