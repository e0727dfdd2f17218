// Every message that crosses a boundary (WebSocket, leader socket, webview postMessage) is one of
// these schemas, told apart by `type`. Requests may carry a requestId that the answer echoes.
import { z } from 'zod';
import { ApprovalDecision, Autonomy, Message, MessageKind, PendingApproval, Provider, ReviewComment, Session, Timestamp, TokenUsage } from './session';
import { UsageDay, UsageGroupBy, UsageReport } from './usage';
import { CreateWorktreeOption, WorktreeClientMessages, WorktreeServerMessages } from './worktree';

export const PROTOCOL_VERSION = 1;

const req = { requestId: z.string().max(200).optional() };
const sessionRef = { ...req, sessionId: z.string().min(1).max(200) };

/** A local calendar day, YYYY-MM-DD. */
export const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
/** History is grouped by the client's local day: its offset from UTC in minutes (e.g. +60 for UTC+1). */
const utcOffset = { utcOffsetMinutes: z.number().int().min(-840).max(840).optional() };
/** Which past sessions: `history` (ended, not archived; the default) or `archived`. */
export const HistoryScope = z.enum(['history', 'archived']);
/** Search filters; every one is optional. role: only my prompts / only agent replies / only commands. */
export const SearchFilters = z.object({
  provider: Provider.optional(),
  /** The project: a session's cwd (null: sessions without one). */
  cwd: z.string().max(4096).nullable().optional(),
  /** Messages created at or after / before these instants (ISO-8601). */
  since: Timestamp.optional(),
  until: Timestamp.optional(),
  role: z.enum(['all', 'prompts', 'replies', 'commands']).optional(),
});

export const ClientMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('hello'), ...req, protocolVersion: z.number().int(), client: z.string().max(200).optional(),
    /**
     * True when the client is another Flightdeck engine joining this one (flightdeck serve --remote):
     * it is sent only this engine's own sessions, never those this engine mirrors from its remotes
     * (no re-export, no loops).
     */
    peer: z.boolean().optional(),
  }),
  z.object({ type: z.literal('subscribe_list'), ...req }),
  z.object({ type: z.literal('unsubscribe_list'), ...req }),
  z.object({ type: z.literal('subscribe_session'), ...sessionRef, sinceRevision: z.number().int().nonnegative().optional() }),
  z.object({ type: z.literal('unsubscribe_session'), ...sessionRef }),
  z.object({ type: z.literal('load_messages'), ...sessionRef, beforeSeq: z.number().int().optional(), limit: z.number().int().min(1).max(200).optional() }),
  z.object({ type: z.literal('get_message'), ...sessionRef, messageId: z.string() }),
  z.object({
    type: z.literal('create_session'), ...req, provider: Provider, cwd: z.string().min(1),
    model: z.string().optional(), autonomy: Autonomy.optional(), prompt: z.string().optional(),
    /** A reasoning effort the model offers (models_list `efforts`); Codex only. */
    effort: z.string().min(1).max(50).optional(),
    /** Start the session in a new git worktree on a new branch (issue 18). */
    worktree: CreateWorktreeOption.optional(),
    /** The remote engine to create it on (its name; cwd is a folder on that machine); absent: this engine. */
    host: z.string().min(1).max(100).optional(),
  }),
  ...WorktreeClientMessages,
  z.object({ type: z.literal('send_message'), ...sessionRef, text: z.string().min(1) }),
  /** Review comments (file and line each) sent to the agent as one message: a new turn, or a steer while one runs. */
  z.object({
    type: z.literal('send_review'), ...sessionRef,
    comments: z.array(ReviewComment).min(1, 'a review needs at least one comment').max(500),
  }),
  z.object({
    type: z.literal('approve_tool'), ...sessionRef, approvalId: z.string(), version: z.number().int().optional(),
    decision: ApprovalDecision, message: z.string().optional(),
  }),
  z.object({
    type: z.literal('answer_question'), ...sessionRef, questionId: z.string(),
    answers: z.record(z.string(), z.union([z.string(), z.array(z.string())])),
  }),
  z.object({ type: z.literal('interrupt_session'), ...sessionRef }),
  z.object({ type: z.literal('end_session'), ...sessionRef }),
  z.object({
    type: z.literal('update_session_config'), ...sessionRef, autonomy: Autonomy.optional(), model: z.string().optional(),
    effort: z.string().min(1).max(50).optional(), planMode: z.boolean().optional(),
  }),
  z.object({ type: z.literal('rename_session'), ...sessionRef, name: z.string().max(500) }),
  z.object({ type: z.literal('resume_session'), ...sessionRef }),
  z.object({ type: z.literal('takeover_session'), ...sessionRef, force: z.boolean().optional() }),
  /** host: the models of a remote engine (its name); absent: this engine's. */
  z.object({ type: z.literal('list_models'), ...req, provider: Provider, host: z.string().min(1).max(100).optional() }),
  z.object({
    type: z.literal('search'), ...req, query: z.string().min(1).max(1000), limit: z.number().int().min(1).max(200).optional(),
    filters: SearchFilters.optional(),
  }),
  /** Without cwd: the projects (cwd) of past sessions with counts; with cwd (null = no folder): that project's days. */
  z.object({
    type: z.literal('list_history_groups'), ...req, cwd: z.string().max(4096).nullable().optional(), scope: HistoryScope.optional(), ...utcOffset,
  }),
  /** One page of a project's past sessions (of one day when `day` is set), newest first; `cursor` continues a page. */
  z.object({
    type: z.literal('list_history_sessions'), ...req, cwd: z.string().max(4096).nullable(), day: Day.optional(), scope: HistoryScope.optional(),
    ...utcOffset, limit: z.number().int().min(1).max(200).optional(), cursor: z.string().max(1000).optional(),
  }),
  /** Archive (hidden from the list and History, kept for search) or un-archive an ended session. */
  z.object({ type: z.literal('archive_session'), ...sessionRef, archived: z.boolean().optional() }),
  /** Removes an ended session and its items from the store; session_removed tells every list. */
  z.object({ type: z.literal('delete_session'), ...sessionRef }),
  z.object({
    type: z.literal('usage_report'), ...req, by: UsageGroupBy.optional(), since: UsageDay.optional(), until: UsageDay.optional(),
    timezone: z.string().max(100).optional(),
  }),
  z.object({ type: z.literal('ping'), ...req }),
  /** Starts the history import (SPEC §11), or joins the one running; progress comes as import_progress. */
  z.object({ type: z.literal('import_history'), ...req }),
  z.object({ type: z.literal('cancel_import'), ...req }),
  /** The remote engines this engine joined and their connection state (answer: remotes_list). */
  z.object({ type: z.literal('list_remotes'), ...req }),
]);

