// The stdin payloads of Claude Code hooks (claude 2.1.328, see recipes/claude.md §5), validated at
// the receiver. Only the fields Flightdeck uses are named; unknown fields pass through untouched so a
// newer Claude that adds fields keeps working.
import { z } from 'zod';

/** Hook events Flightdeck installs and understands. */
export const HOOK_EVENTS = [
  'SessionStart', 'UserPromptSubmit', 'PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'PermissionRequest',
  'Notification', 'Stop', 'SubagentStop', 'PreCompact', 'SessionEnd', 'MessageDisplay',
] as const;

/** Events whose hook only reports and must never hold Claude up: installed with `async: true`. */
export const ASYNC_HOOK_EVENTS: ReadonlySet<HookEventName> = new Set(['MessageDisplay']);
export type HookEventName = typeof HOOK_EVENTS[number];

const id = z.string().min(1).max(200);
const text = z.string().max(1_000_000);

const base = {
  session_id: id,
  transcript_path: z.string().max(4096).optional(),
  cwd: z.string().max(4096).optional(),
  prompt_id: z.string().max(200).optional(),
  permission_mode: z.string().max(100).optional(),
  agent_id: z.string().max(200).optional(),
};

const toolInput = z.record(z.string(), z.unknown());

export const HookPayload = z.discriminatedUnion('hook_event_name', [
  z.looseObject({ ...base, hook_event_name: z.literal('SessionStart'), source: z.string().max(100).optional(), model: z.string().max(200).optional() }),
  z.looseObject({ ...base, hook_event_name: z.literal('UserPromptSubmit'), prompt: text }),
  z.looseObject({ ...base, hook_event_name: z.literal('PreToolUse'), tool_name: id, tool_input: toolInput, tool_use_id: id.optional() }),
  z.looseObject({ ...base, hook_event_name: z.literal('PermissionRequest'), tool_name: id, tool_input: toolInput }),
  z.looseObject({ ...base, hook_event_name: z.literal('PostToolUse'), tool_name: id, tool_input: toolInput.optional(), tool_use_id: id.optional() }),
  z.looseObject({
    ...base, hook_event_name: z.literal('PostToolUseFailure'), tool_name: id, tool_input: toolInput.optional(),
    tool_use_id: id.optional(), error: text.optional(), is_interrupt: z.boolean().optional(),
  }),
  z.looseObject({ ...base, hook_event_name: z.literal('Notification'), message: text.optional(), notification_type: z.string().max(100).optional() }),
  z.looseObject({ ...base, hook_event_name: z.literal('Stop'), stop_hook_active: z.boolean().optional() }),
  z.looseObject({ ...base, hook_event_name: z.literal('SubagentStop'), agent_transcript_path: z.string().max(4096).optional() }),
  z.looseObject({ ...base, hook_event_name: z.literal('PreCompact') }),
  z.looseObject({ ...base, hook_event_name: z.literal('SessionEnd'), reason: z.string().max(100).optional() }),
  z.looseObject({
    ...base, hook_event_name: z.literal('MessageDisplay'), turn_id: id.optional(), message_id: id,
    index: z.number().int().nonnegative().max(1_000_000), final: z.boolean().optional(), delta: text,
  }),
]);
export type HookPayload = z.infer<typeof HookPayload>;
export type HookPayloadOf<E extends HookEventName> = Extract<HookPayload, { hook_event_name: E }>;

/** A question of the AskUserQuestion tool input (TUI only). */
export const AskUserQuestionInput = z.looseObject({
  questions: z.array(z.looseObject({
    question: z.string().max(10_000),
    header: z.string().max(1000).optional(),
    multiSelect: z.boolean().optional(),
    options: z.array(z.looseObject({ label: z.string().max(1000), description: z.string().max(10_000).optional() })).max(50).optional(),
  })).min(1).max(20),
});
export type AskUserQuestionInput = z.infer<typeof AskUserQuestionInput>;

/**
 * What the hook answers. Only PermissionRequest and PreToolUse decisions are ever sent; every other
 * event gets an empty answer so Claude carries on as if no hook ran.
 */
export type HookAnswer =
  | { hookSpecificOutput: { hookEventName: 'PermissionRequest'; decision: PermissionDecisionOutput } }
  | null;

export type PermissionDecisionOutput =
  | { behavior: 'allow'; updatedInput?: Record<string, unknown> }
  | { behavior: 'deny'; message: string; interrupt?: boolean };
