// zod schemas of the app-server messages Flightdeck uses, written from the JSON Schema that codex
// 0.169.0 generates (shared/samples/codex/schema/). Only the fields we read are declared; unknown
// fields pass through untouched so newer codex versions still validate.
import { z } from 'zod';

export const RpcId = z.union([z.number(), z.string()]);
export type RpcId = z.infer<typeof RpcId>;

export const RpcEnvelope = z.object({
  id: RpcId.optional(),
  method: z.string().optional(),
  params: z.unknown().optional(),
  result: z.unknown().optional(),
  error: z.object({ code: z.number(), message: z.string(), data: z.unknown().optional() }).optional(),
});

// ---- results of our requests ------------------------------------------------------------------

export const SandboxModeName = z.enum(['read-only', 'workspace-write', 'danger-full-access']);
export type SandboxModeName = z.infer<typeof SandboxModeName>;

/** The sandbox as results report it ({type:"workspaceWrite", ...}). */
const SandboxPolicyOut = z.looseObject({ type: z.string() });

const Thread = z.looseObject({
  id: z.string(),
  path: z.string().nullish(),
  cwd: z.string().nullish(),
  model: z.string().nullish(),
  name: z.string().nullish(),
});

/** thread/start and thread/resume answer alike. */
export const ThreadOpenResult = z.looseObject({
  thread: Thread,
  model: z.string().nullish(),
  cwd: z.string().nullish(),
  approvalPolicy: z.unknown().optional(),
  sandbox: SandboxPolicyOut.nullish(),
});
export type ThreadOpenResult = z.infer<typeof ThreadOpenResult>;

export const TurnRef = z.looseObject({
  id: z.string(),
  status: z.string(),
  error: z.looseObject({ message: z.string(), codexErrorInfo: z.unknown().optional() }).nullish(),
});

export const TurnStartResult = z.looseObject({ turn: TurnRef });
export const TurnSteerResult = z.looseObject({ turnId: z.string().optional() });

export const CodexModel = z.looseObject({
  id: z.string(),
  model: z.string(),
  displayName: z.string(),
  description: z.string().nullish(),
  hidden: z.boolean().nullish(),
  isDefault: z.boolean().nullish(),
  supportedReasoningEfforts: z.array(z.looseObject({ reasoningEffort: z.string(), description: z.string().nullish() })).nullish(),
  defaultReasoningEffort: z.string().nullish(),
});
export const ModelListResult = z.looseObject({ data: z.array(CodexModel), nextCursor: z.string().nullish() });

export const InitializeResult = z.looseObject({ userAgent: z.string(), codexHome: z.string().nullish() });

// ---- thread items (item/started, item/completed) ---------------------------------------------

/** The envelope every item has; the per-type fields are read in items.ts with the schemas below. */
export const ThreadItem = z.looseObject({ type: z.string(), id: z.string() });
export type ThreadItem = z.infer<typeof ThreadItem>;

export const UserMessageItem = z.looseObject({
  type: z.literal('userMessage'), id: z.string(),
  content: z.array(z.looseObject({ type: z.string(), text: z.string().optional() })),
});
export const AgentMessageItem = z.looseObject({ type: z.literal('agentMessage'), id: z.string(), text: z.string() });
export const ReasoningItem = z.looseObject({
  type: z.literal('reasoning'), id: z.string(),
  summary: z.array(z.string()).nullish(), content: z.array(z.string()).nullish(),
});
export const ItemStatus = z.enum(['inProgress', 'completed', 'failed', 'declined']);
export const CommandExecutionItem = z.looseObject({
  type: z.literal('commandExecution'), id: z.string(), command: z.string(), cwd: z.string().nullish(),
  status: ItemStatus, aggregatedOutput: z.string().nullish(), exitCode: z.number().int().nullish(),
  durationMs: z.number().nullish(),
});
export const PatchChangeKind = z.looseObject({ type: z.enum(['add', 'delete', 'update']), move_path: z.string().nullish() });
export const FileUpdateChange = z.looseObject({ path: z.string(), kind: PatchChangeKind, diff: z.string() });
export const FileChangeItem = z.looseObject({
  type: z.literal('fileChange'), id: z.string(), status: ItemStatus, changes: z.array(FileUpdateChange),
});
export const PlanItem = z.looseObject({ type: z.literal('plan'), id: z.string(), text: z.string() });
export const WebSearchItem = z.looseObject({
  type: z.literal('webSearch'), id: z.string(), query: z.string().nullish(), action: z.unknown().optional(),
});
export const McpToolCallItem = z.looseObject({
  type: z.literal('mcpToolCall'), id: z.string(), server: z.string(), tool: z.string(), status: z.string(),
  arguments: z.unknown().optional(),
  result: z.looseObject({ content: z.array(z.unknown()) }).nullish(),
  error: z.looseObject({ message: z.string() }).nullish(),
  durationMs: z.number().nullish(),
});
export const DynamicToolCallItem = z.looseObject({
  type: z.literal('dynamicToolCall'), id: z.string(), tool: z.string(), status: z.string(),
  arguments: z.unknown().optional(), success: z.boolean().nullish(), durationMs: z.number().nullish(),
});

// ---- notifications ----------------------------------------------------------------------------

const ThreadScoped = { threadId: z.string() };
const TurnScoped = { threadId: z.string(), turnId: z.string() };

