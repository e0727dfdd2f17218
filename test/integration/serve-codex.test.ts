// Issue 4's "done when", black box: from `flightdeck serve` alone, a WebSocket client creates a Codex
// session (real codex app-server, fake provider on loopback), watches it stream, approves a command,
// renames and interrupts it, and finds it intact after a restart — the next turn in the same thread.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ServerMessage, Session } from '../../src/engine/protocol';
import { type CodexHome, makeCodexHome, makeWorkspace } from '../fixtures/codexHome';
import { type FakeOpenAI, promptRouter, startFakeOpenAI } from '../fixtures/fakeOpenAI';
import { type ServeProcess, startServeForCodex, stopServe } from '../helpers/serveProcess';
import { cleanupTmpDirs, tmpDir } from '../helpers/tmp';
import type { TestWsClient } from '../helpers/wsClient';

describe('flightdeck serve + a WebSocket client drive a Codex session (real codex)', function () {
  this.timeout(120_000);
  const router = promptRouter();
  let fake: FakeOpenAI;
  let home: CodexHome;
  let work: { dir: string; cleanup(): void };
  let dir: string;
  let serve: ServeProcess | undefined;
  let client: TestWsClient | undefined;
  let sessionId = '';
  let threadId = '';

  const slow = Array.from({ length: 80 }, (_, i) => `w${i}`).join(' ');
  before(async () => {
    router.on('tell a story', () => ({ steps: [{ type: 'text', text: 'Once upon a time there was a deck.', chunks: 8, delayMs: 30 }], usage: { input: 1200, output: 9 } }));
    router.on('make a file', req => (req.step === 0
      ? { steps: [{ type: 'exec', cmd: 'echo hub-approved > hub.txt', escalated: true, justification: 'write the file' }] }
      : { steps: [{ type: 'text', text: 'file made' }] }));
    router.on('go slowly', () => ({ steps: [{ type: 'text', text: slow, chunks: 80, delayMs: 100 }] }));
    router.on('after restart', () => ({ steps: [{ type: 'text', text: 'still here' }] }));
    fake = await startFakeOpenAI(router.handler);
    home = makeCodexHome(fake.port);
    work = makeWorkspace();
    dir = tmpDir('fd-serve-codex-');
  });
  after(async () => {
    client?.close();
    await stopServe(serve);
    await fake?.close();
    home?.cleanup();
    work?.cleanup();
    cleanupTmpDirs();
  });

  async function startAndConnect(): Promise<void> {
    ({ serve, client } = await startServeForCodex(dir, home));
  }
  const session = () => [...client!.received].reverse().find(m => m.type === 'session_snapshot') as Extract<ServerMessage, { type: 'session_snapshot' }>;
  /** The session as the client sees it: the snapshot plus every delta after it. */
  function stateOf(): Session {
    const snap = session();
    let s = { ...snap.session };
    for (const m of client!.received.slice(client!.received.indexOf(snap) + 1)) {
      if (m.type === 'session_delta' && m.sessionId === sessionId) s = { ...s, ...m.changes } as Session;
    }
    return s;
  }
  const waitState = (pred: (s: Session) => boolean, what: string) =>
    client!.waitFor(m => m.type === 'session_delta' && m.sessionId === sessionId && pred(stateOf()), what, 60_000);

  it('creates a session with create_session and subscribes to it', async () => {
    await startAndConnect();
    const created = await client!.request({ type: 'create_session', provider: 'codex', cwd: work.dir, autonomy: 'autoEdit' });
    assert.equal(created.type, 'result');
    sessionId = (created as { sessionId: string }).sessionId;
    const snap = await client!.request({ type: 'subscribe_session', sessionId });
    assert.equal(snap.type, 'session_snapshot');
    threadId = stateOf().providerSessionId!;
    assert.ok(threadId, 'the Codex thread id is known');
    assert.equal(stateOf().mode, 'direct');
    assert.equal(stateOf().approvalPolicy, 'on-request');
  });

  it('streams a turn: coalesced message_updated with the full text, named from the prompt, tokens', async () => {
    await client!.request({ type: 'send_message', sessionId, text: 'tell a story about  a deck' });
    await client!.waitFor(m => m.type === 'message_updated' && m.sessionId === sessionId && m.message.text === 'Once upon a time there was a deck.', 'the streamed reply');
    await waitState(s => s.workStatus === 'waiting' && s.currentTurnId === null, 'the turn to end');
    assert.equal(stateOf().displayName, 'tell a story about a deck');
    assert.ok(stateOf().tokenUsage.input >= 1200);
    const revisions = client!.received.filter(m => 'sessionId' in m && 'revision' in m && m.sessionId === sessionId).map(m => (m as { revision: number }).revision);
    // Events of one change share its revision (a delta and its tokens_updated); otherwise +1, never a gap.
    for (let i = 1; i < revisions.length; i++) assert.ok([0, 1].includes(revisions[i] - revisions[i - 1]), `revision ${revisions[i - 1]} → ${revisions[i]}`);
  });

  it('approves a command from the client; it runs once, a second decision is stale', async () => {
    await client!.request({ type: 'send_message', sessionId, text: 'make a file please' });
    const req = await client!.waitFor(m => m.type === 'approval_requested' && m.sessionId === sessionId, 'approval_requested', 60_000);
    assert.ok(req.type === 'approval_requested');
    const approval = req.approval;
    assert.match(approval.command ?? '', /hub-approved/);
    await client!.request({ type: 'approve_tool', sessionId, approvalId: approval.approvalId, version: approval.version, decision: 'approved' });
    await assert.rejects(client!.request({ type: 'approve_tool', sessionId, approvalId: approval.approvalId, decision: 'approved' }), (e: { code?: string }) => e.code === 'stale_approval');
    await waitState(s => s.workStatus === 'waiting' && s.currentTurnId === null, 'the turn to end');
    assert.equal(fs.readFileSync(path.join(work.dir, 'hub.txt'), 'utf8').trim(), 'hub-approved');
  });

  it('renames the session', async () => {
    await client!.request({ type: 'rename_session', sessionId, name: 'Deck stories' });
    await waitState(s => s.displayName === 'Deck stories', 'the rename delta');
    assert.equal(stateOf().customName, 'Deck stories');
  });

  it('interrupts a streaming turn: the partial reply is kept, marked interrupted', async () => {
    await client!.request({ type: 'send_message', sessionId, text: 'go slowly now' });
    const partial = await client!.waitFor(m => m.type === 'message_updated' && m.sessionId === sessionId && (m.message.text ?? '').startsWith('w0 w1'), 'some streamed text');
    assert.ok(partial.type === 'message_updated');
    await client!.request({ type: 'interrupt_session', sessionId });
    await waitState(s => s.workStatus === 'waiting' && s.currentTurnId === null, 'the interrupted turn to end');
    const page = await client!.request({ type: 'load_messages', sessionId, limit: 50 });
    assert.ok(page.type === 'messages_page');
    const kept = page.messages.find(m => m.id === partial.message.id)!;
    assert.equal(kept.status, 'interrupted');
    assert.ok(kept.text.length > 0 && kept.text.length < slow.length);
  });

  it('after a restart the session is intact and the next turn lands in the same thread', async () => {
    client!.close();
    serve!.child.kill('SIGTERM');
    assert.equal((await serve!.exited).code, 0);
    await startAndConnect();
    const snap = await client!.request({ type: 'subscribe_session', sessionId });
    assert.ok(snap.type === 'session_snapshot');
    assert.equal(snap.session.displayName, 'Deck stories');
    assert.equal(snap.session.providerSessionId, threadId);
    assert.equal(snap.session.workStatus, 'waiting');
    assert.ok(snap.messages.some(m => m.kind === 'agent' && m.text === 'Once upon a time there was a deck.'), 'history intact');
    const before = fake.requests.length;
    await client!.request({ type: 'send_message', sessionId, text: 'after restart, hello' });
    await client!.waitFor(m => m.type === 'message_updated' && m.sessionId === sessionId && m.message.text === 'still here', 'the reply after restart', 60_000);
    const turnRequests = fake.requests.slice(before);
    assert.ok(turnRequests.length > 0 && turnRequests.every(r => r.threadId === threadId), 'same thread, no new one');
    assert.ok(turnRequests[0].userTexts.some(t => t.includes('tell a story')), 'the model saw the earlier history');
  });
});
