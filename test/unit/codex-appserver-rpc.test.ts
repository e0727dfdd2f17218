// The app-server JSON-RPC transport over in-memory streams, with a fake clock for timeouts.
import * as assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { JsonRpcPeer, RpcError } from '../../src/engine/codex/appServer/jsonRpc';
import { FakeClock } from '../../src/engine/platform/clock';

interface Rig {
  peer: JsonRpcPeer;
  /** What the peer wrote, one parsed object per line. */
  sent: Record<string, unknown>[];
  /** Feeds bytes as the app-server's stdout. */
  feed(data: string | Buffer): void;
  logs: { level: string; msg: string }[];
  notifications: [string, unknown][];
  requests: [unknown, string, unknown][];
  clock: FakeClock;
  input: PassThrough;
}

function rig(maxLineBytes?: number): Rig {
  const input = new PassThrough();
  const output = new PassThrough();
  const clock = new FakeClock();
  const logs: { level: string; msg: string }[] = [];
  const sent: Record<string, unknown>[] = [];
  let tail = '';
  output.on('data', (c: Buffer) => {
    const parts = (tail + c.toString()).split('\n');
    tail = parts.pop() ?? '';
    for (const p of parts) sent.push(JSON.parse(p));
  });
  const peer = new JsonRpcPeer({ input, output, clock, log: (level, msg) => logs.push({ level, msg }), requestTimeoutMs: 1000, maxLineBytes });
  const notifications: [string, unknown][] = [];
  const requests: [unknown, string, unknown][] = [];
  peer.onNotification = (m, p) => notifications.push([m, p]);
  peer.onRequest = (id, m, p) => requests.push([id, m, p]);
  return { peer, sent, feed: d => input.write(d), logs, notifications, requests, clock, input };
}

const tick = () => new Promise(r => setImmediate(r));

describe('codex app-server JSON-RPC transport', () => {
  it('writes one JSON object per line and correlates answers by id, in any order', async () => {
    const r = rig();
    const a = r.peer.request('thread/start', { cwd: '/w' });
    const b = r.peer.request('model/list', {});
    await tick();
    assert.deepEqual(r.sent, [{ method: 'thread/start', id: 0, params: { cwd: '/w' } }, { method: 'model/list', id: 1, params: {} }]);
    r.feed('{"id":1,"result":{"data":[]}}\n{"id":0,"result":{"thread":{"id":"t"}}}\n');
    assert.deepEqual(await a, { thread: { id: 't' } });
    assert.deepEqual(await b, { data: [] });
  });

  it('tells server requests from answers: a server request with id 0 does not answer our request 0', async () => {
    const r = rig();
    const mine = r.peer.request('turn/start', {});
    let settled = false;
    void mine.then(() => { settled = true; }, () => { settled = true; });
    r.feed('{"method":"item/commandExecution/requestApproval","id":0,"params":{"itemId":"call_1"}}\n');
    await tick();
    assert.equal(settled, false, 'our request 0 is still waiting');
    assert.deepEqual(r.requests, [[0, 'item/commandExecution/requestApproval', { itemId: 'call_1' }]]);
    r.peer.respond(0, { decision: 'accept' });
    r.feed('{"id":0,"result":{"turn":{"id":"u"}}}\n{"method":"turn/started","params":{"threadId":"t"}}\n');
    assert.deepEqual(await mine, { turn: { id: 'u' } });
    assert.deepEqual(r.notifications, [['turn/started', { threadId: 't' }]]);
    await tick();
    assert.deepEqual(r.sent[1], { id: 0, result: { decision: 'accept' } });
  });

  it('turns error answers into RpcError with code and message', async () => {
    const r = rig();
    const p = r.peer.request('turn/start', {});
    r.feed('{"id":0,"error":{"code":-32600,"message":"thread not found: x"}}\n');
    await assert.rejects(p, (e: unknown) => e instanceof RpcError && e.code === -32600 && e.message === 'turn/start: thread not found: x');
  });

  it('times out a request with no answer; a late answer is logged, not thrown', async () => {
    const r = rig();
    const p = r.peer.request('thread/resume', {}, 500);
    r.clock.advance(499);
    let done = false;
    void p.catch(() => { done = true; });
    await tick();
    assert.equal(done, false);
    r.clock.advance(1);
    await assert.rejects(p, /thread\/resume: no answer from the app-server within 500 ms/);
    r.feed('{"id":0,"result":{}}\n');
    await tick();
    assert.ok(r.logs.some(l => l.msg.includes('unknown request id 0')));
  });

  it('logs bad lines and keeps going: not JSON, not JSON-RPC, invalid UTF-8, oversized, split across chunks', async () => {
    const r = rig(64);
    r.feed('not json at all\n');
    r.feed('42\n[1,2]\n{"method":7}\n');
    r.feed(Buffer.from([0xff, 0xfe, 0x7b, 0x0a]));
    r.feed(`{"method":"x","params":"${'a'.repeat(100)}"}\n`);
    r.feed('{"method":"turn/');
    r.feed('started","params":{"ok":true}}');
    r.feed('\n\n   \n');
    await tick();
    assert.deepEqual(r.notifications, [['turn/started', { ok: true }]], 'the good line still arrives, whole');
    const errors = r.logs.filter(l => l.level === 'error').map(l => l.msg);
    assert.equal(errors.filter(m => m.includes('not JSON:')).length, 2, errors.join('\n'));
    assert.equal(errors.filter(m => m.includes('not JSON-RPC')).length, 3, errors.join('\n'));
    assert.equal(errors.filter(m => m.includes('longer than 64 bytes')).length, 1, errors.join('\n'));
  });

  it('fails waiting and later requests when the app-server output ends', async () => {
    const r = rig();
    const p = r.peer.request('turn/start', {});
    r.input.end();
    await assert.rejects(p, /turn\/start: the app-server closed its output/);
    assert.equal(r.peer.closed, true);
    await assert.rejects(r.peer.request('model/list', {}), /model\/list: the app-server closed its output/);
  });
});
