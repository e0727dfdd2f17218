// The shapes of the Codex rollout lines we read (recipes/codex.md §6, observed in 0.169.0). Loose on
// purpose: unknown keys pass and unknown line types are tolerated, because every Codex release adds
// fields. Only what the mapper uses is declared.
//
// Checked by hand, not with zod: these run for every line of every rollout, and a zod parse copies
// each object it checks (the history import spent a tenth of its allocations there) and put zod's
// 730 KB in the import thread's bundle. test/unit/rollout-shape.test.ts keeps the zod schemas these
// checks replaced and requires the same verdict on the real rollouts and on thousands of mutations.
// What a check returns is the line's own object (typed), not a copy: callers read declared fields only.

type Checked<T> = { success: true; data: T } | { success: false };
type Fields = Record<string, unknown>;
type Nullish<T> = T | null | undefined;

const isFields = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
/** A string, null or absent. */
const optStr = (v: unknown) => v == null || typeof v === 'string';
/** A finite number, null or absent (zod's number refuses NaN and infinities). */
const optNum = (v: unknown) => v == null || (typeof v === 'number' && Number.isFinite(v));
/** Null, absent, or an object passing `check`. */
const optObj = (v: unknown, check: (o: Fields) => boolean) => v == null || (isFields(v) && check(v));
const isArrayOf = (v: unknown, check: (x: unknown) => boolean) => Array.isArray(v) && v.every(check);

/** A check with zod's safeParse shape, so call sites read the same. */
function shape<T>(check: (v: Fields) => boolean): { safeParse(v: unknown): Checked<T> } {
  return { safeParse: v => (isFields(v) && check(v) ? { success: true, data: v as unknown as T } : { success: false }) };
}

const oneOf = (...kinds: string[]) => (v: unknown) => typeof v === 'string' && kinds.includes(v);

export interface RolloutEnvelope { timestamp?: string | null; type: string; payload: unknown }
/** Every line's envelope: a line without a payload is not one (as zod's required `unknown` had it). */
export const RolloutEnvelope = shape<RolloutEnvelope>(v => optStr(v.timestamp) && isStr(v.type) && 'payload' in v);

export interface SessionMeta {
  id: string; timestamp?: string | null; cwd?: string | null; originator?: string | null; source?: unknown;
  cli_version?: string | null; git?: { branch?: string | null } | null;
}
export const SessionMeta = shape<SessionMeta>(v => isStr(v.id) && v.id.length > 0 && optStr(v.timestamp) && optStr(v.cwd)
  && optStr(v.originator) && optStr(v.cli_version) && optObj(v.git, g => optStr(g.branch)));

export interface TurnContext {
  turn_id?: string | null; cwd?: string | null; model?: string | null; approval_policy?: unknown;
  sandbox_policy?: { type?: string | null } | null;
}
export const TurnContext = shape<TurnContext>(v => optStr(v.turn_id) && optStr(v.cwd) && optStr(v.model)
  && optObj(v.sandbox_policy, p => optStr(p.type)));

type Passthrough = Nullish<{ turn_id?: string | null; content_item_kinds?: string[] | null }>;
const isPassthrough = (v: unknown) => optObj(v, p => optStr(p.turn_id) && (p.content_item_kinds == null || isArrayOf(p.content_item_kinds, isStr)));

export interface ContentPart { type?: string | null; text?: string | null }
const isContentPart = (v: unknown) => isFields(v) && optStr(v.type) && optStr(v.text);
const optParts = (v: unknown) => v == null || isArrayOf(v, isContentPart);

export interface ResponseMessage {
  type: 'message'; id?: string | null; role: string; content?: ContentPart[] | string | null;
  internal_chat_message_metadata_passthrough?: Passthrough;
}
export const ResponseMessage = shape<ResponseMessage>(v => v.type === 'message' && optStr(v.id) && isStr(v.role)
  && (v.content == null || isStr(v.content) || isArrayOf(v.content, isContentPart))
  && isPassthrough(v.internal_chat_message_metadata_passthrough));

