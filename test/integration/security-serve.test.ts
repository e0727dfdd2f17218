// Security of the headless engine, black box (`flightdeck serve` as a child process): the WebSocket
// hub refuses a missing or wrong token and a foreign browser Origin; it refuses a non-loopback bind
// unless told; the Claude hook channel refuses a missing or wrong token and browser requests; and no
// token ever appears in what the process writes, even at debug level.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import WebSocket from 'ws';
import { HOOK_PATH, TOKEN_HEADER } from '../../src/engine/claude/hookWire';
import { generateToken } from '../../src/engine/hub/token';
import { type ServeProcess, startServe } from '../helpers/serveProcess';
import { cleanupTmpDirs, tmpDir, waitFor } from '../helpers/tmp';

function upgrade(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => { ws.close(); resolve(101); });
    ws.once('unexpected-response', (_req, res) => { res.resume(); resolve(res.statusCode ?? 0); });
    ws.once('error', e => { if (!/Unexpected server response/.test(e.message)) reject(e); });
  });
}

function postHook(socketPath: string, headers: Record<string, string>, payload: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(payload);
    const req = http.request({ socketPath, path: HOOK_PATH, method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, res => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('security: flightdeck serve (black box)', function () {
  this.timeout(90_000);
  const procs: ServeProcess[] = [];
  const token = generateToken();
  let dir: string;

  function serve(name: string, extra: string[]): ServeProcess {
    const base = path.join(dir, name);
    const p = startServe(['--port', '0', '--data-dir', path.join(base, 'data'), '--codex-home', path.join(base, 'codex'), '--token', token, '--log-level', 'debug', ...extra],
      { FLIGHTDECK_LEADER_DIR: path.join(base, 'run'), HOME: base, PATH: path.dirname(process.execPath) });
    procs.push(p);
    return p;
  }

  before(() => { dir = tmpDir('fd-sec-'); });
  after(() => { for (const p of procs) p.child.kill('SIGKILL'); cleanupTmpDirs(); });

  it('refuses WebSocket upgrades without a token, with a wrong one, or from a foreign Origin; accepts its own origin', async () => {
    const p = serve('ws', []);
    const m = await p.waitForLine(/serving (http:\/\/\S+) \(WebSocket (ws:\/\/\S+)\)/);
    const [httpUrl, wsUrl] = [m[1].replace(/\/$/, ''), m[2]];
    assert.equal(await upgrade(wsUrl, {}), 401, 'no token');
    assert.equal(await upgrade(wsUrl, { Authorization: `Bearer ${generateToken()}` }), 401, 'a wrong token');
    assert.equal(await upgrade(wsUrl, { Authorization: `Bearer ${token.slice(0, -1)}` }), 401, 'the token minus one character');
    assert.equal(await upgrade(`${wsUrl}?token=${token}`, {}), 401, 'a token in the query string');
    assert.equal(await upgrade(wsUrl, { Authorization: `Bearer ${token}`, Origin: 'http://evil.example' }), 403, 'a foreign origin');
    assert.equal(await upgrade(wsUrl, { Authorization: `Bearer ${token}`, Origin: 'null' }), 403, 'an opaque origin');
    assert.equal(await upgrade(wsUrl, { Authorization: `Bearer ${token}`, Origin: httpUrl }), 101, 'its own web client\'s origin');
    assert.equal(await upgrade(wsUrl, { Authorization: `Bearer ${token}` }), 101, 'a non-browser client with the token');
  });

  it('the hook channel refuses a missing or wrong token and browser requests, and accepts its own token', async () => {
    const p = serve('hook', []);
    await p.waitForLine(/serving/);
    const endpointFile = path.join(dir, 'hook', 'run', 'claude-hook.json');
    const endpoint = await waitFor(() => {
      try { return JSON.parse(fs.readFileSync(endpointFile, 'utf8')) as { socket: string; token: string }; } catch { return undefined; }
    }, 'the hook endpoint file');
    assert.equal(fs.statSync(endpointFile).mode & 0o777, 0o600, 'the endpoint file (it holds the hook token) is private');
    const payload = { session_id: 'sec-1', hook_event_name: 'SessionStart', cwd: '/w', source: 'startup' };
    assert.equal(await postHook(endpoint.socket, {}, payload), 401, 'no token');
    assert.equal(await postHook(endpoint.socket, { [TOKEN_HEADER]: 'f'.repeat(64) }, payload), 401, 'a wrong token');
    assert.equal(await postHook(endpoint.socket, { [TOKEN_HEADER]: token }, payload), 401, 'the hub token is not the hook token');
    assert.equal(await postHook(endpoint.socket, { [TOKEN_HEADER]: endpoint.token, Origin: 'http://evil.example' }, payload), 403, 'a browser request');
    assert.equal(await postHook(endpoint.socket, { [TOKEN_HEADER]: endpoint.token }, payload), 200, 'the hook command\'s request');
    (procs.at(-1) as ServeProcess & { hookToken?: string }).hookToken = endpoint.token;
  });

  it('refuses to bind beyond loopback unless --allow-non-loopback is given, and warns when it is', async () => {
    const refused = serve('bind-refused', ['--host', '0.0.0.0']);
    const exit = await refused.exited;
    assert.notEqual(exit.code, 0);
    assert.match(refused.stderr(), /refusing to listen on 0\.0\.0\.0/);
    assert.equal(refused.stdout.some(l => /serving/.test(l)), false);

    const allowed = serve('bind-allowed', ['--host', '0.0.0.0', '--allow-non-loopback']);
    await allowed.waitForLine(/serving/);
    assert.match(allowed.stderr(), /reachable beyond this machine/);
  });

  it('no token appears in anything the processes wrote, at debug level, after refusals and successes', async () => {
    const hookTokens = procs.map(p => (p as ServeProcess & { hookToken?: string }).hookToken).filter((t): t is string => !!t);
    assert.ok(hookTokens.length === 1, 'the hook test ran');
    for (const p of procs) { p.child.kill('SIGTERM'); await p.exited; }
    const output = procs.map(p => `${p.stdout.join('\n')}\n${p.stderr()}`).join('\n');
    assert.match(output, /refused an unauthenticated connection/, 'the refusals were logged, so the check below looks at real log lines');
    assert.match(output, /rejected hook request \(401\)/);
    for (const secret of [token, ...hookTokens]) {
      assert.equal(output.includes(secret), false, 'a token is in the output');
      assert.equal(output.includes(secret.slice(0, 16)), false, 'a token prefix is in the output');
    }
  });
});
