import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import WebSocket from 'ws';
import { FakeClock } from '../../src/engine/platform/clock';
import { SessionEngine } from '../../src/engine/sessions/engine';
import { openStore } from '../../src/engine/store/sqliteStore';
import { DB_FILE } from '../../src/engine/services';
import { type ServeProcess, startServe } from '../helpers/serveProcess';
import { cleanupTmpDirs, tmpDir } from '../helpers/tmp';

function wsOpen(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
    ws.once('error', reject);
  });
}

function nextMessage(ws: WebSocket, type: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${type} message`)), 10_000);
    const on = (data: WebSocket.RawData) => {
      const m = JSON.parse(String(data));
      if (m.type === type) { clearTimeout(t); ws.off('message', on); resolve(m); }
    };
    ws.on('message', on);
  });
}

describe('flightdeck serve (black box)', function () {
  this.timeout(60_000);
  let dir: string;
  let proc: ServeProcess | undefined;
  let sessionId: string;

  before(() => {
    dir = tmpDir('fd-serve-');
    // A session already in the store, as a previous run would have left it.
    const store = openStore({ file: path.join(dir, 'data', DB_FILE), clock: new FakeClock(Date.now()) });
    const engine = new SessionEngine({ store, clock: new FakeClock(Date.now()) });
    engine.start();
    sessionId = engine.createSession({ provider: 'codex', mode: 'passive', providerSessionId: 'thread-1', cwd: '/home/me/project' }).id;
    engine.stop();
    store.close();
    proc = startServe(['--port', '0', '--data-dir', path.join(dir, 'data'), '--codex-home', path.join(dir, 'codex'), '--claude-home', path.join(dir, 'claude')],
      { FLIGHTDECK_LEADER_DIR: path.join(dir, 'run'), HOME: dir });
  });
  after(() => { proc?.child.kill('SIGKILL'); cleanupTmpDirs(); });

  let base: string;
  it('prints where it serves and answers GET /health with ok and the version', async () => {
    const m = await proc!.waitForLine(/serving (http:\/\/127\.0\.0\.1:\d+)\//);
    base = m[1];
    const res = await fetch(`${base}/health`);
    assert.equal(res.status, 200);
    const body = await res.json() as { ok: boolean; version: string };
    assert.equal(body.ok, true);
    assert.equal(body.version, JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')).version);
  });

  it('writes a generated token to <data-dir>/token with mode 0600, and never logs it', () => {
    const file = path.join(dir, 'data', 'token');
    const token = fs.readFileSync(file, 'utf8').trim();
    assert.ok(token.length >= 32);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.ok(!proc!.stderr().includes(token), 'token in the log');
  });

  it('rejects /ws without a token and with a wrong token with 401', async () => {
    const url = base.replace('http', 'ws') + '/ws';
    await assert.rejects(wsOpen(url), (e: { status?: number }) => e.status === 401);
    await assert.rejects(wsOpen(url, { Authorization: 'Bearer nope-nope-nope-nope-nope-nope-nope' }), (e: { status?: number }) => e.status === 401);
  });

  it('answers subscribe_list with the sessions in camelCase and the list revision', async () => {
    const token = fs.readFileSync(path.join(dir, 'data', 'token'), 'utf8').trim();
    const ws = await wsOpen(base.replace('http', 'ws') + '/ws', { Authorization: `Bearer ${token}` });
    const answer = nextMessage(ws, 'sessions_list');
    ws.send(JSON.stringify({ type: 'subscribe_list' }));
    const list = await answer as { revision: number; sessions: Record<string, unknown>[] };
    assert.equal(typeof list.revision, 'number');
    const s = list.sessions.find(x => x.id === sessionId)!;
    assert.ok(s, 'the stored session is listed');
    for (const k of ['provider', 'mode', 'providerSessionId', 'projectName', 'workStatus', 'displayName', 'lastActivityAt', 'revision']) assert.ok(k in s, k);
    assert.equal(s.providerSessionId, 'thread-1');
    // A rename through the hub, to check the store is flushed on SIGTERM.
    const done = nextMessage(ws, 'result');
    ws.send(JSON.stringify({ type: 'rename_session', sessionId, name: 'Renamed over the hub', requestId: 'r1' }));
    assert.equal((await done).requestId, 'r1');
    ws.close();
  });

  it('flushes and exits 0 on SIGTERM', async () => {
    proc!.child.kill('SIGTERM');
    const { code } = await proc!.exited;
    assert.equal(code, 0);
    const store = openStore({ file: path.join(dir, 'data', DB_FILE), clock: new FakeClock() });
    assert.equal(store.getSession(sessionId)?.displayName, 'Renamed over the hub');
    store.close();
  });
});

describe('flightdeck serve --install-claude-hooks', function () {
  this.timeout(60_000);
  after(() => cleanupTmpDirs());

  it('adds the hook entries (pointing at dist/hook.js and the leader folder), keeps the user\'s own, then serves', async () => {
    const dir = tmpDir('fd-serve-hooks-');
    const claudeHome = path.join(dir, 'claude');
    fs.mkdirSync(claudeHome);
    const mine = { hooks: { Stop: [{ hooks: [{ type: 'command', command: 'echo mine' }] }] }, theme: 'dark' };
    fs.writeFileSync(path.join(claudeHome, 'settings.json'), JSON.stringify(mine));
    const proc = startServe(['--port', '0', '--data-dir', path.join(dir, 'data'), '--codex-home', path.join(dir, 'codex'), '--claude-home', claudeHome, '--install-claude-hooks'],
      { FLIGHTDECK_LEADER_DIR: path.join(dir, 'run'), HOME: dir });
    try {
      await proc.waitForLine(/serving/);
      const settings = JSON.parse(fs.readFileSync(path.join(claudeHome, 'settings.json'), 'utf8'));
      assert.equal(settings.theme, 'dark');
      const commands: string[] = Object.values(settings.hooks as Record<string, { hooks: { command: string }[] }[]>)
        .flat().flatMap(g => g.hooks.map(h => h.command));
      assert.ok(commands.includes('echo mine'), 'the user\'s hook is kept');
      const ours = commands.filter(c => c.includes('hook.js'));
      assert.ok(ours.length >= 10, `${ours.length} Flightdeck hooks`);
      assert.ok(ours.every(c => c.includes(path.join(dir, 'run'))), 'hooks find the engine through the leader folder');
      for (const event of ['SessionStart', 'UserPromptSubmit', 'PreToolUse', 'PostToolUse', 'PermissionRequest', 'Notification', 'Stop', 'SubagentStop', 'PreCompact', 'SessionEnd']) {
        assert.ok(settings.hooks[event], event);
      }
    } finally {
      proc.child.kill('SIGTERM');
      await proc.exited;
    }
  });
});
