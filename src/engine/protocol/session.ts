// The session and transcript shapes shared by the engine, the store, the webview and WebSocket
// clients. One source: the TypeScript types are inferred from these zod schemas.
import { z } from 'zod';

export const Provider = z.enum(['codex', 'claude']);
export const SessionMode = z.enum(['direct', 'passive']);
export const SessionStatus = z.enum(['active', 'ended']);
export const WorkStatus = z.enum(['working', 'waiting', 'needsApproval', 'needsAnswer', 'idle']);
/** SPEC §4: the four autonomy levels and their Codex mapping live in codex/autonomy.ts; their labels in uiPolicy.ts. */
export const Autonomy = z.enum(['suggest', 'autoEdit', 'fullAuto', 'fullAccess']);
export const ApprovalDecision = z.enum(['approved', 'approved_for_session', 'approved_always', 'denied', 'abort']);

/** ISO-8601 UTC with milliseconds, the one timestamp format everywhere (SPEC §1). */
export const Timestamp = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

export const TokenUsage = z.object({
  input: z.number().int().nonnegative(),
  output: z.number().int().nonnegative(),
  cached: z.number().int().nonnegative(),
  /** Input tokens of the last turn: the numerator of context fill (SPEC §5), not the cumulative total. */
  lastTurnInput: z.number().int().nonnegative(),
  contextWindow: z.number().int().positive(),
});

export const RateLimitWindow = z.object({
  usedPercent: z.number(),
  windowMinutes: z.number().nullable(),
  resetsAt: Timestamp.nullable(),
});
export const RateLimits = z.object({ primary: RateLimitWindow.nullable(), secondary: RateLimitWindow.nullable() });

export const FileChange = z.object({
  path: z.string(),
  kind: z.enum(['add', 'delete', 'update']),
  /** Unified diff of this file. */
  diff: z.string(),
  movePath: z.string().nullish(),
});

export const PendingApproval = z.object({
  approvalId: z.string(),
  /** Bumped whenever the approval is re-issued, so a decision made on an older version is rejected. */
  version: z.number().int().nonnegative(),
  kind: z.enum(['exec', 'fileChange', 'permission']),
  /** The transcript item (command / file change) this approval is about, when there is one. */
  itemId: z.string().nullish(),
  toolName: z.string().nullish(),
  command: z.string().nullish(),
  cwd: z.string().nullish(),
  reason: z.string().nullish(),
  changes: z.array(FileChange).nullish(),
  /** Decisions the provider accepts for this request (approved_always only when offered). */
  options: z.array(ApprovalDecision),
  requestedAt: Timestamp,
});

export const QuestionOption = z.object({ label: z.string(), description: z.string().nullish() });
export const PendingQuestion = z.object({
  questionId: z.string(),
  questions: z.array(z.object({
    id: z.string(),
    header: z.string().nullish(),
    question: z.string(),
    options: z.array(QuestionOption).nullish(),
    multiSelect: z.boolean().nullish(),
    allowFreeText: z.boolean().nullish(),
  })),
  requestedAt: Timestamp,
});

export const PlanStep = z.object({ step: z.string(), status: z.enum(['pending', 'inProgress', 'completed']) });

/** A linked git worktree (git worktree add): its folder, the repository it belongs to, its branch and base. */
export const SessionWorktree = z.object({
  /** The worktree's top folder (real path). */
  path: z.string(),
  /** The main checkout's top folder (real path), the repository the worktree belongs to. */
  mainRepoPath: z.string(),
  branch: z.string().nullable(),
  /** The commit or branch the worktree was created from, when Flightdeck created it. */
  baseRef: z.string().nullish(),
  /** True when Flightdeck created the worktree for this session. */
  createdByFlightdeck: z.boolean().nullish(),
});

/** One other session that touched the same files (conflict radar, issue 18). */
export const SessionConflict = z.object({
  sessionId: z.string(),
  displayName: z.string(),
  /** Real paths of the files both sessions touched. */
  files: z.array(z.string()),
});

/** The remote engine a session belongs to (issue 20). */
export const SessionHost = z.object({
  /** The name the user gave the remote (flightdeck serve --remote <name>=<url>). */
  name: z.string(),
  /** False while the remote engine cannot be reached: its sessions are shown as unreachable, not ended. */
  reachable: z.boolean(),
});

