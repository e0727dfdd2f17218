// Bad input and bad clients cost only themselves: oversized frames, invalid JSON and unknown types
// get errors on a connection that stays usable; a client that stops reading is told to resync or
// dropped while the engine and the other clients carry on.
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { randomBytes } from 'node:crypto';
import { type Rig, TestClient, startRig } from './hub-harness';

const T0 = '2026-01-01T00:00:00.000Z';
const yieldIo = () => new Promise<void>(resolve => setImmediate(resolve));

/** A WebSocket client that completes the handshake and then never reads a byte. */
function deafClient(port: number, token: string, sessionId: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => {
      sock.write([
        'GET /ws HTTP/1.1', `Host: 127.0.0.1:${port}`, 'Upgrade: websocket', 'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`, 'Sec-WebSocket-Version: 13', `Authorization: Bearer ${token}`, '', '',
      ].join('\r\n'));
    });
    sock.once('data', d => {
      if (!String(d).startsWith('HTTP/1.1 101')) return reject(new Error(`handshake failed: ${String(d).split('\r\n')[0]}`));
      sock.pause();
      // Subscribe (small masked text frames, as RFC 6455 wants from clients), then never read again.
      for (const m of [{ type: 'subscribe_list' }, { type: 'subscribe_session', sessionId }]) {
        const payload = Buffer.from(JSON.stringify(m));
        const mask = randomBytes(4);
        const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]));
        sock.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]));
      }
      resolve(sock);
    });
    sock.once('error', reject);
  });
}

