// Review comments sent back to the agent (issue 18) against the REAL codex app-server and the scripted
// fake provider: send_review goes through the protocol (ClientConnection, as every client's request
// does), arrives at the model as one message naming file and line, and the transcript shows it once,
// as a review item — for a new turn, for a steer into a running turn, and after a takeover.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { ClientConnection, attachReplay } from '../../src/engine/clients/connection';
import type { Message, ReviewComment, ServerMessage } from '../../src/engine/protocol';
import { parseClientMessage } from '../../src/engine/protocol';
import { type DirectHarness, sessionReads, startCodexWorld, startDirectHarness, stopCodexWorld } from '../fixtures/codexDirect';
import { codexBinaryForTests, type CodexHome, rolloutFiles } from '../fixtures/codexHome';
import { type FakeHandler, type FakeOpenAI, promptRouter } from '../fixtures/fakeOpenAI';
import { tmpDir, waitFor } from '../helpers/tmp';

describe('review comments back to the agent (real codex app-server, fake provider)', function () {
  this.timeout(60_000);
  const router = promptRouter();
  let fake: FakeOpenAI;
  let home: CodexHome;
  let ws: { dir: string; cleanup(): void };
  let h: DirectHarness;

  before(async () => {
    ({ fake, home, ws } = await startCodexWorld(router.handler));
    h = await startDirectHarness({ dbDir: tmpDir('fd-codex-review-'), codexHome: home.dir, env: home.env, codexPath: codexBinaryForTests() });
  });
  after(() => stopCodexWorld({ fake, home, ws }, h));

  const { session, messages, sendAndWait } = sessionReads(() => h);
  const reviews = (id: string): Message[] => messages(id).filter(m => m.review);
  const users = (id: string): Message[] => messages(id).filter(m => m.kind === 'user');

  /** One protocol request through a real ClientConnection; resolves with its answer (result or error). */
  async function request(msg: Record<string, unknown>): Promise<ServerMessage> {
    const sent: ServerMessage[] = [];
    const conn = new ClientConnection({ engine: h.engine, replay: attachReplay(h.engine), serverVersion: 't', send: m => sent.push(m) });
    await conn.handle(JSON.stringify({ requestId: 'r1', ...msg }));
    conn.close();
    const answer = sent.find(m => 'requestId' in m && m.requestId === 'r1');
    assert.ok(answer, `an answer to ${String(msg.type)}`);
    return answer;
  }

  const comments: ReviewComment[] = [
    { path: 'src/app.ts', line: 12, body: 'Rename this variable to something clearer' },
    { path: 'src/util/strings.ts', line: 3, side: 'original', body: 'Why was this check removed?\nIt guarded empty input.' },
  ];

  it('sends the comments as ONE message naming file and line; the transcript has exactly one review item', async () => {
    router.on('Review comments', () => ({ steps: [{ type: 'text', text: 'addressed the review' }] }));
    const s = await h.engine.createFromClient({ provider: 'codex', cwd: ws.dir, autonomy: 'fullAuto' });
    await sendAndWait(s.id, 'write the app');
    const before = fake.requests.length;

    const answer = await request({ type: 'send_review', sessionId: s.id, comments });
    assert.equal(answer.type, 'result', JSON.stringify(answer));
    await waitFor(() => session(s.id).currentTurnId === null && messages(s.id).some(m => m.kind === 'agent' && m.text === 'addressed the review'), 'the review turn to finish');

    const got = fake.requests.slice(before).filter(r => r.step === 0);
    assert.equal(got.length, 1, 'one new turn at the model');
    const prompt = got[0].prompt ?? '';
    assert.match(prompt, /^Review comments on your changes \(2 comments\)/);
    assert.ok(prompt.includes('- src/app.ts:12 — Rename this variable to something clearer'), prompt);
    assert.ok(prompt.includes('- src/util/strings.ts:3 (before the change) — Why was this check removed?\n  It guarded empty input.'), prompt);
    assert.equal(got[0].userTexts.filter(t => t.startsWith('Review comments')).length, 1, 'the model got the review once');

    const items = reviews(s.id);
    assert.equal(items.length, 1, `one review item: ${JSON.stringify(messages(s.id).map(m => [m.kind, m.text.slice(0, 30)]))}`);
    assert.equal(items[0].kind, 'user');
    assert.equal(items[0].text, prompt, 'the item carries the text the agent got');
    assert.deepEqual(items[0].review, [
      { path: 'src/app.ts', line: 12, body: 'Rename this variable to something clearer' },
      { path: 'src/util/strings.ts', line: 3, side: 'original', body: 'Why was this check removed?\nIt guarded empty input.' },
    ]);
    assert.deepEqual(users(s.id).map(u => Boolean(u.review)), [false, true], 'the echo did not add a second user item');
    assert.deepEqual(h.store.getMessage(items[0].id)?.review, items[0].review, 'the review is stored with the item');
    // A later plain prompt with other text is a plain user item.
    await sendAndWait(s.id, 'thanks');
    assert.equal(reviews(s.id).length, 1);
  });

  it('steers a running turn: the review goes into the same turn, still one review item', async () => {
    const steered: FakeHandler = req => (req.step === 0 && req.prompt === 'long review task'
      ? { steps: [{ type: 'exec', cmd: 'sleep 1' }] }
      : { steps: [{ type: 'text', text: `saw review: ${req.userTexts.some(t => t.includes('src/lib.ts:40'))}` }] });
    router.on('long review task', steered);
    // After the steer the review is the latest prompt: the same handler answers it.
    router.on('Review comments on your changes (1 comment)', steered);
    const s = await h.engine.createFromClient({ provider: 'codex', cwd: ws.dir, autonomy: 'fullAuto' });
    await h.engine.sendMessage(s.id, 'long review task');
    const turnId = await waitFor(() => session(s.id).currentTurnId, 'the turn to start');
    await waitFor(() => messages(s.id).some(m => m.kind === 'command'), 'the command to start');
    const answer = await request({ type: 'send_review', sessionId: s.id, comments: [{ path: 'src/lib.ts', line: 40, body: 'Handle the error here' }] });
    assert.equal(answer.type, 'result', JSON.stringify(answer));
    await waitFor(() => session(s.id).currentTurnId === null && messages(s.id).some(m => m.kind === 'agent'), 'turn end', 20_000);
    assert.deepEqual(messages(s.id).filter(m => m.kind === 'agent').map(m => m.text), ['saw review: true']);
    const items = reviews(s.id);
    assert.equal(items.length, 1);
    assert.equal(items[0].turnId, turnId, 'the review belongs to the running turn');
    assert.deepEqual(items[0].review, [{ path: 'src/lib.ts', line: 40, body: 'Handle the error here' }]);
    assert.equal(users(s.id).length, 2, 'the prompt and the review, nothing more');
  });

  it('refuses unknown sessions, empty comment lists and empty comments with clear errors', async () => {
    const s = await h.engine.createFromClient({ provider: 'codex', cwd: ws.dir, autonomy: 'fullAuto' });
    const unknown = await request({ type: 'send_review', sessionId: 'no-such-session', comments });
    assert.deepEqual(unknown.type === 'error' && [unknown.code, unknown.message], ['not_found', 'session no-such-session not found']);
    const empty = await request({ type: 'send_review', sessionId: s.id, comments: [] });
    assert.deepEqual(empty.type === 'error' && [empty.code, empty.message], ['bad_request', 'invalid send_review: comments: a review needs at least one comment']);
    const blank = await request({ type: 'send_review', sessionId: s.id, comments: [{ path: 'a.ts', line: 1, body: '   ' }] });
    assert.deepEqual(blank.type === 'error' && [blank.code, blank.message], ['bad_request', 'invalid send_review: comments.0.body: a review comment needs a text']);
    const badLine = parseClientMessage({ type: 'send_review', sessionId: s.id, comments: [{ path: 'a.ts', line: 0, body: 'x' }] });
    assert.equal(badLine.ok, false);
    // The engine checks too (in-process callers skip the protocol's validation).
    await assert.rejects(h.engine.sendReview(s.id, []), /a review needs at least one comment/);
    assert.equal(messages(s.id).length, 0, 'nothing was sent');
  });

  it('a passive session: refused with a hint to take it over; after the takeover the review goes in', async () => {
    router.on('exec for review', () => ({ steps: [{ type: 'text', text: 'exec done' }] }));
    router.on('Review comments on your changes (1 comment)', () => ({ steps: [{ type: 'text', text: 'review after takeover' }] }));
    const known = new Set(rolloutFiles(home.dir));
    const exec = spawn(codexBinaryForTests(), ['exec', '--skip-git-repo-check', 'exec for review'], {
      cwd: ws.dir, env: { ...process.env, ...home.env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    exec.stderr.on('data', d => { stderr += d; });
    assert.equal(await new Promise<number | null>(resolve => exec.on('exit', c => resolve(c))), 0, stderr);
    const rollout = rolloutFiles(home.dir).find(f => !known.has(f))!;
    const meta = JSON.parse(fs.readFileSync(rollout, 'utf8').split('\n')[0]);
    // What the passive watcher would have created for this rollout.
    const passive = h.engine.createSession({
      provider: 'codex', mode: 'passive', providerSessionId: meta.payload.id, cwd: meta.payload.cwd, sourcePath: rollout,
      approvalPolicy: 'never', sandboxMode: 'read-only',
    });
    const refused = await request({ type: 'send_review', sessionId: passive.id, comments: [comments[0]] });
    assert.ok(refused.type === 'error' && refused.code === 'not_supported' && /take it over first/.test(refused.message), JSON.stringify(refused));

    // Take Over and Send: what the clients do on that refusal.
    assert.equal((await request({ type: 'takeover_session', sessionId: passive.id, force: true })).type, 'result');
    assert.equal((await request({ type: 'send_review', sessionId: passive.id, comments: [comments[0]] })).type, 'result');
    await waitFor(() => messages(passive.id).some(m => m.kind === 'agent' && m.text === 'review after takeover'), 'the review turn after the takeover');
    const req = fake.requests.find(r => r.threadId === meta.payload.id && (r.prompt ?? '').includes('src/app.ts:12'));
    assert.ok(req, 'the review reached the model in the taken-over thread');
    assert.equal(reviews(passive.id).length, 1);
  });
});