/** Progress of the history import, sent to every client a few times a second while it runs, and once at its end. */
export const ImportProgress = z.object({
  phase: z.enum(['scanning', 'importing', 'done']),
  filesDone: z.number().int().nonnegative(),
  filesTotal: z.number().int().nonnegative(),
  bytesDone: z.number().nonnegative(),
  bytesTotal: z.number().nonnegative(),
  elapsedMs: z.number().nonnegative(),
  mbPerSec: z.number().nonnegative(),
  /** At the end: what was imported and skipped (new sessions, items, unreadable / vanished / invalid ... files and lines). */
  counts: z.record(z.string(), z.number()).optional(),
  cancelled: z.boolean().optional(),
});

export const SearchHit = z.object({
  sessionId: z.string(), messageId: z.string(), seq: z.number().int(), displayName: z.string(),
  /** The matching text around the hit; matched terms are wrapped in [ and ]. */
  snippet: z.string(),
  provider: Provider.optional(),
  cwd: z.string().nullish(),
  projectName: z.string().nullish(),
  kind: MessageKind.optional(),
  /** When the message was written. */
  createdAt: Timestamp.optional(),
});
/** A project (day null) or one day of a project, with how many past sessions it holds. */
export const HistoryGroup = z.object({
  cwd: z.string().nullable(), day: Day.nullable(), label: z.string(), count: z.number().int().nonnegative(),
  lastActivityAt: Timestamp,
});
export const ModelInfo = z.object({
  id: z.string(), displayName: z.string(), description: z.string().nullish(), isDefault: z.boolean().nullish(),
  contextWindow: z.number().nullish(),
  /** The reasoning efforts the model offers (empty or absent: none to choose) and its default. */
  efforts: z.array(z.object({ effort: z.string(), description: z.string().nullish() })).nullish(),
  defaultEffort: z.string().nullish(),
});

export const SessionChanges = Session.partial();

/** A remote engine this engine joined (issue 20). Never holds its token. */
export const RemoteEngineInfo = z.object({
  /** The name its sessions carry in host.name and in their ids (<name>/<id>). */
  name: z.string(),
  url: z.string(),
  state: z.enum(['connecting', 'connected', 'unreachable', 'unauthorized']),
  /** Why it is not connected, in words (e.g. the remote refused the token). */
  lastError: z.string().optional(),
  /** How many of its sessions are listed. */
  sessions: z.number().int().nonnegative(),
});

