// Which answer each request gets: the map per direction (request type → the server message types that
// answer it; an `error` may answer any request). ProtocolClient.request() returns the mapped type and
// refuses any other answer, and ClientConnection can only reply with a mapped type, so neither side
// checks an answer's type by hand. Browser-safe: no zod, data only.
import type { ClientMessage, ServerMessage } from './messages';

type RequestType = ClientMessage['type'];
type AnswerType = Exclude<ServerMessage['type'], 'error'>;

export const ANSWER_TYPES = {
  hello: ['welcome'],
  ping: ['pong'],
  subscribe_list: ['sessions_list'],
  unsubscribe_list: ['result'],
  /** A snapshot, or `result` { replayed, revision } when the missed events were replayed. */
  subscribe_session: ['session_snapshot', 'result'],
  unsubscribe_session: ['result'],
  load_messages: ['messages_page'],
  get_message: ['message'],
  create_session: ['result'],
  propose_worktree: ['worktree_proposal'],
  worktree_changes: ['worktree_changes'],
  worktree_base_file: ['worktree_base_file'],
  remove_worktree: ['result'],
  send_message: ['result'],
  send_review: ['result'],
  approve_tool: ['result'],
  answer_question: ['result'],
  interrupt_session: ['result'],
  end_session: ['result'],
  update_session_config: ['result'],
  rename_session: ['result'],
  resume_session: ['result'],
  takeover_session: ['result'],
  list_models: ['models_list'],
  search: ['search_results'],
  list_history_groups: ['history_groups'],
  list_history_sessions: ['history_sessions'],
  archive_session: ['result'],
  delete_session: ['result'],
  usage_report: ['usage'],
  import_history: ['result'],
  cancel_import: ['result'],
  list_remotes: ['remotes_list'],
} as const satisfies { [T in RequestType]: readonly AnswerType[] };

/** The answer to a request of type T (its `error` answer rejects instead). */
export type AnswerTo<T extends RequestType> = Extract<ServerMessage, { type: (typeof ANSWER_TYPES)[T][number] }>;

export function answers(request: RequestType, answer: ServerMessage['type']): boolean {
  return (ANSWER_TYPES[request] as readonly string[]).includes(answer);
}
