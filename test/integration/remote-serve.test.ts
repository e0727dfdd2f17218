// Issue 20 with three real `flightdeck serve` processes on loopback, each with its own data folder,
// Codex home and leader folder (three machines): C runs a passive `codex exec` session, B drives a
// direct Codex session (real app-server, scripted provider), B joins C, and A joins B and C (and a
// third remote with a wrong token). A's clients see and drive every machine; B does not pass C's
// sessions on to A; a kill -9 of B and its return are resumed with no lost or doubled event.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ServerMessage, Session } from '../../src/engine/protocol';
import { type CodexHome, codexBinaryForTests, makeCodexHome, makeWorkspace } from '../fixtures/codexHome';
import { type FakeOpenAI, promptRouter, startFakeOpenAI } from '../fixtures/fakeOpenAI';
import { type ServeProcess, startServe } from '../helpers/serveProcess';
import { cleanupTmpDirs, tmpDir } from '../helpers/tmp';
import { TestClient } from './hub-harness';

interface Machine {
  name: string;
  dir: string;
  home: CodexHome;
  work: { dir: string; cleanup(): void };
  serve: ServeProcess;
  url: string;
  port: number;
  token: string;
}

describe('remote engines: three real serve processes (issue 20)', function () {
  this.timeout(180_000);
  const router = promptRouter();
  let fake: FakeOpenAI;
  const machines: Machine[] = [];
  const clients: TestClient[] = [];
  let a: Machine, b: Machine, c: Machine;
  let onA: TestClient;
  let onB: TestClient;
  let direct = ''; // B's direct session id (on B)
  let passive = ''; // C's passive session id (on C)

  async function start(name: string, args: string[] = [], env: Record<string, string> = {}, reuse?: Machine): Promise<Machine> {
    const dir = reuse?.dir ?? tmpDir(`fd-remote-${name}-`);
    const home = reuse?.home ?? makeCodexHome(fake.port);
    const work = reuse?.work ?? makeWorkspace();
    const serve = startServe(['--port', String(reuse?.port ?? 0), '--data-dir', path.join(dir, 'data'), '--codex-home', home.dir, '--claude-home', path.join(dir, 'claude'), ...args],
      { ...home.env, FLIGHTDECK_LEADER_DIR: path.join(dir, 'run'), ...env });
    const m = await serve.waitForLine(/WebSocket (ws:\/\/\S+)\)/);
    const url = m[1];
    const machine: Machine = { name, dir, home, work, serve, url, port: Number(new URL(url).port), token: fs.readFileSync(path.join(dir, 'data', 'token'), 'utf8').trim() };
    if (!reuse) machines.push(machine);
    return machine;
  }

  async function browser(m: Machine): Promise<TestClient> {
    const cl = await TestClient.connect(m.url, { token: m.token });
    clients.push(cl);
    await cl.request({ type: 'hello', protocolVersion: 1 });
    await cl.request({ type: 'subscribe_list' });
    return cl;
  }
  const listed = (cl: TestClient, pred: (s: Session) => boolean, what: string, ms = 60_000) =>
    cl.waitUntil(() => [...cl.state.list.values()].find(pred), ms, what);

  function codexExec(m: Machine, prompt: string): Promise<number | null> {
    const child = spawn(codexBinaryForTests(), ['exec', '--skip-git-repo-check', prompt], { cwd: m.work.dir, env: { ...process.env, ...m.home.env }, stdio: ['ignore', 'ignore', 'ignore'] });
    return new Promise(resolve => child.on('exit', code => resolve(code)));
  }

  const aArgs = () => ['--remote', `bee=${b.url}`, '--remote', `cee=${c.url}`, '--remote', `bad=${b.url}`];
  const aEnv = () => ({ FLIGHTDECK_REMOTE_CEE_TOKEN: c.token, FLIGHTDECK_REMOTE_BAD_TOKEN: 'x'.repeat(32) });

  before(async () => {
    router.on('say hello from C', () => ({ steps: [{ type: 'text', text: 'hello from C' }] }));
    router.on('make a file on B', req => (req.step === 0
      ? { steps: [{ type: 'exec', cmd: 'echo approved-through-A > remote.txt', escalated: true, justification: 'write the file' }] }
      : { steps: [{ type: 'text', text: 'file made on B' }] }));
    router.on('count on B', () => ({ steps: [{ type: 'text', text: 'one two three', chunks: 3, delayMs: 20 }] }));
    router.on('after the crash', () => ({ steps: [{ type: 'text', text: 'B is back' }] }));
    fake = await startFakeOpenAI(router.handler);
    c = await start('c');
    b = await start('b', ['--remote', `cee=${c.url}`], { FLIGHTDECK_REMOTE_CEE_TOKEN: c.token });
    // A's token for B comes from a 0600 file, C's from the environment; "bad" has a wrong token.
    const aDir = tmpDir('fd-remote-a-');
    fs.mkdirSync(path.join(aDir, 'data', 'remotes'), { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(aDir, 'data', 'remotes', 'bee.token'), `${b.token}\n`, { mode: 0o600 });
    a = await start('a', aArgs(), aEnv(), { dir: aDir } as Machine);
    machines.push(a);
    onA = await browser(a);
    onB = await browser(b);
  });
  after(async () => {
    for (const cl of clients) cl.close();
    for (const m of machines) m.serve.child.kill('SIGKILL');
    await Promise.all(machines.map(m => m.serve.exited));
    await fake?.close();
    for (const m of machines) { m.home.cleanup(); m.work.cleanup(); }
    cleanupTmpDirs();
  });

  it('a token file readable by others is refused with a clear message', async () => {
    const dir = tmpDir('fd-remote-open-');
    fs.mkdirSync(path.join(dir, 'remotes'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'remotes', 'box.token'), 'y'.repeat(32), { mode: 0o644 });
    fs.chmodSync(path.join(dir, 'remotes', 'box.token'), 0o644);
    const s = startServe(['--port', '0', '--data-dir', dir, '--remote', 'box=ws://127.0.0.1:9/ws'], { FLIGHTDECK_LEADER_DIR: path.join(dir, 'run') });
    assert.equal((await s.exited).code, 2);
    assert.match(s.stderr(), /box\.token is readable by other users \(mode 644\); run chmod 600/);
    const bad = startServe(['--port', '0', '--data-dir', dir, '--remote', 'no/slash=ws://127.0.0.1:9/ws'], { FLIGHTDECK_LEADER_DIR: path.join(dir, 'run') });
    assert.equal((await bad.exited).code, 2);
    assert.match(bad.stderr(), /a name is 1-32 letters/);
  });

  it('C\'s passive codex exec session is listed and streamed through B and A; the wrong token is reported, the others work', async () => {
    assert.equal(await codexExec(c, 'say hello from C please'), 0);
    const onBc = await listed(onB, s => s.id.startsWith('cee/') && s.mode === 'passive', 'C\'s session on B');
    passive = onBc.id.slice('cee/'.length);
    const onAc = await listed(onA, s => s.id === `cee/${passive}`, 'C\'s session on A');
    assert.deepEqual(onAc.host, { name: 'cee', reachable: true });
    const snap = await onA.request({ type: 'subscribe_session', sessionId: onAc.id });
    assert.equal(snap.type, 'session_snapshot');
    // From the snapshot, or streamed after it while C's watcher reads the rollout.
    await onA.waitUntil(() => onA.state.views.get(onAc.id)?.messages.some(m => m.kind === 'agent' && m.text === 'hello from C'), 30_000, 'C\'s transcript through A');
    const remotes = await onA.request({ type: 'list_remotes' });
    assert.ok(remotes.type === 'remotes_list');
    const byName = Object.fromEntries(remotes.remotes.map(r => [r.name, r]));
    assert.equal(byName.bee.state, 'connected');
    assert.equal(byName.cee.state, 'connected');
    assert.equal(byName.bad.state, 'unauthorized');
    assert.match(byName.bad.lastError ?? '', /refused the token \(HTTP 401\)/);
    assert.ok(!a.serve.stderr().includes(b.token) && !a.serve.stderr().includes(c.token), 'no token in A\'s log');
  });

  it('creates a direct Codex session on B through A, streams it, and an approval answered on A runs on B\'s app-server', async () => {
    const created = await onA.request({ type: 'create_session', provider: 'codex', cwd: b.work.dir, autonomy: 'autoEdit', host: 'bee' });
    assert.ok(created.type === 'result' && created.sessionId?.startsWith('bee/'), JSON.stringify(created));
    const id = created.type === 'result' ? created.sessionId! : '';
    direct = id.slice('bee/'.length);
    await listed(onA, s => s.id === id, 'B\'s new session on A');
    assert.equal((await onA.request({ type: 'subscribe_session', sessionId: id })).type, 'session_snapshot');
    assert.equal((await onA.request({ type: 'send_message', sessionId: id, text: 'count on B' })).type, 'result');
    await onA.waitFor(m => m.type === 'message_updated' && m.sessionId === id && m.message.text === 'one two three', 60_000, 'the streamed reply through A');

    assert.equal((await onA.request({ type: 'send_message', sessionId: id, text: 'make a file on B' })).type, 'result');
    const req = await onA.waitFor(m => m.type === 'approval_requested' && m.sessionId === id, 60_000, 'the approval on A');
    assert.ok(req.type === 'approval_requested');
    await listed(onA, s => s.id === id && s.pendingApprovals.length === 1, 'the approval in A\'s list (attention)');
    const stale = await onA.request({ type: 'approve_tool', sessionId: id, approvalId: req.approval.approvalId, version: req.approval.version + 1, decision: 'approved' });
    assert.equal(stale.type === 'error' && stale.code, 'stale_approval');
    const ok = await onA.request({ type: 'approve_tool', sessionId: id, approvalId: req.approval.approvalId, version: req.approval.version, decision: 'approved' });
    assert.equal(ok.type, 'result');
    await onA.waitFor(m => m.type === 'message_updated' && m.sessionId === id && m.message.text === 'file made on B', 60_000, 'the turn to finish');
    assert.equal(fs.readFileSync(path.join(b.work.dir, 'remote.txt'), 'utf8').trim(), 'approved-through-A');
  });

  it('renames both ways', async () => {
    const id = `bee/${direct}`;
    assert.equal((await onA.request({ type: 'rename_session', sessionId: id, name: 'named on A' })).type, 'result');
    await listed(onB, s => s.id === direct && s.displayName === 'named on A', 'the rename on B');
    assert.equal((await onB.request({ type: 'rename_session', sessionId: direct, name: 'named on B' })).type, 'result');
    await listed(onA, s => s.id === id && s.displayName === 'named on B', 'the rename on A');
    assert.equal((await onA.request({ type: 'rename_session', sessionId: `cee/${passive}`, name: 'C from A' })).type, 'result');
    await listed(onA, s => s.id === `cee/${passive}` && s.displayName === 'C from A', 'C renamed through A');
  });

  it('B does not pass C\'s sessions on to A; B\'s own clients see both hosts', () => {
    const onAIds = [...onA.state.list.keys()];
    assert.ok(!onAIds.some(id => id.startsWith('bee/cee/')), `A lists no re-exported session: ${onAIds.join(', ')}`);
    assert.deepEqual(onAIds.filter(id => id.startsWith('bee/')), [`bee/${direct}`]);
    assert.ok(onB.state.list.has(`cee/${passive}`) && onB.state.list.has(direct));
    assert.deepEqual(onA.state.takeResubscribes(), [], 'A\'s list revisions came in order');
  });

  it('kill -9 of B: its sessions show unreachable, then B returns and A resumes with no lost or doubled event', async () => {
    const id = `bee/${direct}`;
    b.serve.child.kill('SIGKILL');
    await b.serve.exited;
    await listed(onA, s => s.id === id && s.host?.reachable === false, 'B unreachable on A', 20_000);
    const shown = onA.state.list.get(id)!;
    assert.equal(shown.status, 'active', 'unreachable is not ended');
    assert.notEqual(shown.workStatus, 'working');
    const refused = await onA.request({ type: 'send_message', sessionId: id, text: 'hello?' });
    assert.equal(refused.type === 'error' && refused.code, 'unreachable');
    // C is unaffected.
    assert.equal(onA.state.list.get(`cee/${passive}`)?.host?.reachable, true);

    const restarted = await start('b', ['--remote', `cee=${c.url}`], { FLIGHTDECK_REMOTE_CEE_TOKEN: c.token }, b);
    b.serve = restarted.serve;
    await listed(onA, s => s.id === id && s.host?.reachable === true, 'B reachable again on A', 60_000);
    const before = onA.received.length;
    assert.equal((await onA.request({ type: 'send_message', sessionId: id, text: 'after the crash, still there?' })).type, 'result');
    await onA.waitFor(m => m.type === 'message_updated' && m.sessionId === id && m.message.text === 'B is back', 60_000, 'the reply after the crash');
    // A follower of B itself, for the truth: A's view of the transcript is B's, item for item.
    const truth = await TestClient.connect(b.url, { token: b.token });
    clients.push(truth);
    const page = await truth.request({ type: 'load_messages', sessionId: direct, limit: 200 });
    assert.ok(page.type === 'messages_page');
    const seen = onA.received.slice(before).filter((m): m is Extract<ServerMessage, { type: 'message_appended' }> => m.type === 'message_appended' && m.sessionId === id);
    const ids = seen.map(m => m.message.id);
    assert.equal(new Set(ids).size, ids.length, 'no item appended twice');
    // A's mirror (snapshot + events) holds B's transcript, same ids and seqs, in order.
    // As every client does: a resync asked for (B restarted, its replay buffer is empty) is sent.
    const current = () => {
      for (const r of onA.state.takeResubscribes()) onA.send(r);
      return onA.state.views.get(id)?.messages.some(m => m.text === 'B is back');
    };
    await onA.waitUntil(current, 20_000, 'A\'s view current');
    const view = onA.state.views.get(id)!;
    const mine = view.messages.map(m => `${m.id}#${m.seq}`);
    const theirs = page.messages.filter(m => m.seq >= view.messages[0].seq).map(m => `${m.id}#${m.seq}`);
    assert.deepEqual(mine, theirs);
  });

  it('after a restart of A (kill -9), the same ids are listed again, names intact', async () => {
    a.serve.child.kill('SIGKILL');
    await a.serve.exited;
    a.serve = (await start('a', aArgs(), aEnv(), a)).serve;
    const again = await browser(a);
    const d = await listed(again, s => s.id === `bee/${direct}`, 'B\'s session under the same id');
    assert.equal(d.displayName, 'named on B');
    const p = await listed(again, s => s.id === `cee/${passive}`, 'C\'s session under the same id');
    assert.equal(p.displayName, 'C from A');
  });
});
