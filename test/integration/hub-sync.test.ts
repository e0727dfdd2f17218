// Subscriptions over real sockets: identical state for every client after a burst, exact catch-up
// from the replay buffer, a fresh snapshot once the buffer rolled over, paging and cut fields.
import * as assert from 'node:assert/strict';
import type { Session } from '../../src/engine/protocol';
import { CUT_MARKER, FIELD_CUT_CHARS } from '../../src/engine/clients/snapshot';
import { REPLAY_EVENTS_PER_SESSION } from '../../src/engine/clients/replay';
import { type Rig, TestClient, startRig } from './hub-harness';

const T0 = '2026-01-01T00:00:00.000Z';

/** Drives `count` engine events of every kind a session gets: messages, updates, state, tokens, approvals. */
function burst(rig: Rig, sessionId: string, count: number, tag: string): void {
  let lastMsg: string | null = null;
  for (let i = 0; i < count; i++) {
    const k = i % 6;
    if (k === 0 || k === 3) {
      lastMsg = `${tag}-${i}`;
      rig.engine.appendMessage(sessionId, { id: lastMsg, kind: 'agent', text: `message ${i}`, createdAt: T0, status: 'inProgress' });
    } else if (k === 1 && lastMsg) {
      rig.engine.updateMessage(sessionId, { id: lastMsg, text: `message ${i} (updated)`, status: 'completed' });
    } else if (k === 2) {
      rig.engine.apply(sessionId, { type: 'turnTokens', input: i, output: 1, cached: 0 });
    } else if (k === 4) {
      rig.engine.apply(sessionId, {
        type: 'approvalRequested',
        approval: { approvalId: `${tag}-a${i}`, version: 0, kind: 'exec', command: `ls ${i}`, options: ['approved', 'denied'], requestedAt: T0 },
      });
    } else {
      rig.engine.apply(sessionId, { type: 'approvalCleared' });
    }
  }
}

function engineView(rig: Rig, id: string): { session: Session; messages: unknown[] } {
  return { session: rig.engine.requireSession(id), messages: rig.engine.getMessages(id, { limit: 10_000 }) };
}

function clientView(c: TestClient, id: string): { session: Session | undefined; messages: unknown[] } {
  return { session: c.state.views.get(id)?.session ?? undefined, messages: c.state.orderedMessages(id) };
}

