// Codex direct sessions against the REAL codex app-server (0.169.0) and a scripted fake Responses API
// on 127.0.0.1, with a temp CODEX_HOME and a real SQLite engine. One app-server and one fake serve
// every test here (each test uses its own session and prompts, so they do not see each other).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Message, Session } from '../../src/engine/protocol';
import { type DirectHarness, noisyCodexWrapper, sessionReads, startCodexWorld, startDirectHarness, stopCodexWorld } from '../fixtures/codexDirect';
import { codexBinaryForTests, type CodexHome } from '../fixtures/codexHome';
import { type FakeHandler, type FakeOpenAI, type FakeReply, promptRouter } from '../fixtures/fakeOpenAI';
import { tmpDir, waitFor } from '../helpers/tmp';

describe('codex direct sessions (real codex app-server, fake provider)', function () {
  this.timeout(60_000);
  const router = promptRouter();
  let fake: FakeOpenAI;
  let home: CodexHome;
  let ws: { dir: string; cleanup(): void };
  let h: DirectHarness;

  before(async () => {
    ({ fake, home, ws } = await startCodexWorld(router.handler));
    const dir = tmpDir('fd-codex-direct-');
    h = await startDirectHarness({ dbDir: dir, codexHome: home.dir, env: home.env, codexPath: noisyCodexWrapper(dir, codexBinaryForTests()) });
  });
  after(() => stopCodexWorld({ fake, home, ws }, h));

  const { session, messages, sendAndWait, agentTexts } = sessionReads(() => h);
  const create = (autonomy: Session['autonomy'] = 'autoEdit') =>
    h.engine.createFromClient({ provider: 'codex', cwd: ws.dir, ...(autonomy ? { autonomy } : {}) });
  const exists = (f: string) => fs.existsSync(path.join(ws.dir, f));

  it('survives malformed output from the process: logged, and the engine goes on', async () => {
    // The launcher printed garbage before exec-ing codex; the handshake still succeeded.
    const errors = h.logs.filter(l => l.level === 'error').map(l => l.msg);
    assert.ok(errors.some(m => m.includes('not JSON')), errors.join('\n'));
    assert.ok(errors.some(m => m.includes('neither method nor answer')), errors.join('\n'));
    assert.ok(errors.some(m => m.includes('malformed turn/started')), errors.join('\n'));
    const unknown = h.logs.filter(l => l.msg.includes('flightdeck/testUnknownNotification'));
    assert.equal(unknown.length, 1, 'an unknown notification is logged once');
    assert.ok(h.logs.some(l => /^codex app-server\[\d+\]: /.test(l.msg)), 'the process\'s stderr goes to the log');
    const s = await create();
    await sendAndWait(s.id, 'still alive?');
    assert.deepEqual(agentTexts(s.id), ['ok']);
  });

  it('lists models from the app-server and creates sessions with one of them', async () => {
    const models = await h.engine.listModels('codex');
    assert.ok(models.length > 0);
    assert.ok(models.some(m => m.isDefault), 'one model is the default');
    const pick = models[models.length - 1];
    const s = await h.engine.createFromClient({ provider: 'codex', cwd: ws.dir, model: pick.id });
    assert.equal(s.model, pick.id);
    await assert.rejects(h.engine.createFromClient({ provider: 'codex', cwd: ws.dir, model: 'no-such-model' }), /unknown Codex model/);
    await sendAndWait(s.id, 'which model');
    const req = fake.requests.find(r => r.prompt === 'which model');
    assert.equal(req?.body.model, pick.id);
    // Changed mid-session: the next turn uses it, and the session remembers it.
    const other = models[0].id === pick.id ? models[1] : models[0];
    await h.engine.updateConfig(s.id, { model: other.id });
    assert.equal(h.store.getSession(s.id)?.model, other.id);
    await sendAndWait(s.id, 'which model now');
    assert.equal(fake.requests.find(r => r.prompt === 'which model now')?.body.model, other.id);
    await assert.rejects(h.engine.updateConfig(s.id, { model: 'no-such-model' }), /unknown Codex model/);
  });

  it('offers reasoning efforts per model; the chosen one goes with every turn and can change mid-session', async () => {
    const models = await h.engine.listModels('codex');
    const m = models.find(x => (x.efforts?.length ?? 0) > 1);
    assert.ok(m, `a model offers several efforts: ${JSON.stringify(models)}`);
    assert.ok(m.defaultEffort, 'its default effort is known');
    const [first, second] = m.efforts!.map(e => e.effort).filter(e => e !== m.defaultEffort);
    const s = await h.engine.createFromClient({ provider: 'codex', cwd: ws.dir, model: m.id, effort: first });
    assert.equal(s.reasoningEffort, first);
    await sendAndWait(s.id, 'which effort');
    assert.equal((fake.requests.find(r => r.prompt === 'which effort')?.body.reasoning as { effort?: string })?.effort, first);
    await h.engine.updateConfig(s.id, { effort: second ?? m.defaultEffort! });
    assert.equal(h.store.getSession(s.id)?.reasoningEffort, second ?? m.defaultEffort);
    await sendAndWait(s.id, 'which effort now');
    assert.equal((fake.requests.find(r => r.prompt === 'which effort now')?.body.reasoning as { effort?: string })?.effort, second ?? m.defaultEffort);
    await assert.rejects(h.engine.updateConfig(s.id, { effort: 'no-such-effort' }), /offers no reasoning effort "no-such-effort"/);
    await assert.rejects(h.engine.createFromClient({ provider: 'codex', cwd: ws.dir, model: m.id, effort: 'no-such-effort' }), /offers no reasoning effort/);
  });

  it('streams agent text coalesced (at most every 50 ms, full text so far) and names the session from the prompt', async () => {
    const text = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
    router.on('stream please', () => ({ steps: [{ type: 'text', text, chunks: 30, delayMs: 15 }] }));
    const s = await create();
    assert.equal(s.mode, 'direct');
    assert.ok(s.providerSessionId, 'thread id is set when the thread exists');
    assert.equal(h.engine.findByProviderId('codex', s.providerSessionId!)?.id, s.id);
    const from = h.events.length;
    const started = Date.now();
    await sendAndWait(s.id, 'stream please,   tell me\n a story');
    const elapsed = Date.now() - started;
    const agent = messages(s.id).find(m => m.kind === 'agent')!;
    assert.equal(agent.text, text);
    assert.equal(agent.status, 'completed');
    const updates = h.events.slice(from).filter(e => e.type === 'message_updated' && e.message.id === agent.id && e.message.text !== undefined);
    const texts = updates.map(e => (e.type === 'message_updated' ? e.message.text! : ''));
    assert.ok(updates.length >= 2, `streamed in several updates (got ${updates.length})`);
    assert.ok(updates.length < 30, `coalesced: fewer updates (${updates.length}) than the 30 deltas`);
    assert.ok(updates.length <= Math.ceil(elapsed / 50) + 2, `at most one update per 50 ms (${updates.length} in ${elapsed} ms)`);
    for (const t of texts) assert.ok(text.startsWith(t), 'every update carries the full text so far');
    const user = messages(s.id).find(m => m.kind === 'user')!;
    assert.equal(user.text, 'stream please,   tell me\n a story');
    assert.equal(session(s.id).displayName, 'stream please, tell me a story');
    assert.deepEqual(new Set(messages(s.id).map(m => m.id)).size, messages(s.id).length, 'message ids are unique');
  });

  it('names the session from the first real prompt, never from a bootstrap payload (SPEC §9 scenario 7)', async () => {
    const s = await create();
    await sendAndWait(s.id, '<environment_context>\n  <cwd>/x</cwd>\n</environment_context>');
    assert.equal(session(s.id).firstPrompt, null);
    assert.equal(session(s.id).displayName, path.basename(ws.dir));
    await sendAndWait(s.id, 'Fix the flaky login test');
    await sendAndWait(s.id, 'and then something else');
    assert.equal(session(s.id).displayName, 'Fix the flaky login test');
  });

  it('reports token usage per turn and context fill from the last input, plus rate-limit windows', async () => {
    router.on('count tokens', req => req.step === 0
      ? { steps: [{ type: 'exec', cmd: 'true' }], usage: { input: 30_000, cached: 1000, output: 5 } }
      : {
        steps: [{ type: 'text', text: 'counted' }], usage: { input: 51_680, cached: 20_000, output: 40 },
        headers: {
          'x-codex-primary-used-percent': '12', 'x-codex-primary-window-minutes': '300', 'x-codex-primary-reset-at': '1795700000',
          'x-codex-secondary-used-percent': '40', 'x-codex-secondary-window-minutes': '10080', 'x-codex-secondary-reset-at': '1795900000',
        },
      });
    const s = await create('fullAuto');
    const from = h.events.length;
    await sendAndWait(s.id, 'count tokens');
    const u = session(s.id).tokenUsage;
    assert.equal(u.input, 81_680);
    assert.equal(u.output, 45);
    assert.equal(u.cached, 21_000);
    assert.equal(u.lastTurnInput, 51_680, 'context fill uses the input of the last model call, not the sum');
    assert.equal(u.contextWindow, 258_400);
    assert.equal(session(s.id).contextFill, 51_680 / 258_400);
    assert.ok(h.events.slice(from).some(e => e.type === 'tokens_updated' && e.sessionId === s.id));
    const rl = session(s.id).rateLimits;
    assert.equal(rl?.primary?.windowMinutes, 300);
    assert.equal(rl?.primary?.usedPercent, 12);
    assert.equal(rl?.primary?.resetsAt, new Date(1795700000 * 1000).toISOString());
    assert.equal(rl?.secondary?.windowMinutes, 10080);
  });

  // ---- approvals ------------------------------------------------------------------------------

  function escalated(prefix: string, cmd: string, after = 'finished'): void {
    router.on(prefix, req => (req.step === 0
      ? { steps: [{ type: 'exec', cmd, escalated: true, justification: 'Needs to write outside the sandbox' }] }
      : { steps: [{ type: 'text', text: `${after}: ${req.lastOutput?.output.includes('rejected') ? 'rejected' : 'ran'}` }] }));
  }
  async function pendingOf(id: string) {
    return waitFor(() => session(id).pendingApproval, 'an approval request', 20_000);
  }

  it('command approval → approved: the command runs, the session goes back to working', async () => {
    escalated('approve run', 'echo approved-run > approved.txt');
    const s = await create('autoEdit');
    await h.engine.sendMessage(s.id, 'approve run');
    const a = await pendingOf(s.id);
    assert.equal(session(s.id).workStatus, 'needsApproval');
    assert.equal(a.kind, 'exec');
    assert.match(a.command ?? '', /echo approved-run > approved.txt/);
    assert.equal(a.reason, 'Needs to write outside the sandbox');
    assert.ok(a.options.includes('approved_for_session'));
    assert.ok(h.events.some(e => e.type === 'approval_requested' && e.sessionId === s.id && e.approval.approvalId === a.approvalId));
    const after = await h.engine.decideApproval(s.id, a.approvalId, 'approved', { version: a.version });
    assert.equal(after.pendingApproval, null);
    await waitFor(() => session(s.id).workStatus === 'waiting' && session(s.id).currentTurnId === null, 'turn end', 20_000);
    assert.ok(exists('approved.txt'));
    const cmd = messages(s.id).find(m => m.kind === 'command')!;
    assert.equal(cmd.status, 'completed');
    assert.equal(cmd.exitCode, 0);
    assert.equal(cmd.isError, false);
    assert.deepEqual(agentTexts(s.id), ['finished: ran']);
    await assert.rejects(h.engine.decideApproval(s.id, a.approvalId, 'approved'), /no longer pending/, 'a repeated decision is rejected');
  });

  it('several approvals at once form a queue, decided one by one in order', async () => {
    router.on('two at once', req => (req.step === 0
      ? { steps: [{ type: 'exec', cmd: 'echo one > q1.txt', escalated: true }, { type: 'exec', cmd: 'echo two > q2.txt', escalated: true }] }
      : { steps: [{ type: 'text', text: 'both done' }] }));
    const s = await create('autoEdit');
    await h.engine.sendMessage(s.id, 'two at once');
    const queue = await waitFor(() => session(s.id).pendingApprovals.length === 2 && session(s.id).pendingApprovals, 'two approvals', 20_000);
    // Codex runs the two calls in parallel, so either may ask first: the queue keeps arrival order.
    assert.deepEqual(queue.map(a => /echo (one|two)/.exec(a.command ?? '')?.[1]).sort(), ['one', 'two']);
    const arrival = h.events.flatMap(e => (e.type === 'approval_requested' && e.sessionId === s.id ? [e.approval.approvalId] : []));
    assert.deepEqual(queue.map(a => a.approvalId), arrival);
    assert.equal(session(s.id).pendingApproval?.approvalId, queue[0].approvalId, 'the head of the queue');
    const after = await h.engine.decideApproval(s.id, queue[0].approvalId, 'approved');
    assert.equal(after.workStatus, 'needsApproval', 'still one to decide');
    assert.equal(after.pendingApproval?.approvalId, queue[1].approvalId);
    await h.engine.decideApproval(s.id, queue[1].approvalId, 'approved');
    await waitFor(() => session(s.id).currentTurnId === null && agentTexts(s.id).length === 1, 'turn end', 20_000);
    assert.ok(exists('q1.txt') && exists('q2.txt'));
  });

  it('command approval → denied: the command does not run and the model hears it was rejected', async () => {
    escalated('deny run', 'echo denied-run > denied.txt');
    const s = await create('autoEdit');
    await h.engine.sendMessage(s.id, 'deny run');
    const a = await pendingOf(s.id);
    await assert.rejects(h.engine.decideApproval(s.id, a.approvalId, 'denied', { version: a.version + 1 }), /changed/, 'a stale version is rejected');
    const after = await h.engine.decideApproval(s.id, a.approvalId, 'denied', { version: a.version });
    assert.equal(after.workStatus, 'waiting');
    await waitFor(() => agentTexts(s.id).length === 1 && session(s.id).currentTurnId === null, 'turn end');
    assert.deepEqual(agentTexts(s.id), ['finished: rejected']);
    assert.equal(exists('denied.txt'), false);
    const cmd = messages(s.id).find(m => m.kind === 'command')!;
    assert.equal(cmd.status, 'declined');
    assert.equal(cmd.isError, true);
  });

  it('command approval → abort: the turn stops, no further model call, session waits', async () => {
    escalated('abort run', 'echo aborted-run > aborted.txt');
    const s = await create('autoEdit');
    await h.engine.sendMessage(s.id, 'abort run');
    const a = await pendingOf(s.id);
    await h.engine.decideApproval(s.id, a.approvalId, 'abort');
    await waitFor(() => session(s.id).currentTurnId === null && session(s.id).workStatus === 'waiting', 'interrupted turn end');
    assert.equal(exists('aborted.txt'), false);
    assert.equal(fake.requests.filter(r => r.prompt === 'abort run').length, 1, 'no model call after abort');
    assert.deepEqual(agentTexts(s.id), []);
  });

  it('approved_for_session: the same command later runs without a second prompt', async () => {
    escalated('session run', 'echo session-run >> session.txt');
    const s = await create('autoEdit');
    await h.engine.sendMessage(s.id, 'session run once');
    const a = await pendingOf(s.id);
    await h.engine.decideApproval(s.id, a.approvalId, 'approved_for_session');
    await waitFor(() => agentTexts(s.id).length === 1 && session(s.id).currentTurnId === null, 'first turn end');
    const asked = () => h.events.filter(e => e.type === 'approval_requested' && e.sessionId === s.id).length;
    assert.equal(asked(), 1);
    await sendAndWait(s.id, 'session run twice');
    assert.equal(asked(), 1, 'no second approval request');
    assert.equal(fs.readFileSync(path.join(ws.dir, 'session.txt'), 'utf8').trim().split('\n').length, 2);
  });

  it('file-change approval carries the diff from the item start; the turn diff lands in session state', async () => {
    router.on('patch it', req => (req.step === 0
      ? { steps: [{ type: 'patch', patch: '*** Begin Patch\n*** Add File: hello.txt\n+hello from apply_patch\n*** End Patch\n' }] }
      : { steps: [{ type: 'text', text: 'patched' }] }));
    const s = await h.engine.createFromClient({ provider: 'codex', cwd: ws.dir, autonomy: 'suggest' });
    await h.engine.sendMessage(s.id, 'patch it');
    const a = await pendingOf(s.id);
    assert.equal(a.kind, 'fileChange');
    assert.equal(a.changes?.length, 1);
    assert.equal(path.basename(a.changes![0].path), 'hello.txt');
    assert.equal(a.changes![0].kind, 'add');
    assert.match(a.changes![0].diff, /hello from apply_patch/);
    assert.ok(!a.options.includes('approved_always'), 'always is offered only with an exec-policy amendment');
    await h.engine.decideApproval(s.id, a.approvalId, 'approved');
    await waitFor(() => agentTexts(s.id).length === 1 && session(s.id).currentTurnId === null, 'turn end');
    assert.equal(fs.readFileSync(path.join(ws.dir, 'hello.txt'), 'utf8'), 'hello from apply_patch\n');
    const change = messages(s.id).find(m => m.kind === 'fileChange')!;
    assert.equal(change.status, 'completed');
    assert.match(change.changes![0].diff, /hello from apply_patch/);
    const diff = session(s.id).turnDiff;
    // Codex names paths from the git root it finds above its cwd: none for this temp workspace, unless
    // a .git lies higher up (a sandboxed codex run once left an empty /tmp/.git: then `<workspace>/hello.txt`)
    const relative = path.relative(path.dirname(ws.dir), path.join(ws.dir, 'hello.txt'));
    assert.equal(diff.length, 1);
    assert.ok(['hello.txt', relative].includes(diff[0].path), `turn diff path: ${diff[0].path}`);
    assert.equal(diff[0].kind, 'add');
    assert.ok(diff[0].diff.startsWith(`diff --git a/${diff[0].path} b/${diff[0].path}`), diff[0].diff.slice(0, 200));
    assert.ok(h.events.some(e => e.type === 'session_delta' && e.sessionId === s.id && e.changes.turnDiff?.length === 1), 'turn diff sent as a delta');
  });

  it('approved_always is offered with an exec-policy amendment and sends it to Codex', async () => {
    router.on('always run', req => (req.step === 0 ? { steps: [{ type: 'exec', cmd: 'touch always.txt' }] } : { steps: [{ type: 'text', text: 'ok always' }] }));
    const s = await create('suggest');
    await h.engine.sendMessage(s.id, 'always run');
    const a = await pendingOf(s.id);
    assert.ok(a.options.includes('approved_always'), a.options.join(','));
    await h.engine.decideApproval(s.id, a.approvalId, 'approved_always');
    await waitFor(() => agentTexts(s.id).length === 1 && session(s.id).currentTurnId === null, 'turn end');
    assert.ok(exists('always.txt'));
    const rules = fs.readdirSync(home.dir, { recursive: true }).map(String).filter(f => f.endsWith('.rules'));
    assert.ok(rules.length > 0, 'codex persisted the exec-policy rule');
    assert.match(fs.readFileSync(path.join(home.dir, rules[0]), 'utf8'), /always\.txt/);
  });

  it('plan-mode questions are answered by question id; a stale answer is rejected', async () => {
    router.on('plan with me', req => (req.step === 0
      ? { steps: [{ type: 'ask', questions: [{ id: 'color', header: 'Color', question: 'Which color?', options: [{ label: 'red', description: 'warm' }, { label: 'blue', description: 'cool' }] }] }] }
      : { steps: [{ type: 'text', text: `answer: ${req.lastOutput?.output}` }] }));
    const s = await create();
    await h.engine.updateConfig(s.id, { planMode: true });
    assert.equal(h.store.getSession(s.id)?.planMode, true, 'persisted');
    await h.engine.sendMessage(s.id, 'plan with me');
    const q = await waitFor(() => session(s.id).pendingQuestion, 'a question');
    assert.equal(session(s.id).workStatus, 'needsAnswer');
    assert.deepEqual(q.questions.map(x => [x.id, x.question, x.options?.map(o => o.label)]), [['color', 'Which color?', ['red', 'blue']]]);
    await assert.rejects(h.engine.answerQuestion(s.id, 'call_0_0', { color: 'red' }), /not pending/, 'a tool call id is not a question id');
    await h.engine.answerQuestion(s.id, q.questionId, { color: 'blue' });
    assert.equal(session(s.id).pendingQuestion, null);
    await waitFor(() => session(s.id).currentTurnId === null && agentTexts(s.id).length === 1, 'turn end');
    assert.deepEqual(JSON.parse(agentTexts(s.id)[0].slice('answer: '.length)), { answers: { color: { answers: ['blue'] } } });
    await assert.rejects(h.engine.answerQuestion(s.id, q.questionId, { color: 'red' }), /not pending/, 'answered once only');
    // Back to default mode: Codex refuses questions again.
    await h.engine.updateConfig(s.id, { planMode: false });
    await sendAndWait(s.id, 'plan with me again');
    assert.match(agentTexts(s.id).at(-1)!, /request_user_input is unavailable in Default mode/);
  });

  // ---- interrupt, rename, autonomy, concurrency -------------------------------------------------

  it('interrupt mid-stream: the turn stops, the partial message is kept and marked interrupted', async () => {
    const text = Array.from({ length: 60 }, (_, i) => `slow${i}`).join(' ');
    router.on('go slowly', () => ({ steps: [{ type: 'text', text, chunks: 60, delayMs: 100 }] }));
    const s = await create();
    await h.engine.sendMessage(s.id, 'go slowly');
    const partial = await waitFor(() => messages(s.id).find(m => m.kind === 'agent' && m.text.length > 0), 'some streamed text');
    assert.equal(session(s.id).workStatus, 'working');
    await h.engine.interrupt(s.id);
    await waitFor(() => session(s.id).currentTurnId === null, 'turn end');
    assert.equal(session(s.id).workStatus, 'waiting');
    const agent = messages(s.id).find(m => m.id === partial.id)!;
    assert.equal(agent.status, 'interrupted');
    assert.ok(agent.text.length >= partial.text.length && agent.text.length < text.length, 'the partial text is kept');
    assert.ok(text.startsWith(agent.text));
    await sendAndWait(s.id, 'after the interrupt');
    assert.equal(agentTexts(s.id).at(-1), 'ok', 'the next turn works');
  });

  it('steers a running turn: a send while the turn runs goes into the same turn', async () => {
    // After the steer the latest prompt is "also this"; the reply lists what the model was told.
    const steered: FakeHandler = req => (req.step === 0 && req.prompt === 'long task'
      ? { steps: [{ type: 'exec', cmd: 'sleep 1' }] }
      : { steps: [{ type: 'text', text: `saw: ${req.userTexts.filter(t => t === 'long task' || t === 'also this').join(',')}` }] });
    router.on('long task', steered);
    router.on('also this', steered);
    const s = await create('fullAuto');
    await h.engine.sendMessage(s.id, 'long task');
    const turnId = await waitFor(() => session(s.id).currentTurnId, 'the turn to start');
    await waitFor(() => messages(s.id).some(m => m.kind === 'command'), 'the command to start');
    await h.engine.sendMessage(s.id, 'also this');
    await waitFor(() => session(s.id).currentTurnId === null && agentTexts(s.id).length > 0, 'turn end', 20_000);
    assert.deepEqual(agentTexts(s.id), ['saw: long task,also this']);
    const users = messages(s.id).filter(m => m.kind === 'user');
    assert.deepEqual(users.map(u => u.turnId), [turnId, turnId], 'both prompts belong to the one turn');
  });

  it('rename both ways: a rename reaches Codex; a Codex thread-name event sets customName', async () => {
    const s = await create();
    await sendAndWait(s.id, 'something to name');
    await h.engine.rename(s.id, 'My renamed session');
    const index = path.join(home.dir, 'session_index.jsonl');
    await waitFor(() => fs.existsSync(index) && fs.readFileSync(index, 'utf8').includes('My renamed session'), 'session_index.jsonl entry');
    const entry = fs.readFileSync(index, 'utf8').trim().split('\n').map(l => JSON.parse(l)).find(e => e.thread_name === 'My renamed session');
    assert.equal(entry.id, s.providerSessionId);
    assert.equal(session(s.id).displayName, 'My renamed session');
    // Another Codex client names the thread: the event reaches the session.
    await h.direct.client.request('thread/name/set', { threadId: s.providerSessionId, name: 'Named in Codex' });
    await waitFor(() => session(s.id).customName === 'Named in Codex', 'customName from the thread-name event');
    assert.equal(session(s.id).displayName, 'Named in Codex');
  });

  it('autonomy change mid-session takes effect on the next command and is persisted', async () => {
    router.on('touch', req => (req.step === 0 ? { steps: [{ type: 'exec', cmd: `touch ${req.prompt!.split(' ')[1]}` }] } : { steps: [{ type: 'text', text: 'touched' }] }));
    const s = await create('fullAuto');
    assert.equal(s.approvalPolicy, 'never');
    await sendAndWait(s.id, 'touch auto1.txt');
    assert.ok(exists('auto1.txt'), 'full auto: ran without asking');
    assert.equal(session(s.id).pendingApproval, null);
    await h.engine.updateConfig(s.id, { autonomy: 'suggest' });
    assert.equal(session(s.id).autonomy, 'suggest');
    assert.equal(session(s.id).approvalPolicy, 'untrusted');
    assert.equal(h.store.getSession(s.id)?.approvalPolicy, 'untrusted', 'persisted');
    await h.engine.sendMessage(s.id, 'touch auto2.txt');
    const a = await pendingOf(s.id);
    assert.match(a.command ?? '', /touch auto2.txt/);
    await h.engine.decideApproval(s.id, a.approvalId, 'approved');
    await waitFor(() => session(s.id).currentTurnId === null && exists('auto2.txt'), 'second command');
  });

  it('two sessions streaming at once stay separate', async () => {
    const reply = (tag: string): FakeReply => ({ steps: [{ type: 'text', text: Array.from({ length: 20 }, (_, i) => `${tag}${i}`).join(' '), chunks: 20, delayMs: 20 }] });
    router.on('alpha stream', () => reply('A'));
    router.on('beta stream', () => reply('B'));
    const [a, b] = await Promise.all([create(), create()]);
    await Promise.all([h.engine.sendMessage(a.id, 'alpha stream'), h.engine.sendMessage(b.id, 'beta stream')]);
    await waitFor(() => [a, b].every(x => session(x.id).currentTurnId === null && agentTexts(x.id).length === 1), 'both turns');
    assert.match(agentTexts(a.id)[0], /^A0 A1 .* A19$/);
    assert.match(agentTexts(b.id)[0], /^B0 B1 .* B19$/);
    for (const e of h.events) {
      if (e.type !== 'message_updated' || !e.message.text) continue;
      if (e.sessionId === a.id) assert.ok(!e.message.text.includes('B'), 'no B text in A');
      if (e.sessionId === b.id) assert.ok(!e.message.text.includes('A'), 'no A text in B');
    }
    assert.notEqual(a.providerSessionId, b.providerSessionId);
  });
});