export const Session = z.object({
  id: z.string(),
  provider: Provider,
  mode: SessionMode,
  providerSessionId: z.string().nullable(),
  cwd: z.string().nullable(),
  /** The git branch the session's files name (Codex session_meta, Claude transcript lines), when known. */
  gitBranch: z.string().nullish(),
  projectName: z.string().nullable(),
  model: z.string().nullable(),
  /** Codex reasoning effort chosen in Flightdeck (sent with every turn); absent = the model's default. */
  reasoningEffort: z.string().nullish(),
  status: SessionStatus,
  workStatus: WorkStatus,
  customName: z.string().nullable(),
  firstPrompt: z.string().nullable(),
  displayName: z.string(),
  approvalPolicy: z.string().nullable(),
  sandboxMode: z.string().nullable(),
  autonomy: Autonomy.nullable(),
  /** Codex plan mode (the agent plans and may ask questions); absent until changed. */
  planMode: z.boolean().optional(),
  tokenUsage: TokenUsage,
  /** lastTurnInput ÷ contextWindow, 0..1 (SPEC §5). Derived, kept here so every client shows the same. */
  contextFill: z.number(),
  rateLimits: RateLimits.nullable(),
  /** The queue of approvals; pendingApproval is its head (kept for clients that show one at a time). */
  pendingApprovals: z.array(PendingApproval),
  pendingApproval: PendingApproval.nullable(),
  pendingQuestion: PendingQuestion.nullable(),
  currentTurnId: z.string().nullable(),
  turnDiff: z.array(FileChange),
  plan: z.array(PlanStep),
  /** The file Flightdeck reads this session from (Codex rollout / Claude transcript), when known. */
  sourcePath: z.string().nullable(),
  createdAt: Timestamp,
  lastActivityAt: Timestamp,
  endedAt: Timestamp.nullable(),
  endReason: z.string().nullable(),
  /** Set while the session is archived: hidden from the list and History, still found by search (SPEC §11). */
  archivedAt: Timestamp.nullish(),
  /** Set when the session's cwd is inside a linked git worktree (read from git, issue 18); absent otherwise. */
  worktree: SessionWorktree.nullish(),
  /** Other live sessions that touched the same files in the last hour outside a separate worktree (issue 18). */
  conflicts: z.array(SessionConflict).nullish(),
  /** The engine that owns the session when it is not this one (issue 20); absent = this machine. */
  host: SessionHost.nullish(),
  revision: z.number().int().nonnegative(),
});

/** One review comment on a line of a file, written in the diff editor and sent to the agent (issue 18). */
export const ReviewComment = z.object({
  /** The file, relative to the session's cwd (absolute when it lies outside it). */
  path: z.string().min(1).max(4096),
  /** 1-based line in the file on that side of the diff. */
  line: z.number().int().positive(),
  /** The side of the diff the line is on: the file after the change (default) or before it. */
  side: z.enum(['modified', 'original']).optional(),
  body: z.string().trim().min(1, 'a review comment needs a text').max(20_000),
});

export const MessageKind = z.enum([
  'user', 'agent', 'reasoning', 'command', 'fileChange', 'plan', 'webSearch', 'mcpTool', 'tool',
  'toolResult', 'turn', 'error', 'system',
]);
export const MessageStatus = z.enum(['inProgress', 'completed', 'failed', 'interrupted', 'declined']);

/** One transcript item. Fields beyond kind/text are filled where the kind has them. */
export const Message = z.object({
  /** Unique and stable across restarts: derived from the provider's item id or the file + byte offset. */
  id: z.string(),
  sessionId: z.string(),
  /** Order within the session, assigned by the engine. */
  seq: z.number().int().nonnegative(),
  kind: MessageKind,
  text: z.string(),
  createdAt: Timestamp,
  turnId: z.string().nullish(),
  status: MessageStatus.nullish(),
  command: z.string().nullish(),
  cwd: z.string().nullish(),
  output: z.string().nullish(),
  exitCode: z.number().int().nullish(),
  isError: z.boolean().nullish(),
  toolName: z.string().nullish(),
  toolInput: z.string().nullish(),
  changes: z.array(FileChange).nullish(),
  plan: z.array(PlanStep).nullish(),
  durationMs: z.number().nullish(),
  /** On a user item that is a review sent with send_review: its comments (the text is what the agent got). */
  review: z.array(ReviewComment).nullish(),
  /** Set on text fields cut for a snapshot (SPEC §8): the full item is fetched with get_message. */
  truncated: z.boolean().nullish(),
});

export type Provider = z.infer<typeof Provider>;
export type SessionMode = z.infer<typeof SessionMode>;
export type SessionStatus = z.infer<typeof SessionStatus>;
export type WorkStatus = z.infer<typeof WorkStatus>;
export type Autonomy = z.infer<typeof Autonomy>;
export type ApprovalDecision = z.infer<typeof ApprovalDecision>;
export type TokenUsage = z.infer<typeof TokenUsage>;
export type RateLimits = z.infer<typeof RateLimits>;
export type FileChange = z.infer<typeof FileChange>;
export type PendingApproval = z.infer<typeof PendingApproval>;
export type PendingQuestion = z.infer<typeof PendingQuestion>;
export type PlanStep = z.infer<typeof PlanStep>;
export type Session = z.infer<typeof Session>;
export type SessionWorktree = z.infer<typeof SessionWorktree>;
export type SessionConflict = z.infer<typeof SessionConflict>;
export type SessionHost = z.infer<typeof SessionHost>;
export type ReviewComment = z.infer<typeof ReviewComment>;
export type MessageKind = z.infer<typeof MessageKind>;
export type MessageStatus = z.infer<typeof MessageStatus>;
export type Message = z.infer<typeof Message>;
/** A change to a message: id plus the fields that changed. */
export type MessagePatch = Partial<Omit<Message, 'id' | 'sessionId' | 'seq'>> & { id: string };

export { projectNameOf } from './projectName';