export interface ResponseReasoning {
  type: 'reasoning'; id?: string | null; summary?: ContentPart[] | null; internal_chat_message_metadata_passthrough?: Passthrough;
}
export const ResponseReasoning = shape<ResponseReasoning>(v => v.type === 'reasoning' && optStr(v.id) && optParts(v.summary)
  && isPassthrough(v.internal_chat_message_metadata_passthrough));

export interface ResponseFunctionCall {
  type: 'function_call' | 'custom_tool_call' | 'local_shell_call'; id?: string | null; call_id?: string | null;
  name?: string | null; arguments?: string | null; input?: string | null; internal_chat_message_metadata_passthrough?: Passthrough;
}
export const ResponseFunctionCall = shape<ResponseFunctionCall>(v => oneOf('function_call', 'custom_tool_call', 'local_shell_call')(v.type)
  && optStr(v.id) && optStr(v.call_id) && optStr(v.name) && optStr(v.arguments) && optStr(v.input)
  && isPassthrough(v.internal_chat_message_metadata_passthrough));

export interface ResponseCallOutput {
  type: 'function_call_output' | 'custom_tool_call_output'; call_id?: string | null; output: unknown;
  internal_chat_message_metadata_passthrough?: Passthrough;
}
export const ResponseCallOutput = shape<ResponseCallOutput>(v => oneOf('function_call_output', 'custom_tool_call_output')(v.type)
  && optStr(v.call_id) && 'output' in v && isPassthrough(v.internal_chat_message_metadata_passthrough));

export interface ResponseWebSearch {
  type: 'web_search_call'; id?: string | null; status?: string | null; action?: { query?: string | null } | null;
  internal_chat_message_metadata_passthrough?: Passthrough;
}
export const ResponseWebSearch = shape<ResponseWebSearch>(v => v.type === 'web_search_call' && optStr(v.id) && optStr(v.status)
  && optObj(v.action, a => optStr(a.query)) && isPassthrough(v.internal_chat_message_metadata_passthrough));

export interface TokenBreakdown {
  input_tokens?: number | null; cached_input_tokens?: number | null; cache_write_input_tokens?: number | null;
  output_tokens?: number | null; reasoning_output_tokens?: number | null; total_tokens?: number | null;
}
const isTokenBreakdown = (t: Fields) => optNum(t.input_tokens) && optNum(t.cached_input_tokens) && optNum(t.cache_write_input_tokens)
  && optNum(t.output_tokens) && optNum(t.reasoning_output_tokens) && optNum(t.total_tokens);

export type RateWindow = Nullish<{ used_percent?: number | null; window_minutes?: number | null; resets_at?: number | null }>;
const isRateWindow = (v: unknown) => optObj(v, w => optNum(w.used_percent) && optNum(w.window_minutes) && optNum(w.resets_at));

export interface TokenCount {
  type: 'token_count';
  info?: { total_token_usage?: TokenBreakdown | null; last_token_usage?: TokenBreakdown | null; model_context_window?: number | null } | null;
  rate_limits?: { primary?: RateWindow; secondary?: RateWindow } | null;
}
export const TokenCount = shape<TokenCount>(v => v.type === 'token_count'
  && optObj(v.info, i => optObj(i.total_token_usage, isTokenBreakdown) && optObj(i.last_token_usage, isTokenBreakdown) && optNum(i.model_context_window))
  && optObj(v.rate_limits, r => isRateWindow(r.primary) && isRateWindow(r.secondary)));

export interface TaskStarted {
  type: 'task_started'; turn_id?: string | null; model_context_window?: number | null;
  /** `turn_trigger: "exec"` for a turn a `codex exec` process runs (null for interactive / app-server turns). */
  turn_attribution?: { turn_trigger?: unknown } | null;
}
export const TaskStarted = shape<TaskStarted>(v => v.type === 'task_started' && optStr(v.turn_id) && optNum(v.model_context_window)
  && optObj(v.turn_attribution, () => true));

export interface TaskComplete { type: 'task_complete'; turn_id?: string | null; duration_ms?: number | null; error?: { message?: string | null } | null }
export const TaskComplete = shape<TaskComplete>(v => v.type === 'task_complete' && optStr(v.turn_id) && optNum(v.duration_ms)
  && optObj(v.error, e => optStr(e.message)));

