// Codex direct sessions across process boundaries, with the REAL codex binary and a fake provider:
// engine restart (same thread, history intact), the app-server killed mid-turn (restarted, session
// recoverable, clear error), and takeover of a passive session left by a real `codex exec` run.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Message, Session } from '../../src/engine/protocol';
import { type DirectHarness, sessionReads, startCodexWorld, startDirectHarness, stopCodexWorld } from '../fixtures/codexDirect';
import { codexBinaryForTests, type CodexHome, rolloutFiles } from '../fixtures/codexHome';
import { type FakeOpenAI, promptRouter } from '../fixtures/fakeOpenAI';
import { tmpDir, waitFor } from '../helpers/tmp';

describe('codex direct sessions: restart, crash, takeover (real codex)', function () {
  this.timeout(60_000);
  const router = promptRouter();
  let fake: FakeOpenAI;
  let home: CodexHome;
  let ws: { dir: string; cleanup(): void };
  let dbDir: string;
  let h: DirectHarness;

  before(async () => {
    ({ fake, home, ws } = await startCodexWorld(router.handler));
    dbDir = tmpDir('fd-codex-life-');
    h = await startDirectHarness({ dbDir, codexHome: home.dir, env: home.env, codexPath: codexBinaryForTests() });
  });
  after(() => stopCodexWorld({ fake, home, ws }, h));

  const { session, messages, sendAndWait } = sessionReads(() => h);

  it('engine restart, then send: the same thread is resumed with its history (never a new thread)', async () => {
    const s = await h.engine.createFromClient({ provider: 'codex', cwd: ws.dir, autonomy: 'fullAuto' });
    await sendAndWait(s.id, 'remember the word alpha');
    const threadId = s.providerSessionId!;
    const rollout = session(s.id).sourcePath!;
    assert.ok(fs.existsSync(rollout), 'rollout written');
    await h.engine.updateConfig(s.id, { autonomy: 'suggest' });
    // A second session is left waiting on an approval when the engine stops.
    router.on('touch pending', req => (req.step === 0 ? { steps: [{ type: 'exec', cmd: 'touch pending.txt' }] } : { steps: [{ type: 'text', text: 'done' }] }));
    const waiting = await h.engine.createFromClient({ provider: 'codex', cwd: ws.dir, autonomy: 'suggest' });
    await h.engine.sendMessage(waiting.id, 'touch pending');
    await waitFor(() => session(waiting.id).pendingApproval, 'the approval before the restart', 20_000);
    const filesBefore = rolloutFiles(home.dir).length;

    h = await h.restart();
    const stale = session(waiting.id);
    assert.deepEqual([stale.pendingApprovals.length, stale.workStatus, stale.currentTurnId], [0, 'waiting', null], 'no approval nobody can answer');
    assert.ok(messages(waiting.id).every(m => m.status !== 'inProgress'), 'nothing left streaming');
    assert.equal(messages(waiting.id).find(m => m.kind === 'command')?.status, 'interrupted');
    const restored = session(s.id);
    assert.equal(restored.workStatus, 'waiting');
    assert.equal(restored.providerSessionId, threadId);
    assert.equal(restored.autonomy, 'suggest', 'autonomy survives the restart');
    assert.equal(restored.approvalPolicy, 'untrusted');

    await sendAndWait(s.id, 'which word did I say');
    const req = fake.requests.find(r => r.prompt === 'which word did I say')!;
    assert.equal(req.threadId, threadId, 'the model call belongs to the same thread');
    assert.ok(req.userTexts.includes('remember the word alpha'), 'Codex still has the earlier turn');
    assert.equal(session(s.id).providerSessionId, threadId);
    assert.equal(rolloutFiles(home.dir).length, filesBefore, 'no new rollout (no new thread)');
    const lines = fs.readFileSync(rollout, 'utf8');
    assert.ok(lines.includes('remember the word alpha') && lines.includes('which word did I say'), 'both turns in the one rollout');
    const users = messages(s.id).filter(m => m.kind === 'user').map(m => m.text);
    assert.deepEqual(users, ['remember the word alpha', 'which word did I say'], 'transcript history intact');
    const turnCtx = lines.trim().split('\n').map(l => JSON.parse(l)).filter(l => l.type === 'turn_context').at(-1);
    assert.equal(turnCtx.payload.approval_policy, 'untrusted', 'the resumed thread runs with the session\'s approval policy');
  });

  it('a session restarted before its first turn (no rollout to resume) continues in a fresh thread', async () => {
    const s = await h.engine.createFromClient({ provider: 'codex', cwd: ws.dir, autonomy: 'autoEdit' });
    const oldThread = s.providerSessionId!;
    assert.equal(fs.existsSync(s.sourcePath!), false, 'codex writes the rollout at the first turn');
    h = await h.restart();
    await sendAndWait(s.id, 'first words after a restart');
    const now = session(s.id);
    assert.notEqual(now.providerSessionId, oldThread);
    assert.equal(h.engine.findByProviderId('codex', now.providerSessionId!)?.id, s.id, 'reindexed under the new thread id');
    assert.equal(now.approvalPolicy, 'on-request', 'the new thread keeps the autonomy');
    assert.equal(fake.requests.find(r => r.prompt === 'first words after a restart')?.threadId, now.providerSessionId);
    assert.ok(h.logs.some(l => l.msg.includes('never ran a turn')));
  });

  it('app-server killed mid-turn: restarted, the session shows a clear error and stays usable', async () => {
    const text = Array.from({ length: 80 }, (_, i) => `w${i}`).join(' ');
    router.on('crash during this', () => ({ steps: [{ type: 'text', text, chunks: 80, delayMs: 100 }] }));
    const s = await h.engine.createFromClient({ provider: 'codex', cwd: ws.dir, autonomy: 'fullAuto' });
    await h.engine.sendMessage(s.id, 'crash during this');
    const partial = await waitFor(() => messages(s.id).find(m => m.kind === 'agent' && m.text.length > 0), 'streamed text');
    const oldPid = h.direct.client.pid!;
    process.kill(oldPid, 'SIGKILL');

    await waitFor(() => session(s.id).currentTurnId === null, 'the turn to end');
    assert.equal(session(s.id).workStatus, 'waiting');
    const error = await waitFor(() => messages(s.id).find(m => m.kind === 'error'), 'an error item');
    assert.match(error.text, /Codex stopped unexpectedly \(signal SIGKILL\).*send a message to continue/);
    assert.equal(error.isError, true);
    const agent = messages(s.id).find(m => m.id === partial.id)!;
    assert.equal(agent.status, 'failed');
    assert.ok(agent.text.length > 0 && text.startsWith(agent.text), 'partial text kept');
    assert.ok(h.logs.some(l => l.level === 'error' && l.msg.includes('exited unexpectedly')), 'logged');

    await waitFor(() => h.direct.client.running && h.direct.client.pid !== oldPid, 'a new app-server');
    // The new process resumes the thread by itself, before anyone sends anything.
    const st = h.direct.controller.state.threads.get(s.providerSessionId!)!;
    await waitFor(() => st.loadedGen === h.direct.client.generation, 'the thread resumed in the new process');
    await sendAndWait(s.id, 'are you back');
    const req = fake.requests.find(r => r.prompt === 'are you back')!;
    assert.equal(req.threadId, s.providerSessionId);
    assert.equal(messages(s.id).filter(m => m.kind === 'agent').at(-1)?.text, 'ok');
  });

  it('takes over a passive session of a finished `codex exec`: the next turn lands in the same thread and rollout', async () => {
    router.on('exec hello', () => ({ steps: [{ type: 'text', text: 'hello from exec' }] }));
    const before = new Set(rolloutFiles(home.dir));
    const exec = spawn(codexBinaryForTests(), ['exec', '--skip-git-repo-check', 'exec hello'], {
      cwd: ws.dir, env: { ...process.env, ...home.env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    exec.stderr.on('data', d => { stderr += d; });
    const code = await new Promise<number | null>(resolve => exec.on('exit', c => resolve(c)));
    assert.equal(code, 0, stderr);
    const rollout = rolloutFiles(home.dir).find(f => !before.has(f))!;
    assert.ok(rollout, 'codex exec wrote a rollout');
    const meta = JSON.parse(fs.readFileSync(rollout, 'utf8').split('\n')[0]);
    assert.equal(meta.type, 'session_meta');
    const threadId: string = meta.payload.id;

    // What the passive watcher would have created for this rollout.
    const passive = h.engine.createSession({
      provider: 'codex', mode: 'passive', providerSessionId: threadId, cwd: meta.payload.cwd, sourcePath: rollout,
      approvalPolicy: 'never', sandboxMode: 'read-only',
    });
    h.engine.appendMessage(passive.id, { id: `${rollout}:1`, kind: 'user', text: 'exec hello', createdAt: new Date().toISOString() });
    await assert.rejects(h.engine.sendMessage(passive.id, 'nope'), /not available for codex passive/);

    // The rollout was written a moment ago: another writer may still be active.
    await assert.rejects(h.engine.takeover(passive.id, false), /may still be writing/);
    assert.equal(session(passive.id).mode, 'passive');
    // Quiet for longer than the quiet time (10 s): allowed without force.
    const quiet = new Date(Date.now() - 11_000);
    fs.utimesSync(rollout, quiet, quiet);

    await h.engine.takeover(passive.id, false);
    const taken = session(passive.id);
    assert.equal(taken.mode, 'direct');
    assert.equal(taken.id, passive.id);
    assert.equal(taken.displayName, 'exec hello', 'name kept');
    assert.equal(h.engine.findByProviderId('codex', threadId)?.mode, 'direct', 'the watcher now skips this rollout');

    const sizeBefore = fs.statSync(rollout).size;
    await sendAndWait(passive.id, 'continue after takeover');
    const req = fake.requests.find(r => r.prompt === 'continue after takeover')!;
    assert.equal(req.threadId, threadId);
    assert.ok(req.userTexts.includes('exec hello'), 'the thread history came along');
    assert.ok(fs.statSync(rollout).size > sizeBefore);
    assert.ok(fs.readFileSync(rollout, 'utf8').includes('continue after takeover'), 'appended to the same rollout');
    assert.equal(rolloutFiles(home.dir).filter(f => !before.has(f)).length, 1, 'no second rollout');
    assert.deepEqual(messages(passive.id).filter(m => m.kind === 'user').map(m => m.text), ['exec hello', 'continue after takeover']);
  });

  it('end_session stops driving the thread; resume_session and a send continue the same thread', async () => {
    const s = await h.engine.createFromClient({ provider: 'codex', cwd: ws.dir, autonomy: 'fullAuto' });
    await sendAndWait(s.id, 'before the end');
    const ended = await h.engine.end(s.id);
    assert.deepEqual([ended.status, ended.endReason], ['ended', 'user']);
    await h.engine.resume(s.id);
    assert.equal(session(s.id).status, 'active');
    await sendAndWait(s.id, 'after the end');
    const req = fake.requests.find(r => r.prompt === 'after the end')!;
    assert.equal(req.threadId, s.providerSessionId);
    assert.ok(req.userTexts.includes('before the end'));
  });

  it('takeover is refused while another process still writes the thread', async () => {
    router.on('exec slowly', () => ({ steps: [{ type: 'text', text: Array.from({ length: 60 }, (_, i) => `s${i}`).join(' '), chunks: 60, delayMs: 100 }] }));
    const before = new Set(rolloutFiles(home.dir));
    const exec = spawn(codexBinaryForTests(), ['exec', '--skip-git-repo-check', 'exec slowly'], {
      cwd: ws.dir, env: { ...process.env, ...home.env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise(resolve => exec.on('exit', resolve));
    try {
      const rollout = await waitFor(() => rolloutFiles(home.dir).find(f => !before.has(f)), 'the exec rollout');
      const threadId: string = await waitFor(() => {
        const first = fs.readFileSync(rollout, 'utf8').split('\n')[0];
        try { return JSON.parse(first).payload.id as string; } catch { return null; }
      }, 'session_meta');
      const passive = h.engine.createSession({ provider: 'codex', mode: 'passive', providerSessionId: threadId, cwd: ws.dir, sourcePath: rollout });
      await assert.rejects(h.engine.takeover(passive.id, true), (e: Error & { code?: string }) => e.code === 'conflict' && /still writing/.test(e.message));
      assert.equal(session(passive.id).mode, 'passive');
    } finally {
      exec.kill('SIGINT');
      await exited;
    }
  });
});
