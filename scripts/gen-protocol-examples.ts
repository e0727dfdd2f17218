// One example per protocol message, for docs/protocol.md. The drift test parses every example with
// the zod schemas, so the docs cannot show a message the hub would reject.
import type { ClientMessage, Message, PendingApproval, ServerMessage, Session } from '../src/engine/protocol';

const T = '2026-03-14T09:26:53.589Z';
const SID = '6f1c2a0e-8d4b-4a7e-9b1f-3c5d7e9a1b2c';

export const exampleApproval: PendingApproval = {
  approvalId: 'call_7Qx', version: 0, kind: 'exec', itemId: 'item_12', command: 'npm test', cwd: '/home/dev/shop',
  reason: 'Run the test suite', options: ['approved', 'approved_for_session', 'denied', 'abort'], requestedAt: T,
};

export const exampleSession: Session = {
  id: SID, provider: 'codex', mode: 'direct', providerSessionId: '019a2b3c-4d5e-7f60-8a9b-0c1d2e3f4a5b', cwd: '/home/dev/shop',
  projectName: 'shop', model: 'gpt-5.1-codex', status: 'active', workStatus: 'needsApproval', customName: null,
  firstPrompt: 'Fix the flaky checkout test', displayName: 'Fix the flaky checkout test', approvalPolicy: 'on-request',
  sandboxMode: 'workspace-write', autonomy: 'autoEdit',
  tokenUsage: { input: 48_200, output: 3_100, cached: 30_000, lastTurnInput: 21_400, contextWindow: 272_000 },
  contextFill: 0.0787, rateLimits: null, pendingApprovals: [exampleApproval], pendingApproval: exampleApproval,
  pendingQuestion: null, currentTurnId: 'turn_3', turnDiff: [], plan: [], sourcePath: null,
  createdAt: '2026-03-14T09:20:11.042Z', lastActivityAt: T, endedAt: null, endReason: null, revision: 57,
};

export const exampleMessage: Message = {
  id: 'item_11', sessionId: SID, seq: 41, kind: 'agent', text: 'The test waits on a real timer; I will inject the clock.',
  createdAt: T, turnId: 'turn_3', status: 'completed',
};

