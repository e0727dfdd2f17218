import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startRuntime, type Runtime } from '../../src/engine/runtime';
import { type ServeProcess, startServe } from '../helpers/serveProcess';
import { cleanupTmpDirs, tmpDir, waitFor } from '../helpers/tmp';

const quiet = () => {};

describe('one engine per machine: leader election', function () {
  this.timeout(60_000);
  const procs: ServeProcess[] = [];
  const runtimes: Runtime[] = [];
  let dir: string;
  const env = () => ({ FLIGHTDECK_LEADER_DIR: path.join(dir, 'run'), HOME: dir });
  // The in-process runtime's watchers and history import read these, never the real ~/.codex and ~/.claude.
  const homes = () => ({ codexHome: path.join(dir, 'codex'), claudeHome: path.join(dir, 'claude') });
  const args = () => ['--port', '0', '--data-dir', path.join(dir, 'data'), '--codex-home', path.join(dir, 'codex'), '--claude-home', path.join(dir, 'claude')];

  beforeEach(() => { dir = tmpDir('fd-leader-'); });
  afterEach(async () => {
    for (const p of procs.splice(0)) p.child.kill('SIGKILL');
    for (const r of runtimes.splice(0)) await r.stop().catch(() => {});
    cleanupTmpDirs();
  });

  it('a second serve process stands by, and takes over within 2 s after the leader is killed', async () => {
    const a = startServe(args(), env());
    procs.push(a);
    await a.waitForLine(/serving/);
    const b = startServe(args(), env());
    procs.push(b);
    await b.waitForLine(/standing by/);
    assert.ok(!b.stdout.some(l => /serving/.test(l)), 'only one process serves');
    const leaderInfo = JSON.parse(fs.readFileSync(path.join(dir, 'run', 'leader.json'), 'utf8'));
    assert.equal(leaderInfo.pid, a.child.pid);

    const killedAt = Date.now();
    a.child.kill('SIGKILL');
    const m = await b.waitForLine(/serving (http:\/\/\S+)\//, 10_000);
    const took = Date.now() - killedAt;
    assert.ok(took < 2000, `takeover took ${took} ms`);
    const health = await fetch(`${m[1]}/health`);
    assert.equal(health.status, 200);
    assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'run', 'leader.json'), 'utf8')).pid, b.child.pid);
  });

  it('a window-like runtime attaches to the leader as a protocol client and becomes the leader when it dies', async () => {
    const a = startServe(args(), env());
    procs.push(a);
    await a.waitForLine(/serving/);
    const rt = await startRuntime({ dataDir: path.join(dir, 'data'), version: 'test', log: quiet, leaderDir: path.join(dir, 'run'), ...homes() });
    runtimes.push(rt);
    assert.equal(rt.role, 'follower');
    assert.equal(rt.engine, undefined, 'a follower opens no database');
    const client = await rt.connect();
    const list = await client.request({ type: 'subscribe_list' });
    assert.equal(list.type, 'sessions_list');
    const closed = new Promise<void>(r => client.onClose(() => r()));

    a.child.kill('SIGKILL');
    await closed;
    // ~0.3 s on a quiet machine; the bound is for a loaded one (a clean-clone run once took over 5 s:
    // the take-over opens the store and starts every service before it says it leads)
    await waitFor(() => rt.role === 'leader', 'the runtime to take over', 20_000);
    const local = await rt.connect();
    const created = rt.engine!.createSession({ provider: 'codex', mode: 'passive', providerSessionId: 'after-takeover' });
    const again = await local.request({ type: 'subscribe_list' });
    assert.ok(again.type === 'sessions_list' && again.sessions.some(s => s.id === created.id));
  });

  it('replaces a socket file left behind by a killed leader', async () => {
    const a = startServe(args(), env());
    procs.push(a);
    await a.waitForLine(/serving/);
    a.child.kill('SIGKILL');
    await a.exited;
    assert.ok(fs.existsSync(path.join(dir, 'run', 'engine.sock')), 'the dead leader left its socket file');
    const rt = await startRuntime({ dataDir: path.join(dir, 'data'), version: 'test', log: quiet, leaderDir: path.join(dir, 'run'), ...homes() });
    runtimes.push(rt);
    assert.equal(rt.role, 'leader');
    assert.equal(fs.statSync(path.join(dir, 'run')).mode & 0o777, 0o700, 'only this user can reach the socket');
  });
});