export const ServerMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('welcome'), ...req, protocolVersion: z.number().int(), serverVersion: z.string(),
    capabilities: z.array(z.string()), listRevision: z.number().int(),
  }),
  z.object({
    type: z.literal('sessions_list'), ...req, revision: z.number().int(), sessions: z.array(Session),
    // A long list comes in pages of one revision (part 0 … parts − 1, the requestId on the last); absent: the whole list.
    part: z.number().int().nonnegative().optional(), parts: z.number().int().positive().optional(),
  }),
  z.object({
    type: z.literal('session_snapshot'), ...req, revision: z.number().int(), session: Session,
    messages: z.array(Message), hasMore: z.boolean(),
  }),
  z.object({
    type: z.literal('session_delta'), sessionId: z.string(), revision: z.number().int(), listRevision: z.number().int(),
    /** A missing key means unchanged; null means cleared (SPEC §8). */
    changes: SessionChanges,
  }),
  z.object({ type: z.literal('session_created'), listRevision: z.number().int(), session: Session }),
  z.object({ type: z.literal('session_removed'), listRevision: z.number().int(), sessionId: z.string() }),
  z.object({ type: z.literal('session_ended'), sessionId: z.string(), revision: z.number().int(), reason: z.string().nullable() }),
  z.object({ type: z.literal('message_appended'), sessionId: z.string(), revision: z.number().int(), message: Message }),
  z.object({
    type: z.literal('message_updated'), sessionId: z.string(), revision: z.number().int(),
    message: Message.partial().extend({ id: z.string() }),
  }),
  z.object({ type: z.literal('approval_requested'), sessionId: z.string(), revision: z.number().int(), approval: PendingApproval }),
  z.object({
    type: z.literal('tokens_updated'), sessionId: z.string(), revision: z.number().int(), tokenUsage: TokenUsage,
    contextFill: z.number(),
  }),
  z.object({ type: z.literal('messages_page'), ...req, sessionId: z.string(), messages: z.array(Message), hasMore: z.boolean() }),
  z.object({ type: z.literal('message'), ...req, message: Message }),
  ...WorktreeServerMessages,
  z.object({ type: z.literal('models_list'), ...req, provider: Provider, models: z.array(ModelInfo) }),
  z.object({
    type: z.literal('history_groups'), ...req, cwd: z.string().nullable().optional(), scope: HistoryScope, groups: z.array(HistoryGroup),
  }),
  z.object({
    type: z.literal('history_sessions'), ...req, cwd: z.string().nullable(), day: Day.nullable(), scope: HistoryScope,
    sessions: z.array(Session), nextCursor: z.string().nullable(),
  }),
  z.object({
    type: z.literal('search_results'), ...req, query: z.string(), results: z.array(SearchHit), degraded: z.boolean().optional(),
    /** Set while the index of items stored before an upgrade is built in the background: results cover only the indexed part. */
    indexing: z.object({ percent: z.number().int().min(0).max(100) }).optional(),
  }),
  z.object({ type: z.literal('result'), ...req, ok: z.literal(true), sessionId: z.string().optional(), data: z.unknown().optional() }),
  z.object({ type: z.literal('resync'), sessionId: z.string().optional(), reason: z.string() }),
  z.object({ type: z.literal('usage'), ...req, report: UsageReport }),
  z.object({ type: z.literal('pong'), ...req }),
  z.object({ type: z.literal('import_progress'), progress: ImportProgress }),
  /** The answer to list_remotes, and sent again to list subscribers whenever a remote is added, removed or changes state. */
  z.object({ type: z.literal('remotes_list'), ...req, remotes: z.array(RemoteEngineInfo) }),
  z.object({ type: z.literal('error'), requestId: z.string().optional(), code: z.string(), message: z.string() }),
]);

export type ClientMessage = z.infer<typeof ClientMessage>;
export type ServerMessage = z.infer<typeof ServerMessage>;
export type SessionChanges = z.infer<typeof SessionChanges>;
export type SearchHit = z.infer<typeof SearchHit>;
export type SearchFilters = z.infer<typeof SearchFilters>;
export type HistoryGroup = z.infer<typeof HistoryGroup>;
export type HistoryScope = z.infer<typeof HistoryScope>;
export type ModelInfo = z.infer<typeof ModelInfo>;
export type RemoteEngineInfo = z.infer<typeof RemoteEngineInfo>;
export type ImportProgressMessage = z.infer<typeof ImportProgress>;
export type ClientMessageOf<T extends ClientMessage['type']> = Extract<ClientMessage, { type: T }>;
export type ServerMessageOf<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

export { ClientErrorCode, ErrorCode, WireErrorCode } from './errorCodes';
