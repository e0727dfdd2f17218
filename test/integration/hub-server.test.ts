import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROTOCOL_VERSION } from '../../src/engine/protocol';
import { type Rig, TestClient, startRig } from './hub-harness';

describe('hub server: health, handshake, messages', function () {
  this.timeout(20_000);
  let rig: Rig;
  beforeEach(async () => { rig = await startRig(); });
  afterEach(async () => { await rig.close(); });

  it('answers GET /health with ok and the version', async () => {
    const res = await fetch(`http://127.0.0.1:${rig.hub.port}/health`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ok: true, version: '0.1.0-test' });
  });

  it('says hello/welcome with the protocol version, capabilities and list revision', async () => {
    rig.engine.createSession({ provider: 'codex', mode: 'passive', cwd: '/tmp/a' });
    const c = await TestClient.connect(rig.hub.url, { token: rig.token });
    const w = await c.request({ type: 'hello', protocolVersion: PROTOCOL_VERSION, client: 'test' });
    assert.equal(w.type, 'welcome');
    if (w.type !== 'welcome') return;
    assert.equal(w.protocolVersion, PROTOCOL_VERSION);
    assert.equal(w.serverVersion, '0.1.0-test');
    assert.equal(w.listRevision, rig.engine.listRevision);
    assert.ok(w.capabilities.includes('replay'));
    const list = await c.request({ type: 'subscribe_list' });
    assert.equal(list.type, 'sessions_list');
    c.close();
  });

  it('refuses an upgrade without a token with 401', async () => {
    await assert.rejects(TestClient.connect(rig.hub.url), (e: { status?: number }) => e.status === 401);
  });
});

describe('hub server: web files and keepalive', function () {
  this.timeout(20_000);
  let rig: Rig;
  afterEach(async () => { await rig.close(); });

  it('serves the page with a strict CSP and the bundle gzipped when asked', async () => {
    const webRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-webroot-'));
    try {
      fs.writeFileSync(path.join(webRoot, 'web.js'), 'console.log("hi");'.repeat(200));
      rig = await startRig({ webRoot });
      const page = await fetch(rig.hub.httpUrl);
      assert.equal(page.status, 200);
      const csp = page.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'self'(;|$)/, 'no inline or remote scripts');
      assert.doesNotMatch(await page.text(), /<script>/, 'no inline script in the page');
      const js = await fetch(`${rig.hub.httpUrl}web.js`, { headers: { 'Accept-Encoding': 'gzip' } });
      assert.equal(js.headers.get('content-encoding'), 'gzip');
      assert.equal(await js.text(), 'console.log("hi");'.repeat(200));
      assert.equal((await fetch(`${rig.hub.httpUrl}web.css`)).status, 404, 'a missing file is a 404, not a crash');
      assert.equal((await fetch(`${rig.hub.httpUrl}../../etc/passwd`)).status, 404);
      assert.equal((await fetch(rig.hub.httpUrl, { method: 'POST' })).status, 405);
    } finally {
      fs.rmSync(webRoot, { recursive: true, force: true });
    }
  });

  it('pings clients and drops one that stops answering; a live one stays', async () => {
    rig = await startRig({ limits: { pingIntervalMs: 100 } });
    const live = await TestClient.connect(rig.hub.url, { token: rig.token });
    let pings = 0;
    live.ws.on('ping', () => { pings++; });
    // A socket that completes the handshake and then never reads, so it never answers a ping.
    const mute = net.connect(rig.hub.port, '127.0.0.1');
    mute.write([
      'GET /ws HTTP/1.1', `Host: 127.0.0.1:${rig.hub.port}`, 'Upgrade: websocket', 'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`, 'Sec-WebSocket-Version: 13', `Authorization: Bearer ${rig.token}`, '', '',
    ].join('\r\n'));
    mute.once('data', () => mute.pause());
    try {
      await rig.until(() => rig.hub.connectionCount() === 2, 5_000, 'both connected');
      await rig.until(() => rig.logs.some(l => /no pong/.test(l)), 10_000, 'the mute client to be dropped');
      assert.equal(rig.hub.connectionCount(), 1);
      assert.ok(pings >= 1, 'the live client was pinged');
      assert.equal((await live.request({ type: 'ping' })).type, 'pong');
    } finally {
      mute.destroy();
      live.close();
    }
  });
});