describe('hub robustness', function () {
  this.timeout(30_000);
  let rig: Rig;
  const cleanup: (() => void)[] = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0)) f();
    await rig.close();
  });
  const connect = async () => {
    const c = await TestClient.connect(rig.hub.url, { token: rig.token });
    cleanup.push(() => c.close());
    return c;
  };

  it('answers frames over 1 MiB, invalid JSON and unknown types with errors; the connection stays usable', async () => {
    rig = await startRig();
    const c = await connect();
    c.send(JSON.stringify({ type: 'ping', requestId: 'big', pad: 'x'.repeat(1024 * 1024 + 10) }));
    const big = await c.waitFor(m => m.type === 'error');
    assert.equal(big.type === 'error' && big.code, 'frame_too_large');
    c.send('{"type": "ping", ');
    const bad = await c.waitFor(m => m.type === 'error' && m.code === 'invalid_json');
    assert.ok(bad);
    const unknown = await c.request({ type: 'launch_rockets' });
    assert.equal(unknown.type === 'error' && unknown.code, 'unknown_type');
    const invalid = await c.request({ type: 'subscribe_session' });
    assert.equal(invalid.type === 'error' && invalid.code, 'bad_request');
    c.send('[1,2,3]');
    await c.waitFor(m => m.type === 'error' && m.code === 'bad_request' && m.requestId === undefined);
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await c.waitFor(m => m.type === 'error' && /binary/.test(m.message));
    assert.equal((await c.request({ type: 'ping' })).type, 'pong', 'still usable');
    assert.equal(rig.hub.connectionCount(), 1);
  });

  it('a client that never reads is dropped; the engine and the other clients are unaffected', async () => {
    rig = await startRig({ limits: { softQueueBytes: 256 * 1024, hardQueueBytes: 1024 * 1024, maxLagMs: 500 } });
    const s = rig.engine.createSession({ provider: 'codex', mode: 'direct', cwd: '/work/demo' });
    const fast = await connect();
    await fast.request({ type: 'subscribe_list' });
    await fast.request({ type: 'subscribe_session', sessionId: s.id });
    const deaf = await deafClient(rig.hub.port, rig.token, s.id);
    cleanup.push(() => deaf.destroy());
    await rig.until(() => rig.hub.connectionCount() === 2, 5_000, 'two connections');
    const text = 'y'.repeat(128 * 1024);
    let i = 0;
    const deadline = Date.now() + 20_000;
    // Lockstep with the fast client: it never falls behind, the deaf one fills its queue.
    while (rig.hub.connectionCount() === 2) {
      assert.ok(Date.now() < deadline, 'the deaf client was never dropped');
      const id = `big${i++}`;
      rig.engine.apply(s.id, { type: 'workStatus', workStatus: i % 2 ? 'working' : 'waiting' });
      rig.engine.appendMessage(s.id, { id, kind: 'agent', text, createdAt: T0 });
      await fast.waitFor(m => m.type === 'message_appended' && m.message.id === id, 5_000, id);
      await yieldIo();
    }
    assert.ok(rig.logs.some(l => /dropped/.test(l)), 'the drop is logged');
    assert.ok(!fast.received.some(m => m.type === 'resync'), 'the fast client was never told to resync');
    assert.equal(fast.state.orderedMessages(s.id).length, i, 'the fast client got every message');
    assert.equal((await fast.request({ type: 'rename_session', sessionId: s.id, name: 'still fine' })).type, 'result');
    assert.equal(rig.engine.requireSession(s.id).customName, 'still fine');
  });

  it('a client that reads too slowly is told to resync and catches up from the replay buffer', async () => {
    rig = await startRig({ limits: { softQueueBytes: 64 * 1024, hardQueueBytes: 64 * 1024 * 1024, maxLagMs: 20_000 } });
    const s = rig.engine.createSession({ provider: 'codex', mode: 'direct', cwd: '/work/demo' });
    const slow = await connect();
    await slow.request({ type: 'subscribe_list' });
    await slow.request({ type: 'subscribe_session', sessionId: s.id });
    slow.ws.pause();
    const text = 'z'.repeat(32 * 1024);
    const deadline = Date.now() + 20_000;
    for (let i = 0; !rig.logs.some(l => /slow client/.test(l)); i++) {
      assert.ok(Date.now() < deadline, 'the slow client never lagged');
      rig.engine.appendMessage(s.id, { id: `s${i}`, kind: 'agent', text, createdAt: T0 });
      await yieldIo();
    }
    // Events after the pause point are not queued for it any more.
    for (let i = 0; i < 20; i++) rig.engine.appendMessage(s.id, { id: `after${i}`, kind: 'agent', text: 'later', createdAt: T0 });
    slow.ws.resume();
    await slow.waitFor(m => m.type === 'resync' && m.sessionId === s.id, 10_000, 'resync for the session');
    await slow.waitFor(m => m.type === 'resync' && m.sessionId === undefined, 10_000, 'resync for the list');
    const since = slow.state.views.get(s.id)!.revision!;
    assert.ok(since < rig.engine.requireSession(s.id).revision, 'it missed events');
    const res = await slow.request({ type: 'subscribe_session', sessionId: s.id, sinceRevision: since });
    assert.equal(res.type, 'result', 'caught up from the replay buffer');
    assert.equal(slow.state.views.get(s.id)!.revision, rig.engine.requireSession(s.id).revision);
    assert.deepEqual(slow.state.orderedMessages(s.id), rig.engine.getMessages(s.id, { limit: 10_000 }));
    assert.equal(rig.hub.connectionCount(), 1);
  });
});

describe('hub robustness: broken handshakes', function () {
  this.timeout(20_000);
  let rig: Rig;
  afterEach(async () => { await rig.close(); });

  it('survives peers that reset during or right after the upgrade request', async () => {
    rig = await startRig();
    for (const auth of [`Bearer ${rig.token}`, 'Bearer wrong-wrong-wrong-wrong-wrong']) {
      for (let i = 0; i < 5; i++) {
        await new Promise<void>(resolve => {
          const sock = net.connect(rig.hub.port, '127.0.0.1', () => {
            sock.write([
              'GET /ws HTTP/1.1', `Host: 127.0.0.1:${rig.hub.port}`, 'Upgrade: websocket', 'Connection: Upgrade',
              `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`, 'Sec-WebSocket-Version: 13', `Authorization: ${auth}`, '', '',
            ].join('\r\n'));
            sock.resetAndDestroy();
            resolve();
          });
        });
      }
    }
    const c = await TestClient.connect(rig.hub.url, { token: rig.token });
    assert.equal((await c.request({ type: 'ping' })).type, 'pong', 'the hub still serves');
    c.close();
  });
});
