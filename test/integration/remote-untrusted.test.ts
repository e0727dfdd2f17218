// A remote engine is not trusted to behave (issue 20): a hand-written WebSocket server stands in for
// one that sends invalid messages, re-exports sessions it mirrors itself, and stops answering pings
// (a dropped SSH tunnel sends no close). Real sockets; time is the fake clock.
import * as assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { attachReplay } from '../../src/engine/clients/connection';
import { FakeClock } from '../../src/engine/platform/clock';
import type { Session } from '../../src/engine/protocol';
import { RemoteEngines } from '../../src/engine/remotes';
import { makeEngine } from '../helpers/engine';
import { until } from './hub-harness';

const TOKEN = 'r'.repeat(24);

function session(id: string, extra: Partial<Session> = {}): Session {
  const t = '2026-01-01T00:00:00.000Z';
  return {
    id, provider: 'codex', mode: 'passive', providerSessionId: null, cwd: '/srv', projectName: 'srv', model: null, status: 'active',
    workStatus: 'working', customName: null, firstPrompt: null, displayName: id, approvalPolicy: null, sandboxMode: null, autonomy: null,
    tokenUsage: { input: 0, output: 0, cached: 0, lastTurnInput: 0, contextWindow: 1000 }, contextFill: 0, rateLimits: null,
    pendingApprovals: [], pendingApproval: null, pendingQuestion: null, currentTurnId: null, turnDiff: [], plan: [], sourcePath: '/srv/r.jsonl',
    createdAt: t, lastActivityAt: t, endedAt: null, endReason: null, revision: 1, ...extra,
  };
}

describe('remote engines: a remote that misbehaves', function () {
  this.timeout(20_000);
  it('invalid messages are dropped, re-exported sessions are left out, a silent remote is detected by ping', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', autoPong: false });
    const requests: string[] = [];
    let peer: WebSocket | null = null;
    wss.on('connection', (ws, req) => {
      assert.equal(req.headers.authorization, `Bearer ${TOKEN}`);
      peer = ws;
      ws.on('message', data => {
        const m = JSON.parse(String(data)) as { type: string; requestId: string; peer?: boolean };
        requests.push(m.type);
        if (m.type === 'hello') {
          assert.equal(m.peer, true, 'the link says it is an engine');
          ws.send(JSON.stringify({ type: 'welcome', requestId: m.requestId, protocolVersion: 1, serverVersion: 'x', capabilities: [], listRevision: 1 }));
        }
        if (m.type === 'subscribe_list') {
          ws.send(JSON.stringify({
            type: 'sessions_list', requestId: m.requestId, revision: 1,
            sessions: [session('own'), session('other/theirs', { host: { name: 'other', reachable: true } })],
          }));
        }
      });
    });
    await new Promise<void>(r => (wss.address() ? r() : wss.once('listening', () => r())));
    const port = (wss.address() as AddressInfo).port;
    const t = makeEngine({ clock: new FakeClock(Date.now()) });
    const logs: string[] = [];
    const remotes = new RemoteEngines({ engine: t.engine, replay: attachReplay(t.engine), clock: t.clock, log: (l, m) => logs.push(`${l}: ${m}`), version: 't' });
    const changed = (w: () => void) => remotes.onChange(w);
    try {
      remotes.add({ name: 'odd', url: `ws://127.0.0.1:${port}/ws`, token: TOKEN });
      await until(() => remotes.list()[0].state === 'connected', changed, 10_000, 'connected');
      assert.deepEqual(remotes.sessions().map(s => s.id), ['odd/own'], 'a session the remote mirrors is not mirrored again');
      assert.equal(remotes.sessions()[0].sourcePath, null);

      // Invalid: a session without its fields; a delta of the re-exported one (no relist loop).
      const wakeOnLog = (w: () => void) => { const i = setInterval(w, 5); return () => clearInterval(i); };
      peer!.send(JSON.stringify({ type: 'session_created', listRevision: 2, session: { id: 'evil' } }));
      peer!.send(JSON.stringify({ type: 'session_delta', sessionId: 'other/theirs', revision: 2, listRevision: 2, changes: { displayName: 'x' } }));
      peer!.send(JSON.stringify({ type: 'session_delta', sessionId: 'own', revision: 2, listRevision: 3, changes: { displayName: 'renamed' } }));
      await until(() => remotes.sessions()[0].displayName === 'renamed', wakeOnLog, 10_000, 'the valid delta');
      assert.ok(logs.some(l => /remote odd: dropped an invalid message \(session/.test(l)), logs.join('\n'));
      assert.deepEqual(remotes.sessions().map(s => s.id), ['odd/own']);
      assert.equal(requests.filter(r => r === 'subscribe_list').length, 1, 'no relist for a session left out');

      // A remote that never answers a request: the asking client gets `timeout`, and local events
      // meanwhile go out at once (nothing on the local path waits for the remote).
      const answers: string[] = [];
      remotes.forward({ type: 'send_message', sessionId: 'odd/own', text: 'hello' }, m => answers.push(m.type === 'error' ? m.code : m.type));
      await until(() => requests.includes('send_message'), wakeOnLog, 10_000, 'the forwarded request at the remote');
      const seen: string[] = [];
      const off = remotes.bus.subscribe(e => { if (e.type === 'session_created') seen.push(e.session.id); });
      const local = t.engine.createSession({ provider: 'codex', mode: 'passive', cwd: '/here' });
      off();
      assert.deepEqual(seen, [local.id], 'the local event was published synchronously while the remote sat on a request');
      assert.deepEqual(answers, []);
      t.clock.advance(30_000);
      assert.deepEqual(answers, ['timeout']);

      // Silent: no pong to the ping sent at 30 s by the next one, at 60 s.
      t.clock.advance(30_000);
      await until(() => remotes.list()[0].state === 'unreachable', changed, 3_000, 'unreachable').catch(e => { throw new Error(`${e.message}: ${JSON.stringify(remotes.list())} ${logs.join(' / ')}`); });
      assert.match(remotes.list()[0].lastError ?? '', /stopped answering pings/);
      assert.deepEqual(remotes.sessions().map(s => [s.id, s.host?.reachable, s.workStatus]), [['odd/own', false, 'idle']], 'unreachable, not shown working');
    } finally {
      remotes.stop();
      t.close();
      await new Promise<void>(r => wss.close(() => r()));
    }
  });
});