describe('hub subscriptions: snapshots, deltas, replay', function () {
  this.timeout(60_000);
  let rig: Rig;
  const clients: TestClient[] = [];
  beforeEach(async () => { rig = await startRig(); });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await rig.close();
  });
  const connect = async (state?: TestClient['state']) => {
    const c = await TestClient.connect(rig.hub.url, { token: rig.token, state });
    clients.push(c);
    return c;
  };
  const caughtUp = (c: TestClient, id: string) =>
    c.waitUntil(() => c.state.views.get(id)?.revision === rig.engine.requireSession(id).revision, 20_000, `client at revision ${rig.engine.requireSession(id).revision}`);

  it('two clients on one session hold identical state (= the engine) after 1,000 events', async () => {
    const s = rig.engine.createSession({ provider: 'codex', mode: 'direct', cwd: '/work/demo' });
    const a = await connect();
    const b = await connect();
    for (const c of [a, b]) assert.equal((await c.request({ type: 'subscribe_session', sessionId: s.id })).type, 'session_snapshot');
    const start = rig.engine.requireSession(s.id).revision;
    burst(rig, s.id, 1_000, 'b');
    assert.ok(rig.engine.requireSession(s.id).revision >= start + 1_000, 'every event bumped the revision');
    await caughtUp(a, s.id);
    await caughtUp(b, s.id);
    assert.deepEqual(clientView(a, s.id), clientView(b, s.id));
    assert.deepEqual(clientView(a, s.id), engineView(rig, s.id));
    // Every delta carried a revision, and each client saw them in order.
    const revs = a.received.filter(m => 'revision' in m && 'sessionId' in m).map(m => (m as { revision: number }).revision);
    assert.deepEqual(revs, [...revs].sort((x, y) => x - y));
  });

  it('a client reconnecting with sinceRevision gets exactly the missed events, not a snapshot', async () => {
    const s = rig.engine.createSession({ provider: 'codex', mode: 'direct', cwd: '/work/demo' });
    const a = await connect();
    await a.request({ type: 'subscribe_session', sessionId: s.id });
    burst(rig, s.id, 100, 'pre');
    await caughtUp(a, s.id);
    const since = a.state.views.get(s.id)!.revision!;
    a.close();
    await a.closed();
    burst(rig, s.id, 300, 'gap');
    const again = await connect(a.state);
    const res = await again.request({ type: 'subscribe_session', sessionId: s.id, sinceRevision: since });
    assert.equal(res.type, 'result');
    assert.ok(!again.received.some(m => m.type === 'session_snapshot'), 'no snapshot when the buffer reaches back');
    const replayed = again.received.filter(m => 'revision' in m && 'sessionId' in m) as { revision: number }[];
    const revs = [...new Set(replayed.map(m => m.revision))];
    const now = rig.engine.requireSession(s.id).revision;
    assert.deepEqual(revs, Array.from({ length: now - since }, (_, i) => since + 1 + i), 'each missed revision once, in order');
    assert.deepEqual((res as { data?: unknown }).data, { replayed: replayed.length, revision: now });
    assert.deepEqual(clientView(again, s.id), engineView(rig, s.id));
  });

  it('a client reconnecting after the buffer rolled over gets a fresh snapshot', async () => {
    const s = rig.engine.createSession({ provider: 'codex', mode: 'direct', cwd: '/work/demo' });
    const a = await connect();
    await a.request({ type: 'subscribe_session', sessionId: s.id });
    const since = a.state.views.get(s.id)!.revision!;
    a.close();
    await a.closed();
    burst(rig, s.id, REPLAY_EVENTS_PER_SESSION + 500, 'roll');
    const again = await connect(a.state);
    const snap = await again.request({ type: 'subscribe_session', sessionId: s.id, sinceRevision: since });
    assert.equal(snap.type, 'session_snapshot');
    if (snap.type !== 'session_snapshot') return;
    assert.equal(snap.revision, rig.engine.requireSession(s.id).revision);
    assert.equal(snap.messages.length, 200, 'a snapshot holds the last 200 messages');
    assert.equal(snap.hasMore, true);
    assert.deepEqual(snap.session, rig.engine.requireSession(s.id));
    assert.deepEqual(snap.messages, rig.engine.getMessages(s.id, { limit: 200 }));
  });

  it('unsubscribe_session really unsubscribes', async () => {
    const s = rig.engine.createSession({ provider: 'codex', mode: 'direct', cwd: '/work/demo' });
    const other = rig.engine.createSession({ provider: 'codex', mode: 'direct', cwd: '/work/other' });
    const a = await connect();
    await a.request({ type: 'subscribe_session', sessionId: s.id });
    await a.request({ type: 'subscribe_session', sessionId: other.id });
    assert.equal((await a.request({ type: 'unsubscribe_session', sessionId: s.id })).type, 'result');
    const before = a.received.length;
    burst(rig, s.id, 30, 'u');
    // A marker on the other session arrives after anything the first would have produced.
    rig.engine.appendMessage(other.id, { id: 'marker', kind: 'agent', text: 'marker', createdAt: T0 });
    await a.waitFor(m => m.type === 'message_appended' && m.message.id === 'marker');
    assert.deepEqual(a.received.slice(before).filter(m => 'sessionId' in m && m.sessionId === s.id), []);
  });

  it('cuts long fields at 16,000 characters with a marker, fetchable whole; pages older history', async () => {
    const s = rig.engine.createSession({ provider: 'codex', mode: 'direct', cwd: '/work/demo' });
    const long = 'x'.repeat(FIELD_CUT_CHARS + 5_000);
    for (let i = 0; i < 320; i++) {
      rig.engine.appendMessage(s.id, { id: `m${i}`, kind: i === 310 ? 'command' : 'agent', text: `t${i}`, createdAt: T0, ...(i === 310 ? { output: long } : {}) });
    }
    const a = await connect();
    const snap = await a.request({ type: 'subscribe_session', sessionId: s.id });
    assert.equal(snap.type, 'session_snapshot');
    if (snap.type !== 'session_snapshot') return;
    assert.deepEqual(snap.messages.map(m => m.seq), Array.from({ length: 200 }, (_, i) => 120 + i));
    const cut = snap.messages.find(m => m.id === 'm310')!;
    assert.equal(cut.truncated, true);
    assert.equal(cut.output, long.slice(0, FIELD_CUT_CHARS) + CUT_MARKER);
    const whole = await a.request({ type: 'get_message', sessionId: s.id, messageId: 'm310' });
    assert.equal(whole.type === 'message' && whole.message.output, long);

    const page1 = await a.request({ type: 'load_messages', sessionId: s.id, beforeSeq: 120 });
    assert.equal(page1.type, 'messages_page');
    if (page1.type !== 'messages_page') return;
    assert.deepEqual(page1.messages.map(m => m.seq), Array.from({ length: 50 }, (_, i) => 70 + i), '50 per page by default');
    assert.equal(page1.hasMore, true);
    const page2 = await a.request({ type: 'load_messages', sessionId: s.id, beforeSeq: 70, limit: 200 });
    assert.equal(page2.type === 'messages_page' && page2.messages.length, 70);
    assert.equal(page2.type === 'messages_page' && page2.hasMore, false);
    const tooMany = await a.request({ type: 'load_messages', sessionId: s.id, limit: 201 });
    assert.equal(tooMany.type === 'error' && tooMany.code, 'bad_request');
  });
});
