// Requests map to their answers in the protocol's types (src/engine/protocol/requests.ts): the engine
// answers every request with a message type of its map (or an error), and the protocol client
// refuses an answer of any other type instead of handing it to a caller that would check by hand.
import * as assert from 'node:assert/strict';
import { ClientConnection, attachReplay } from '../../src/engine/clients/connection';
import {
  ANSWER_TYPES, type ClientMessage, ErrorCode, ProtocolClient, ProtocolError, type ServerMessage, type Session, type Transport, WireErrorCode,
} from '../../src/engine/protocol';
import type { ProviderController } from '../../src/engine/sessions/provider';
import { type TestEngine, makeEngine } from '../helpers/engine';
import { cleanupTmpDirs } from '../helpers/tmp';

describe('protocol: every request has its answer types', () => {
  let t: TestEngine;
  let session: Session;
  before(() => {
    t = makeEngine();
    session = t.engine.createSession({ provider: 'codex', mode: 'direct', providerSessionId: 'th-ans', cwd: t.dir });
    t.engine.appendMessage(session.id, { id: 'ans-m1', kind: 'agent', text: 'hello answers', createdAt: new Date(t.clock.now()).toISOString() });
    const provider: ProviderController = {
      handles: () => true, provider: 'codex',
      async sendMessage() {}, async interrupt() {}, async rename() {}, async decideApproval() {}, async answerQuestion() {},
      async updateConfig() {}, async resume() {}, async takeover() {}, async end() {},
      async listModels() { return [{ id: 'm', displayName: 'M' }]; },
      async createSession(req) { return t.engine.createSession({ provider: 'codex', mode: 'direct', cwd: req.cwd }); },
    };
    t.engine.registerProvider(provider);
  });
  after(() => { t.close(); cleanupTmpDirs(); });

  /** One valid request of every type the protocol has (the map's keys: a new request type must be added here). */
  const sample = (): { [K in ClientMessage['type']]: Omit<Extract<ClientMessage, { type: K }>, 'requestId'> } => {
    const sessionId = session.id;
    return {
      hello: { type: 'hello', protocolVersion: 1 },
      ping: { type: 'ping' },
      subscribe_list: { type: 'subscribe_list' },
      unsubscribe_list: { type: 'unsubscribe_list' },
      subscribe_session: { type: 'subscribe_session', sessionId },
      unsubscribe_session: { type: 'unsubscribe_session', sessionId },
      load_messages: { type: 'load_messages', sessionId },
      get_message: { type: 'get_message', sessionId, messageId: 'ans-m1' },
      create_session: { type: 'create_session', provider: 'codex', cwd: t.dir },
      propose_worktree: { type: 'propose_worktree', cwd: t.dir },
      worktree_changes: { type: 'worktree_changes', sessionId },
      worktree_base_file: { type: 'worktree_base_file', sessionId, path: 'a.txt' },
      remove_worktree: { type: 'remove_worktree', sessionId },
      send_message: { type: 'send_message', sessionId, text: 'hi' },
      send_review: { type: 'send_review', sessionId, comments: [{ path: 'src/a.ts', line: 3, body: 'check this' }] },
      approve_tool: { type: 'approve_tool', sessionId, approvalId: 'none', decision: 'approved' },
      answer_question: { type: 'answer_question', sessionId, questionId: 'none', answers: {} },
      interrupt_session: { type: 'interrupt_session', sessionId },
      end_session: { type: 'end_session', sessionId },
      update_session_config: { type: 'update_session_config', sessionId, autonomy: 'suggest' },
      rename_session: { type: 'rename_session', sessionId, name: 'renamed' },
      resume_session: { type: 'resume_session', sessionId },
      takeover_session: { type: 'takeover_session', sessionId },
      list_models: { type: 'list_models', provider: 'codex' },
      search: { type: 'search', query: 'hello' },
      list_history_groups: { type: 'list_history_groups' },
      list_history_sessions: { type: 'list_history_sessions', cwd: null },
      archive_session: { type: 'archive_session', sessionId },
      delete_session: { type: 'delete_session', sessionId },
      usage_report: { type: 'usage_report' },
      import_history: { type: 'import_history' },
      cancel_import: { type: 'cancel_import' },
      list_remotes: { type: 'list_remotes' },
    };
  };

  it('the engine answers each request type with a type of its map, or a wire error code', async () => {
    const samples = sample();
    assert.deepEqual(Object.keys(samples).sort(), Object.keys(ANSWER_TYPES).sort());
    const answered = new Map<string, string>();
    for (const [type, msg] of Object.entries(samples)) {
      const sent: ServerMessage[] = [];
      const conn = new ClientConnection({ engine: t.engine, replay: attachReplay(t.engine), serverVersion: 't', send: m => sent.push(m) });
      await conn.handle({ ...msg, requestId: `r-${type}` });
      conn.close();
      const answer = sent.find(m => 'requestId' in m && m.requestId === `r-${type}`);
      assert.ok(answer, `${type}: no answer`);
      if (answer.type === 'error') assert.ok((Object.values(WireErrorCode) as string[]).includes(answer.code), `${type}: ${JSON.stringify(answer)}`);
      else assert.ok((ANSWER_TYPES[type as ClientMessage['type']] as readonly string[]).includes(answer.type), `${type} answered with ${answer.type}`);
      answered.set(type, answer.type);
    }
    // Most requests succeed here, so the map is checked against real answers, not only errors.
    const ok = [...answered.values()].filter(a => a !== 'error').length;
    assert.ok(ok >= 20, `only ${ok} requests answered without an error: ${JSON.stringify(Object.fromEntries(answered))}`);
  });

  it('the protocol client resolves with the mapped answer and refuses another type as unexpected_answer', async () => {
    let answerWith: (req: ClientMessage) => ServerMessage = req => ({ type: 'search_results', requestId: req.requestId, query: 'x', results: [] });
    let receiver: (m: ServerMessage) => void = () => {};
    const transport: Transport = {
      send: m => queueMicrotask(() => receiver(answerWith(m))),
      onMessage: cb => { receiver = cb; },
      onClose: () => {},
      close: () => {},
    };
    const client = new ProtocolClient(transport);
    const hits = await client.request({ type: 'search', query: 'x' });
    assert.deepEqual(hits.results, []); // typed as search_results: no check by hand

    answerWith = req => ({ type: 'result', ok: true, requestId: req.requestId });
    await assert.rejects(client.request({ type: 'search', query: 'x' }), (e: unknown) =>
      e instanceof ProtocolError && e.code === ErrorCode.unexpectedAnswer && /search was answered with result/.test(e.message));
    client.close();
  });
});