export interface TurnAborted { type: 'turn_aborted'; turn_id?: string | null; reason?: string | null; duration_ms?: number | null }
export const TurnAborted = shape<TurnAborted>(v => v.type === 'turn_aborted' && optStr(v.turn_id) && optStr(v.reason) && optNum(v.duration_ms));

export interface ThreadSettingsApplied {
  type: 'thread_settings_applied'; thread_settings?: { model?: string | null; approval_policy?: unknown; cwd?: string | null } | null;
}
export const ThreadSettingsApplied = shape<ThreadSettingsApplied>(v => v.type === 'thread_settings_applied'
  && optObj(v.thread_settings, s => optStr(s.model) && optStr(s.cwd)));

export interface ThreadNameUpdated { type: 'thread_name_updated' | 'thread_renamed'; thread_name?: string | null; name?: string | null }
export const ThreadNameUpdated = shape<ThreadNameUpdated>(v => oneOf('thread_name_updated', 'thread_renamed')(v.type)
  && optStr(v.thread_name) && optStr(v.name));

/** Pre-0.169 event forms of chat messages (the same text also appears as a response_item). */
export interface LegacyChat { type: 'user_message' | 'agent_message' | 'agent_reasoning'; message?: string | null; text?: string | null }
export const LegacyChat = shape<LegacyChat>(v => oneOf('user_message', 'agent_message', 'agent_reasoning')(v.type)
  && optStr(v.message) && optStr(v.text));

export interface LegacyError { type: 'error'; message?: string | null }
export const LegacyError = shape<LegacyError>(v => v.type === 'error' && optStr(v.message));

export interface PlanUpdate { type: 'plan_update'; plan: { step: string; status: string }[] }
export const PlanUpdate = shape<PlanUpdate>(v => v.type === 'plan_update'
  && isArrayOf(v.plan, s => isFields(s) && isStr(s.step) && isStr(s.status)));

export interface FileChangeEntry { type: string; content?: string | null; unified_diff?: string | null; move_path?: string | null }
const isFileChangeEntry = (c: unknown) => isFields(c) && isStr(c.type) && optStr(c.content) && optStr(c.unified_diff) && optStr(c.move_path);

export interface CompletedItem {
  type: 'item_completed';
  turn_id?: string | null;
  item: {
    type: string; id?: string | null; content?: ContentPart[] | null; summary_text?: string[] | null;
    command?: string[] | string | null; cwd?: string | null; status?: string | null; exit_code?: number | null;
    aggregated_output?: string | null; duration?: { secs?: number | null; nanos?: number | null } | null;
    changes?: Record<string, FileChangeEntry> | null; stdout?: string | null; stderr?: string | null;
  };
  started_at_ms?: number | null;
  completed_at_ms?: number | null;
}
const isCompletedItemBody = (i: Fields) => isStr(i.type) && optStr(i.id) && optParts(i.content)
  && (i.summary_text == null || isArrayOf(i.summary_text, isStr))
  && (i.command == null || isStr(i.command) || isArrayOf(i.command, isStr))
  && optStr(i.cwd) && optStr(i.status) && optNum(i.exit_code) && optStr(i.aggregated_output)
  && optObj(i.duration, d => optNum(d.secs) && optNum(d.nanos))
  && optObj(i.changes, c => Object.values(c).every(isFileChangeEntry))
  && optStr(i.stdout) && optStr(i.stderr);
export const CompletedItem = shape<CompletedItem>(v => v.type === 'item_completed' && optStr(v.turn_id)
  && isFields(v.item) && isCompletedItemBody(v.item) && optNum(v.started_at_ms) && optNum(v.completed_at_ms));

/** A payload's kind: an object with a string `type`. */
export const EventMsg = shape<{ type: string }>(v => isStr(v.type));

/** A line of `$CODEX_HOME/session_index.jsonl` (sessionIndex.ts). */
export interface SessionIndexLine { id: string; thread_name?: string | null; updated_at?: string | null }
export const SessionIndexLine = shape<SessionIndexLine>(v => isStr(v.id) && v.id.length > 0 && optStr(v.thread_name) && optStr(v.updated_at));
