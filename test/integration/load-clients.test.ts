// Load: 100 WebSocket clients of a real hub, one of which completes the handshake and never reads a
// byte, during a burst of 10,000 engine events (transcript items of ~550 bytes on the wire, fed in batches as a
// provider's reads would). The 99 readers get every event in order with no resync; the deaf one
// costs only itself (its events are paused once its queue passes the soft limit, 256 KiB here); the process's
// memory stays bounded.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import WebSocket from 'ws';
import { type Rig, startRig } from './hub-harness';

const CLIENTS = 100;
const EVENTS = 10_000;
const BATCH = 50;
const TEXT = 'burst '.repeat(50);

/** Handshake, subscribe, then never read again (the kernel and ws buffers fill up). */
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
      const payload = Buffer.from(JSON.stringify({ type: 'subscribe_session', sessionId }));
      const mask = randomBytes(4);
      sock.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, Buffer.from(payload.map((b, i) => b ^ mask[i % 4]))]));
      resolve(sock);
    });
    sock.once('error', reject);
  });
}

/** A reading client that checks order as it goes and keeps only counters (so its own memory stays flat). */
class Reader {
  next = 0;
  outOfOrder = 0;
  resyncs = 0;
  lastRevision = 0;
  revisionsBackwards = 0;
  subscribed = false;
  constructor(readonly ws: WebSocket, sessionId: string) {
    // Reads only the fields it checks (type, revision, seq) with anchored patterns instead of a full
    // JSON.parse: 99 readers share this process with the hub, and the test is about the hub.
    ws.on('message', (data: Buffer) => {
      const s = data.toString('utf8');
      const type = /^\{"type":"([a-z_]+)"/.exec(s)?.[1];
      if (type === 'session_snapshot') this.subscribed = true;
      if (type === 'resync') this.resyncs++;
      if (type === 'message_appended') {
        const seq = Number(/"seq":(\d+)/.exec(s)?.[1]);
        if (seq !== this.next) this.outOfOrder++;
        this.next = seq + 1;
      }
      const revision = /"revision":(\d+)/.exec(s);
      if (revision) {
        if (Number(revision[1]) < this.lastRevision) this.revisionsBackwards++;
        this.lastRevision = Number(revision[1]);
      }
    });
    ws.once('open', () => ws.send(JSON.stringify({ type: 'subscribe_session', sessionId, requestId: 's' })));
  }
}

describe('load: 100 WebSocket clients, one never reads, 10,000-event burst', function () {
  // ~25 s on an idle 2-core machine, most of it one socket write per message per client (~1M writes).
  this.timeout(150_000);
  let rig: Rig;
  const readers: Reader[] = [];
  let deaf: net.Socket | undefined;
  after(async () => {
    for (const r of readers) r.ws.terminate();
    deaf?.destroy();
    await rig?.close();
  });

  it('the readers get every event in order, the deaf client costs only itself, memory stays bounded', async () => {
    // A 1 MiB soft limit (default 4 MiB) so the deaf client's ~4 MB share of the burst passes it with margin.
    // The kernel absorbs a few MB of the deaf client's 5.5 MB before ws queues anything (loopback send
    // buffers autotune up to 4 MB), so the soft limit here is well under what remains.
    rig = await startRig({ limits: { softQueueBytes: 256 * 1024, hardQueueBytes: 16 * 1024 * 1024, maxLagMs: 60_000, pingIntervalMs: 60_000 } });
    const s = rig.engine.createSession({ provider: 'codex', mode: 'direct', cwd: '/work/load' });
    deaf = await deafClient(rig.hub.port, rig.token, s.id);
    for (let i = 0; i < CLIENTS - 1; i++) readers.push(new Reader(new WebSocket(rig.hub.url, { headers: { Authorization: `Bearer ${rig.token}` } }), s.id));
    await rig.until(() => rig.hub.connectionCount() === CLIENTS, 20_000, `${CLIENTS} connections`);
    const deadline = Date.now() + 20_000;
    while (!readers.every(r => r.subscribed)) {
      assert.ok(Date.now() < deadline, 'every reader got its snapshot');
      await new Promise(r => setImmediate(r));
    }

    global.gc?.();
    const before = process.memoryUsage();
    let peakRss = before.rss;
    const t0 = Date.now();
    for (let i = 0; i < EVENTS; i += BATCH) {
      for (let j = i; j < Math.min(EVENTS, i + BATCH); j++) {
        rig.engine.appendMessage(s.id, { id: `burst-${j}`, kind: 'agent', text: `${j} ${TEXT}`, createdAt: new Date().toISOString() });
      }
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      // One batch per turn of the event loop, as a provider's reads arrive.
      await new Promise(r => setImmediate(r));
    }
    const emittedMs = Date.now() - t0;
    const until = Date.now() + 60_000;
    while (!readers.every(r => r.next === EVENTS)) {
      assert.ok(Date.now() < until, `every reader got all ${EVENTS} events (least: ${Math.min(...readers.map(r => r.next))})`);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      await new Promise(r => setTimeout(r, 20)); // polling the readers' counters, bounded by the deadline above
    }
    const deliveredMs = Date.now() - t0;
    const growthMb = (peakRss - before.rss) / 1024 / 1024;
    console.log(`      ${EVENTS} events to ${CLIENTS - 1} readers: emitted in ${emittedMs} ms, all delivered in ${deliveredMs} ms; `
      + `RSS ${(before.rss / 1048576).toFixed(0)} MB → peak ${(peakRss / 1048576).toFixed(0)} MB (+${growthMb.toFixed(0)} MB)`);

    for (const r of readers) {
      assert.deepEqual({ outOfOrder: r.outOfOrder, resyncs: r.resyncs, backwards: r.revisionsBackwards }, { outOfOrder: 0, resyncs: 0, backwards: 0 });
    }
    assert.ok(rig.logs.some(l => /slow client, pausing events/.test(l)), 'the deaf client was paused at the soft limit');
    assert.equal(rig.logs.filter(l => /slow client, pausing events/.test(l)).length, 1, 'only the deaf client was paused');
    // The deaf client's queue stops at the soft limit; 99 readers' socket buffers come on top.
    // 10,000 × 99 × ~550 bytes = ~540 MB went out: a hub that buffered it would show it here.
    assert.ok(growthMb < 250, `memory stays bounded (grew ${growthMb.toFixed(0)} MB)`);
    assert.equal(rig.engine.getMessages(s.id, { limit: 1 })[0].id, `burst-${EVENTS - 1}`, 'the engine stored the burst');
  });
});