export const clientExamples: Record<ClientMessage['type'], ClientMessage> = {
  hello: { type: 'hello', requestId: 'r1', protocolVersion: 1, client: 'my-script/0.1' },
  ping: { type: 'ping', requestId: 'r2' },
  subscribe_list: { type: 'subscribe_list', requestId: 'r3' },
  unsubscribe_list: { type: 'unsubscribe_list', requestId: 'r4' },
  subscribe_session: { type: 'subscribe_session', requestId: 'r5', sessionId: SID, sinceRevision: 52 },
  unsubscribe_session: { type: 'unsubscribe_session', requestId: 'r6', sessionId: SID },
  load_messages: { type: 'load_messages', requestId: 'r7', sessionId: SID, beforeSeq: 41, limit: 50 },
  get_message: { type: 'get_message', requestId: 'r8', sessionId: SID, messageId: 'item_9' },
  create_session: { type: 'create_session', requestId: 'r9', provider: 'codex', cwd: '/home/dev/shop', autonomy: 'autoEdit', prompt: 'Add a changelog entry' },
  propose_worktree: { type: 'propose_worktree', requestId: 'r30', cwd: '/home/dev/shop', prompt: 'Fix the flaky checkout test' },
  worktree_changes: { type: 'worktree_changes', requestId: 'r31', sessionId: SID },
  worktree_base_file: { type: 'worktree_base_file', requestId: 'r32', sessionId: SID, path: 'src/checkout.ts' },
  remove_worktree: { type: 'remove_worktree', requestId: 'r33', sessionId: SID, force: false },
  send_message: { type: 'send_message', requestId: 'r10', sessionId: SID, text: 'Also update the README' },
  send_review: {
    type: 'send_review', requestId: 'r10', sessionId: SID,
    comments: [{ path: 'src/checkout.ts', line: 42, body: 'Keep the retry here' }, { path: 'test/checkout.test.ts', line: 7, side: 'original', body: 'Why was this case removed?' }],
  },
  approve_tool: { type: 'approve_tool', requestId: 'r11', sessionId: SID, approvalId: 'call_7Qx', version: 0, decision: 'approved' },
  answer_question: { type: 'answer_question', requestId: 'r12', sessionId: SID, questionId: 'q_1', answers: { db: 'SQLite', features: ['search', 'export'] } },
  interrupt_session: { type: 'interrupt_session', requestId: 'r13', sessionId: SID },
  end_session: { type: 'end_session', requestId: 'r14', sessionId: SID },
  update_session_config: { type: 'update_session_config', requestId: 'r15', sessionId: SID, autonomy: 'fullAuto', model: 'gpt-5.1-codex' },
  rename_session: { type: 'rename_session', requestId: 'r16', sessionId: SID, name: 'Checkout test fix' },
  resume_session: { type: 'resume_session', requestId: 'r17', sessionId: SID },
  takeover_session: { type: 'takeover_session', requestId: 'r18', sessionId: SID },
  list_models: { type: 'list_models', requestId: 'r19', provider: 'codex' },
  search: { type: 'search', requestId: 'r20', query: 'flaky check', limit: 20, filters: { provider: 'codex', cwd: '/home/dev/shop', since: '2026-03-01T00:00:00.000Z', role: 'prompts' } },
  list_history_groups: { type: 'list_history_groups', requestId: 'r21', cwd: '/home/dev/shop', utcOffsetMinutes: 60 },
  list_history_sessions: { type: 'list_history_sessions', requestId: 'r22', cwd: '/home/dev/shop', day: '2026-03-14', utcOffsetMinutes: 60, limit: 100 },
  archive_session: { type: 'archive_session', requestId: 'r23', sessionId: SID, archived: true },
  delete_session: { type: 'delete_session', requestId: 'r24', sessionId: SID },
  usage_report: { type: 'usage_report', requestId: 'r21', by: 'day', since: '2026-03-01', until: '2026-03-14', timezone: 'Europe/Berlin' },
  import_history: { type: 'import_history', requestId: 'r21' },
  cancel_import: { type: 'cancel_import', requestId: 'r22' },
  list_remotes: { type: 'list_remotes', requestId: 'r23' },
};

