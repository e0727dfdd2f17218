import * as assert from 'node:assert/strict';
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
