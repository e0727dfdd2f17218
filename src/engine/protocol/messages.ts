// Every message that crosses a boundary (WebSocket, leader socket, webview postMessage) is one of
// these schemas, told apart by `type`. Requests may carry a requestId that the answer echoes.
import { z } from 'zod';
import { ApprovalDecision, Autonomy, Message, PendingApproval, Provider, Session, TokenUsage } from './session';

export const PROTOCOL_VERSION = 1;

const req = { requestId: z.string().max(200).optional() };
const sessionRef = { ...req, sessionId: z.string().min(1).max(200) };

export const ClientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), ...req, protocolVersion: z.number().int(), client: z.string().max(200).optional() }),
  z.object({ type: z.literal('subscribe_list'), ...req }),
  z.object({ type: z.literal('unsubscribe_list'), ...req }),
  z.object({ type: z.literal('subscribe_session'), ...sessionRef, sinceRevision: z.number().int().nonnegative().optional() }),
  z.object({ type: z.literal('unsubscribe_session'), ...sessionRef }),
  z.object({ type: z.literal('load_messages'), ...sessionRef, beforeSeq: z.number().int().optional(), limit: z.number().int().min(1).max(200).optional() }),
  z.object({ type: z.literal('get_message'), ...sessionRef, messageId: z.string() }),
  z.object({
    type: z.literal('create_session'), ...req, provider: Provider, cwd: z.string().min(1),
    model: z.string().optional(), autonomy: Autonomy.optional(), prompt: z.string().optional(),
  }),
  z.object({ type: z.literal('send_message'), ...sessionRef, text: z.string().min(1) }),
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
    planMode: z.boolean().optional(),
  }),
  z.object({ type: z.literal('rename_session'), ...sessionRef, name: z.string().max(500) }),
  z.object({ type: z.literal('resume_session'), ...sessionRef }),
  z.object({ type: z.literal('takeover_session'), ...sessionRef, force: z.boolean().optional() }),
  z.object({ type: z.literal('list_models'), ...req, provider: Provider }),
  z.object({ type: z.literal('search'), ...req, query: z.string().min(1).max(1000), limit: z.number().int().min(1).max(200).optional() }),
  z.object({ type: z.literal('ping'), ...req }),
]);

export const SearchHit = z.object({
  sessionId: z.string(), messageId: z.string(), seq: z.number().int(), displayName: z.string(), snippet: z.string(),
});
export const ModelInfo = z.object({
  id: z.string(), displayName: z.string(), description: z.string().nullish(), isDefault: z.boolean().nullish(),
  contextWindow: z.number().nullish(),
});

export const SessionChanges = Session.partial();

export const ServerMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('welcome'), ...req, protocolVersion: z.number().int(), serverVersion: z.string(),
    capabilities: z.array(z.string()), listRevision: z.number().int(),
  }),
  z.object({ type: z.literal('sessions_list'), ...req, revision: z.number().int(), sessions: z.array(Session) }),
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
  z.object({ type: z.literal('models_list'), ...req, provider: Provider, models: z.array(ModelInfo) }),
  z.object({ type: z.literal('search_results'), ...req, query: z.string(), results: z.array(SearchHit), degraded: z.boolean().optional() }),
  z.object({ type: z.literal('result'), ...req, ok: z.literal(true), sessionId: z.string().optional(), data: z.unknown().optional() }),
  z.object({ type: z.literal('resync'), sessionId: z.string().optional(), reason: z.string() }),
  z.object({ type: z.literal('pong'), ...req }),
  z.object({ type: z.literal('error'), requestId: z.string().optional(), code: z.string(), message: z.string() }),
]);

export type ClientMessage = z.infer<typeof ClientMessage>;
export type ServerMessage = z.infer<typeof ServerMessage>;
export type SessionChanges = z.infer<typeof SessionChanges>;
export type SearchHit = z.infer<typeof SearchHit>;
export type ModelInfo = z.infer<typeof ModelInfo>;
export type ClientMessageOf<T extends ClientMessage['type']> = Extract<ClientMessage, { type: T }>;
export type ServerMessageOf<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

/** Error codes every transport uses. */
export const ErrorCode = {
  badRequest: 'bad_request',
  invalidJson: 'invalid_json',
  unknownType: 'unknown_type',
  tooLarge: 'frame_too_large',
  notFound: 'not_found',
  notSupported: 'not_supported',
  staleApproval: 'stale_approval',
  conflict: 'conflict',
  unauthorized: 'unauthorized',
  internal: 'internal',
  providerError: 'provider_error',
} as const;