export const serverExamples: Record<ServerMessage['type'], ServerMessage> = {
  welcome: { type: 'welcome', requestId: 'r1', protocolVersion: 1, serverVersion: '0.1.0', capabilities: ['replay', 'load_messages', 'get_message', 'search', 'approvals', 'questions', 'resync'], listRevision: 1204 },
  pong: { type: 'pong', requestId: 'r2' },
  worktree_proposal: { type: 'worktree_proposal', requestId: 'r30', branch: 'fix-the-flaky-checkout-test', path: '/home/dev/shop-worktrees/fix-the-flaky-checkout-test', mainRepoPath: '/home/dev/shop', baseRef: 'main' },
  worktree_changes: { type: 'worktree_changes', requestId: 'r31', sessionId: SID, worktreePath: '/home/dev/shop-worktrees/fix-the-flaky-checkout-test', baseRef: 'main', mergeBase: '3f9c2e1d0b6a4c8e9f7a5b3c1d2e4f6a8b0c9d7e', files: [{ path: 'src/checkout.ts', status: 'modified' }, { path: 'test/checkout.test.ts', status: 'added' }] },
  worktree_base_file: { type: 'worktree_base_file', requestId: 'r32', sessionId: SID, path: 'src/checkout.ts', text: 'export function checkout() {}\n' },
  remotes_list: {
    type: 'remotes_list', requestId: 'r23',
    remotes: [
      { name: 'box', url: 'ws://127.0.0.1:7777/ws', state: 'connected', sessions: 3 },
      { name: 'build', url: 'wss://build.example/ws', state: 'unauthorized', lastError: 'the remote refused the token (HTTP 401)', sessions: 0 },
    ],
  },
  import_progress: {
    type: 'import_progress',
    progress: { phase: 'importing', filesDone: 312, filesTotal: 845, bytesDone: 71_300_000, bytesTotal: 198_400_000, elapsedMs: 2_310, mbPerSec: 30.9 },
  },
  sessions_list: { type: 'sessions_list', requestId: 'r3', revision: 1204, sessions: [exampleSession] },
  session_snapshot: { type: 'session_snapshot', requestId: 'r5', revision: 57, session: exampleSession, messages: [exampleMessage], hasMore: true },
  session_delta: { type: 'session_delta', sessionId: SID, revision: 58, listRevision: 1205, changes: { workStatus: 'working', pendingApprovals: [], pendingApproval: null, revision: 58 } },
  session_created: { type: 'session_created', listRevision: 1206, session: { ...exampleSession, revision: 1 } },
  session_removed: { type: 'session_removed', listRevision: 1207, sessionId: SID },
  session_ended: { type: 'session_ended', sessionId: SID, revision: 60, reason: 'user' },
  message_appended: { type: 'message_appended', sessionId: SID, revision: 59, message: { ...exampleMessage, id: 'item_13', seq: 42, status: 'inProgress', text: 'Running the suite' } },
  message_updated: { type: 'message_updated', sessionId: SID, revision: 60, message: { id: 'item_13', text: 'Running the suite… all 212 tests pass.', status: 'completed' } },
  approval_requested: { type: 'approval_requested', sessionId: SID, revision: 57, approval: exampleApproval },
  tokens_updated: { type: 'tokens_updated', sessionId: SID, revision: 61, tokenUsage: exampleSession.tokenUsage, contextFill: 0.0787 },
  messages_page: { type: 'messages_page', requestId: 'r7', sessionId: SID, messages: [{ ...exampleMessage, id: 'item_10', seq: 40, kind: 'user', text: 'Fix the flaky checkout test', status: null }], hasMore: false },
  message: { type: 'message', requestId: 'r8', message: { ...exampleMessage, id: 'item_9', seq: 39, kind: 'command', text: '', command: 'npm test', output: '…the whole output…', exitCode: 0 } },
  models_list: { type: 'models_list', requestId: 'r19', provider: 'codex', models: [{ id: 'gpt-5.1-codex', displayName: 'GPT-5.1 Codex', isDefault: true }] },
  search_results: { type: 'search_results', requestId: 'r20', query: 'flaky checkout', results: [{ sessionId: SID, messageId: 'item_10', seq: 40, displayName: 'Fix the flaky checkout test', snippet: 'Fix the [flaky] [checkout] test', provider: 'codex', cwd: '/home/dev/shop', projectName: 'shop', kind: 'user', createdAt: '2026-03-14T09:20:11.042Z' }] },
  history_groups: { type: 'history_groups', requestId: 'r21', cwd: '/home/dev/shop', scope: 'history', groups: [{ cwd: '/home/dev/shop', day: '2026-03-14', label: '2026-03-14', count: 3, lastActivityAt: T }] },
  history_sessions: { type: 'history_sessions', requestId: 'r22', cwd: '/home/dev/shop', day: '2026-03-14', scope: 'history', sessions: [{ ...exampleSession, status: 'ended', workStatus: 'idle', pendingApprovals: [], pendingApproval: null, endedAt: T, endReason: 'history' }], nextCursor: null },
  usage: {
    type: 'usage', requestId: 'r21', report: {
      by: 'day', since: '2026-03-01', until: '2026-03-14', timezone: 'Europe/Berlin', pricesAsOf: '2026-12-03',
      rows: [{
        key: '2026-03-14', label: '2026-03-14', models: ['gpt-5.1-codex'], lastAt: T, input: 18_200, cacheCreation: 0, cacheRead: 30_000,
        output: 3_100, reasoning: 1_200, total: 51_300, records: 6, cost: 0.0576, unpricedModels: [],
      }],
      totals: { input: 18_200, cacheCreation: 0, cacheRead: 30_000, output: 3_100, reasoning: 1_200, total: 51_300, records: 6, cost: 0.0576, unpricedModels: [] },
    },
  },
  result: { type: 'result', requestId: 'r11', ok: true, sessionId: SID },
  resync: { type: 'resync', sessionId: SID, reason: 'slow_client' },
  error: { type: 'error', requestId: 'r11', code: 'stale_approval', message: 'approval call_7Qx is no longer pending (already decided or withdrawn)' },
};
