// zod schemas of the Codex rollout lines we read (recipes/codex.md §6, observed in 0.169.0). Loose
// on purpose: unknown keys are ignored and unknown line types are tolerated, because every Codex
// release adds fields. Only what the mapper uses is declared.
import { z } from 'zod';

const str = z.string();
const optStr = z.string().nullish();
const optNum = z.number().nullish();

type Checked<T> = { success: true; data: T } | { success: false };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface RolloutEnvelope { timestamp?: string | null; type: string; payload?: unknown }

/**
 * Every line's envelope: an object whose `type` is a string and whose `timestamp` is a string, null or
 * absent. Checked by hand rather than by a zod object: this runs for every line of every rollout (and
 * EventMsg below for most), and zod's parse copies the object it checks — with EventMsg, a few hundred
 * bytes of garbage per line that the history import's collector then spent its time on.
 */
export const RolloutEnvelope = {
  safeParse(raw: unknown): Checked<RolloutEnvelope> {
    if (!isRecord(raw) || typeof raw.type !== 'string') return { success: false };
    const t = raw.timestamp;
    if (t !== undefined && t !== null && typeof t !== 'string') return { success: false };
    return { success: true, data: raw as unknown as RolloutEnvelope };
  },
};

export const SessionMeta = z.object({
  id: str.min(1),
  timestamp: optStr,
  cwd: optStr,
  originator: optStr,
  source: z.unknown().optional(),
  cli_version: optStr,
  git: z.object({ branch: optStr }).nullish(),
});
export type SessionMeta = z.infer<typeof SessionMeta>;

export const TurnContext = z.object({
  turn_id: optStr,
  cwd: optStr,
  model: optStr,
  approval_policy: z.unknown().optional(),
  sandbox_policy: z.object({ type: optStr }).nullish(),
});

const Passthrough = z.object({ turn_id: optStr, content_item_kinds: z.array(str).nullish() }).nullish();

const ContentPart = z.object({ type: optStr, text: optStr });

export const ResponseMessage = z.object({
  type: z.literal('message'),
  id: optStr,
  role: str,
  content: z.union([z.array(ContentPart), z.string()]).nullish(),
  internal_chat_message_metadata_passthrough: Passthrough,
});

export const ResponseReasoning = z.object({
  type: z.literal('reasoning'),
  id: optStr,
  summary: z.array(ContentPart).nullish(),
  internal_chat_message_metadata_passthrough: Passthrough,
});

export const ResponseFunctionCall = z.object({
  type: z.enum(['function_call', 'custom_tool_call', 'local_shell_call']),
  id: optStr,
  call_id: optStr,
  name: optStr,
  arguments: optStr,
  input: optStr,
  internal_chat_message_metadata_passthrough: Passthrough,
});

export const ResponseCallOutput = z.object({
  type: z.enum(['function_call_output', 'custom_tool_call_output']),
  call_id: optStr,
  output: z.unknown(),
  internal_chat_message_metadata_passthrough: Passthrough,
});

export const ResponseWebSearch = z.object({
  type: z.literal('web_search_call'),
  id: optStr,
  status: optStr,
  action: z.object({ query: optStr }).nullish(),
  internal_chat_message_metadata_passthrough: Passthrough,
});

const TokenBreakdown = z.object({
  input_tokens: optNum,
  cached_input_tokens: optNum,
  cache_write_input_tokens: optNum,
  output_tokens: optNum,
  reasoning_output_tokens: optNum,
  total_tokens: optNum,
});

const RateWindow = z.object({ used_percent: optNum, window_minutes: optNum, resets_at: optNum }).nullish();

export const TokenCount = z.object({
  type: z.literal('token_count'),
  info: z.object({
    total_token_usage: TokenBreakdown.nullish(),
    last_token_usage: TokenBreakdown.nullish(),
    model_context_window: optNum,
  }).nullish(),
  rate_limits: z.object({ primary: RateWindow, secondary: RateWindow }).nullish(),
});

export const TaskStarted = z.object({
  type: z.literal('task_started'), turn_id: optStr, model_context_window: optNum,
  /** `turn_trigger: "exec"` for a turn a `codex exec` process runs (null for interactive / app-server turns). */
  turn_attribution: z.object({ turn_trigger: z.unknown().optional() }).nullish(),
});
export const TaskComplete = z.object({
  type: z.literal('task_complete'),
  turn_id: optStr,
  duration_ms: optNum,
  error: z.object({ message: optStr }).nullish(),
});
export const TurnAborted = z.object({ type: z.literal('turn_aborted'), turn_id: optStr, reason: optStr, duration_ms: optNum });

export const ThreadSettingsApplied = z.object({
  type: z.literal('thread_settings_applied'),
  thread_settings: z.object({ model: optStr, approval_policy: z.unknown().optional(), cwd: optStr }).nullish(),
});

export const ThreadNameUpdated = z.object({
  type: z.enum(['thread_name_updated', 'thread_renamed']),
  thread_name: optStr,
  name: optStr,
});

/** Pre-0.169 event forms of chat messages (the same text also appears as a response_item). */
export const LegacyChat = z.object({
  type: z.enum(['user_message', 'agent_message', 'agent_reasoning']),
  message: optStr,
  text: optStr,
});

export const LegacyError = z.object({ type: z.literal('error'), message: optStr });

export const PlanUpdate = z.object({
  type: z.literal('plan_update'),
  plan: z.array(z.object({ step: str, status: str })),
});

const Duration = z.object({ secs: optNum, nanos: optNum }).nullish();

export const CompletedItem = z.object({
  type: z.literal('item_completed'),
  turn_id: optStr,
  item: z.object({
    type: str,
    id: optStr,
    content: z.array(ContentPart).nullish(),
    summary_text: z.array(str).nullish(),
    command: z.union([z.array(str), z.string()]).nullish(),
    cwd: optStr,
    status: optStr,
    exit_code: optNum,
    aggregated_output: optStr,
    duration: Duration,
    changes: z.record(str, z.object({
      type: str,
      content: optStr,
      unified_diff: optStr,
      move_path: optStr,
    })).nullish(),
    stdout: optStr,
    stderr: optStr,
  }),
  started_at_ms: optNum,
  completed_at_ms: optNum,
});

/** A payload's kind (an object with a string `type`), checked by hand like RolloutEnvelope. */
export const EventMsg = {
  safeParse(payload: unknown): Checked<{ type: string }> {
    return isRecord(payload) && typeof payload.type === 'string' ? { success: true, data: payload as { type: string } } : { success: false };
  },
};