const TokenBreakdown = z.looseObject({
  inputTokens: z.number(), cachedInputTokens: z.number(), outputTokens: z.number(),
  totalTokens: z.number().nullish(), cacheWriteInputTokens: z.number().nullish(), reasoningOutputTokens: z.number().nullish(),
});

export const Notifications = {
  'turn/started': z.looseObject({ ...ThreadScoped, turn: TurnRef }),
  'turn/completed': z.looseObject({ ...ThreadScoped, turn: TurnRef }),
  'item/started': z.looseObject({ ...TurnScoped, item: ThreadItem }),
  'item/completed': z.looseObject({ ...TurnScoped, item: ThreadItem }),
  'item/agentMessage/delta': z.looseObject({ ...TurnScoped, itemId: z.string(), delta: z.string() }),
  'item/reasoning/summaryTextDelta': z.looseObject({ ...TurnScoped, itemId: z.string(), delta: z.string() }),
  'item/reasoning/textDelta': z.looseObject({ ...TurnScoped, itemId: z.string(), delta: z.string() }),
  'item/commandExecution/outputDelta': z.looseObject({ ...TurnScoped, itemId: z.string(), delta: z.string() }),
  'item/plan/delta': z.looseObject({ ...TurnScoped, itemId: z.string(), delta: z.string() }),
  'turn/diff/updated': z.looseObject({ ...TurnScoped, diff: z.string() }),
  'turn/plan/updated': z.looseObject({
    ...TurnScoped, explanation: z.string().nullish(),
    plan: z.array(z.looseObject({ step: z.string(), status: z.enum(['pending', 'inProgress', 'completed']) })),
  }),
  'thread/tokenUsage/updated': z.looseObject({
    ...ThreadScoped, turnId: z.string().nullish(),
    tokenUsage: z.looseObject({
      total: TokenBreakdown,
      last: TokenBreakdown,
      modelContextWindow: z.number().nullish(),
    }),
  }),
  'account/rateLimits/updated': z.looseObject({
    rateLimits: z.looseObject({
      primary: z.looseObject({ usedPercent: z.number(), windowDurationMins: z.number().nullish(), resetsAt: z.number().nullish() }).nullish(),
      secondary: z.looseObject({ usedPercent: z.number(), windowDurationMins: z.number().nullish(), resetsAt: z.number().nullish() }).nullish(),
    }),
  }),
  'thread/name/updated': z.looseObject({ ...ThreadScoped, threadName: z.string().nullish() }),
  'serverRequest/resolved': z.looseObject({ ...ThreadScoped, requestId: RpcId }),
  'error': z.looseObject({
    threadId: z.string().nullish(), turnId: z.string().nullish(), willRetry: z.boolean().nullish(),
    error: z.looseObject({ message: z.string() }),
  }),
} as const;
export type NotificationMethod = keyof typeof Notifications;
export type NotificationParams<M extends NotificationMethod> = z.infer<(typeof Notifications)[M]>;

/** Notifications we know and deliberately ignore (no "unknown notification" log for them). */
export const IGNORED_NOTIFICATIONS: ReadonlySet<string> = new Set([
  'thread/started', 'thread/status/changed', 'thread/goal/cleared', 'thread/goal/updated', 'thread/settings/updated',
  'remoteControl/status/changed', 'configWarning', 'warning', 'deprecationNotice', 'skills/changed',
  'item/reasoning/summaryPartAdded', 'item/fileChange/outputDelta', 'item/fileChange/patchUpdated',
  'mcpServer/startupStatus/updated', 'thread/readState/changed', 'account/updated', 'hook/started', 'hook/completed',
  'item/commandExecution/terminalInteraction', 'item/mcpToolCall/progress', 'thread/compacted', 'model/rerouted',
  'thread/closed', 'thread/archived', 'thread/unarchived', 'app/list/updated',
]);

// ---- server → client requests -----------------------------------------------------------------

export const CommandApprovalParams = z.looseObject({
  ...TurnScoped, itemId: z.string(),
  command: z.string().nullish(), cwd: z.string().nullish(), reason: z.string().nullish(),
  proposedExecpolicyAmendment: z.array(z.string()).nullish(),
  availableDecisions: z.array(z.unknown()).nullish(),
});
export type CommandApprovalParams = z.infer<typeof CommandApprovalParams>;

export const FileChangeApprovalParams = z.looseObject({
  ...TurnScoped, itemId: z.string(), reason: z.string().nullish(), grantRoot: z.string().nullish(),
});
export type FileChangeApprovalParams = z.infer<typeof FileChangeApprovalParams>;

export const UserInputRequestParams = z.looseObject({
  ...TurnScoped, itemId: z.string(),
  questions: z.array(z.looseObject({
    id: z.string(), header: z.string().nullish(), question: z.string(),
    isOther: z.boolean().nullish(),
    options: z.array(z.looseObject({ label: z.string(), description: z.string().nullish() })).nullish(),
  })),
});
export type UserInputRequestParams = z.infer<typeof UserInputRequestParams>;

/** CommandExecutionApprovalDecision / FileChangeApprovalDecision as sent back. */
export type CodexDecision =
  | 'accept' | 'acceptForSession' | 'decline' | 'cancel'
  | { acceptWithExecpolicyAmendment: { execpolicy_amendment: string[] } };
