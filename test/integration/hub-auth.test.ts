// Authentication at the upgrade: bearer header or the browser subprotocol, never the query string;
// Origin allow list; failed attempts rate-limited; token rotation; loopback by default.
import * as assert from 'node:assert/strict';
import { startHub } from '../../src/engine/hub/server';
import { generateToken } from '../../src/engine/hub/token';
import { type Rig, TestClient, startRig, upgradeStatus } from './hub-harness';

describe('hub auth at the upgrade', function () {
  this.timeout(20_000);
  let rig: Rig;
  afterEach(async () => { await rig?.close(); });

  it('refuses no token, a wrong token and a token in the query string with 401; accepts the bearer header', async () => {
    rig = await startRig();
    assert.equal(await upgradeStatus(rig.hub.url), 401);
    assert.equal(await upgradeStatus(rig.hub.url, { headers: { Authorization: `Bearer ${generateToken()}` } }), 401);
    assert.equal(await upgradeStatus(rig.hub.url, { headers: { Authorization: `Basic ${rig.token}` } }), 401);
    assert.equal(await upgradeStatus(`${rig.hub.url}?token=${rig.token}`), 401);
    assert.equal(await upgradeStatus(`${rig.hub.url}?access_token=${rig.token}`), 401);
    assert.equal(await upgradeStatus(rig.hub.url, { protocols: ['flightdeck.v1', `bearer.${generateToken()}`] }), 401);
    assert.equal(await upgradeStatus(rig.hub.url, { headers: { Authorization: `Bearer ${rig.token}` } }), 101);
    assert.ok(!rig.logs.some(l => l.includes(rig.token)), 'the token never appears in the log');
  });

  it('accepts the token in the subprotocol list and answers with flightdeck.v1', async () => {
    rig = await startRig();
    const c = await TestClient.connect(rig.hub.url, { protocols: ['flightdeck.v1', `bearer.${rig.token}`] });
    assert.equal(c.ws.protocol, 'flightdeck.v1', 'the token is never echoed back as the chosen subprotocol');
    assert.equal((await c.request({ type: 'ping' })).type, 'pong');
    c.close();
  });

  it('refuses a browser Origin not on the allow list with 403, even with the right token', async () => {
    rig = await startRig({ allowedOrigins: ['https://phone.example'] });
    const auth = { Authorization: `Bearer ${rig.token}` };
    assert.equal(await upgradeStatus(rig.hub.url, { headers: { ...auth, Origin: 'https://evil.example' } }), 403);
    assert.equal(await upgradeStatus(rig.hub.url, { headers: { ...auth, Origin: 'null' } }), 403);
    assert.equal(await upgradeStatus(rig.hub.url, { headers: { ...auth, Origin: `http://127.0.0.1:${rig.hub.port + 1}` } }), 403);
    assert.equal(await upgradeStatus(rig.hub.url, { headers: { ...auth, Origin: 'https://phone.example' } }), 101);
    assert.equal(await upgradeStatus(rig.hub.url, { headers: { ...auth, Origin: `http://127.0.0.1:${rig.hub.port}` } }), 101);
    assert.equal(await upgradeStatus(rig.hub.url, { headers: { ...auth, Origin: `http://localhost:${rig.hub.port}` } }), 101);
  });

  it('answers 404 for upgrades elsewhere than /ws', async () => {
    rig = await startRig();
    assert.equal(await upgradeStatus(rig.hub.url.replace(/\/ws$/, '/other'), { headers: { Authorization: `Bearer ${rig.token}` } }), 404);
  });

  it('rate-limits failed attempts only: after the limit wrong tokens get 429, the right token still gets in (issue 19)', async () => {
    rig = await startRig({ rateLimit: { maxFailures: 3, windowMs: 60_000 } });
    for (let i = 0; i < 3; i++) assert.equal(await upgradeStatus(rig.hub.url, { headers: { Authorization: `Bearer ${generateToken()}` } }), 401);
    for (let i = 0; i < 10; i++) assert.equal(await upgradeStatus(rig.hub.url, { headers: { Authorization: `Bearer ${generateToken()}` } }), 429);
    assert.equal(await upgradeStatus(rig.hub.url), 429, 'no token is a failure too');
    assert.equal(await upgradeStatus(rig.hub.url, { headers: { Authorization: `Bearer ${rig.token}` } }), 101, 'a local process knocking cannot lock out the valid token');
    const c = await TestClient.connect(rig.hub.url, { protocols: ['flightdeck.v1', `bearer.${rig.token}`] });
    assert.equal((await c.request({ type: 'ping' })).type, 'pong');
    c.close();
  });

  it('a foreign web page knocking repeatedly does not lock local clients out', async () => {
    rig = await startRig({ rateLimit: { maxFailures: 3, windowMs: 60_000 } });
    for (let i = 0; i < 6; i++) assert.equal(await upgradeStatus(rig.hub.url, { headers: { Origin: 'https://evil.example' } }), 403);
    assert.equal(await upgradeStatus(rig.hub.url, { headers: { Authorization: `Bearer ${rig.token}` } }), 101);
  });

  it('a rotated token disconnects clients of the old one (4001) and only the new one is accepted', async () => {
    rig = await startRig();
    const old = await TestClient.connect(rig.hub.url, { token: rig.token });
    const next = generateToken();
    rig.hub.setToken(next);
    assert.equal(await old.closed(), 4001);
    assert.equal(await upgradeStatus(rig.hub.url, { headers: { Authorization: `Bearer ${rig.token}` } }), 401);
    assert.equal(await upgradeStatus(rig.hub.url, { headers: { Authorization: `Bearer ${next}` } }), 101);
  });

  it('refuses a non-loopback host unless allowed, and warns when it is', async () => {
    rig = await startRig();
    const base = { engine: rig.engine, replay: rig.replay, port: 0, token: rig.token, version: 't' };
    const logs: string[] = [];
    await assert.rejects(startHub({ ...base, host: '0.0.0.0', log: () => {} }), /refusing to listen on 0\.0\.0\.0/);
    const hub = await startHub({ ...base, host: '0.0.0.0', allowNonLoopback: true, log: (l, m) => logs.push(`${l}: ${m}`) });
    try {
      assert.ok(logs.some(l => l.startsWith('warn:') && /TLS or an SSH tunnel/.test(l)));
    } finally {
      await hub.close();
    }
    await assert.rejects(startHub({ ...base, token: 'short', log: () => {} }), /token/);
  });
});
