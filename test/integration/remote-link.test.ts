// An engine joins other engines' hubs (issue 20), in one process over real sockets and real SQLite
// files: engine A mirrors B (and C), a browser-like client of A's hub sees and drives B's sessions,
// an engine joining A does not get them, a wrong token is reported and retried slowly, and a hub
// that goes away and returns is resumed from the last revision with every event exactly once.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { attachReplay } from '../../src/engine/clients/connection';
import type { ReplayBuffer } from '../../src/engine/clients/replay';
import { type HubHandle, startHub } from '../../src/engine/hub/server';
import { generateToken } from '../../src/engine/hub/token';
import { FakeClock } from '../../src/engine/platform/clock';
import type { Message, ServerMessage, Session } from '../../src/engine/protocol';
import { RemoteEngines, type RemoteInfo } from '../../src/engine/remotes';
import { SessionEngine } from '../../src/engine/sessions/engine';
import { openStore } from '../../src/engine/store';
import type { Store } from '../../src/engine/store/types';
import { TestClient, until } from './hub-harness';

interface Node {
  name: string;
  dir: string;
  clock: FakeClock;
  store: Store;
  engine: SessionEngine;
  replay: ReplayBuffer;
  remotes: RemoteEngines;
  hub: HubHandle;
  token: string;
  logs: string[];
  decided: string[];
  restartHub(): Promise<void>;
  close(): Promise<void>;
}

async function startNode(name: string): Promise<Node> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `fd-remote-${name}-`));
  const clock = new FakeClock(Date.now());
  const store = openStore({ file: path.join(dir, 'flightdeck.db'), clock });
  const engine = new SessionEngine({ store, clock });
  engine.start();
  const replay = attachReplay(engine);
  const logs: string[] = [];
  const log = (level: string, msg: string) => { logs.push(`${level}: ${msg}`); };
  const remotes = new RemoteEngines({ engine, replay, clock, log, version: 't' });
  const token = generateToken();
  const decided: string[] = [];
  // A provider that carries out decisions and renames (the serve tests use the real Codex app-server).
  engine.registerProvider({
    provider: 'codex',
    listModels: async () => [{ id: `model-of-${name}`, displayName: name }],
    handles: () => true,
    decideApproval: async (s, a, d) => { decided.push(`${s.id}:${a.approvalId}:${d}`); },
    sendMessage: async (s, text) => { engine.appendMessage(s.id, { id: `${s.id}:u:${text}`, kind: 'user', text, createdAt: new Date(clock.now()).toISOString() }); },
  });
  const node: Node = {
    name, dir, clock, store, engine, replay, remotes, token, logs, decided,
    hub: await startHub({ engine, replay, remotes, port: 0, token, version: 't', log }),
    async restartHub() {
      const port = node.hub.port;
      await node.hub.close();
      node.hub = await startHub({ engine, replay, remotes, port, token, version: 't', log });
    },
    async close() {
      remotes.stop();
      await node.hub.close();
      engine.stop();
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return node;
}

function waitRemote(n: Node, name: string, pred: (r: RemoteInfo) => boolean, what: string): Promise<RemoteInfo> {
  return until(() => n.remotes.list().find(r => r.name === name && pred(r)), w => n.remotes.onChange(w), 10_000, what);
}

function passiveSession(n: Node, cwd: string): Session {
  return n.engine.createSession({ provider: 'codex', mode: 'passive', cwd, providerSessionId: `thread-${n.name}-${cwd}` });
}

function append(n: Node, s: Session, text: string): Message {
  return n.engine.appendMessage(s.id, { id: `${s.id}:${text}`, kind: 'agent', text, createdAt: new Date(n.clock.now()).toISOString() });
}

async function listed(c: TestClient, id: string, pred: (s: Session) => boolean = () => true, what = `session ${id} listed`): Promise<Session> {
  return c.waitUntil(() => { const s = c.state.list.get(id); return s && pred(s) ? s : undefined; }, 10_000, what);
}

describe('remote engines (one process, real hubs)', function () {
  this.timeout(60_000);
  const nodes: Node[] = [];
  const clients: TestClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    for (const n of nodes.splice(0)) await n.close();
  });
  async function node(name: string): Promise<Node> { const n = await startNode(name); nodes.push(n); return n; }
  async function browser(n: Node): Promise<TestClient> {
    const c = await TestClient.connect(n.hub.url, { token: n.token });
    clients.push(c);
    assert.equal((await c.request({ type: 'hello', protocolVersion: 1 })).type, 'welcome');
    assert.equal((await c.request({ type: 'subscribe_list' })).type, 'sessions_list');
    return c;
  }

  it('lists, streams and drives a remote\'s sessions through the joining engine; ids are <host>/<id>', async () => {
    const b = await node('b');
    const a = await node('a');
    const local = passiveSession(a, '/work/a');
    const sb = passiveSession(b, '/work/b');
    a.remotes.add({ name: 'box', url: b.hub.url, token: b.token });
    await waitRemote(a, 'box', r => r.state === 'connected', 'box connected');
    const c = await browser(a);
    const id = `box/${sb.id}`;
    const mirrored = await listed(c, id);
    assert.deepEqual(mirrored.host, { name: 'box', reachable: true });
    assert.equal(mirrored.sourcePath, null, 'a file of the other machine is never offered here');
    assert.ok(c.state.list.get(local.id) && !c.state.list.get(local.id)!.host, 'the local session stays unmarked');

    // Streaming: a subscriber of A gets B's snapshot and later items with mapped ids.
    append(b, sb, 'first');
    const snap = await c.request({ type: 'subscribe_session', sessionId: id });
    assert.equal(snap.type, 'session_snapshot');
    if (snap.type !== 'session_snapshot') return;
    assert.equal(snap.session.id, id);
    assert.deepEqual(snap.messages.map(m => [m.id, m.sessionId]), [[`${sb.id}:first`, id]]);
    append(b, sb, 'second');
    const appended = await c.waitFor(m => m.type === 'message_appended' && m.message.id === `${sb.id}:second`);
    assert.equal(appended.type === 'message_appended' && appended.sessionId, id);

    // Rename both ways.
    assert.equal((await c.request({ type: 'rename_session', sessionId: id, name: 'from A' })).type, 'result');
    assert.equal(b.engine.getSession(sb.id)!.customName, 'from A');
    await listed(c, id, s => s.displayName === 'from A', 'the rename through A listed');
    await b.engine.rename(sb.id, 'from B');
    await listed(c, id, s => s.displayName === 'from B', 'the rename on B listed');

    // An approval answered through A reaches B; a stale version is refused by B and comes back.
    b.engine.apply(sb.id, { type: 'approvalRequested', approval: { approvalId: 'ap1', version: 0, kind: 'exec', command: 'ls', options: ['approved', 'denied'], requestedAt: new Date(b.clock.now()).toISOString() } });
    await listed(c, id, s => s.pendingApprovals.length === 1, 'the remote approval listed (attention)');
    const stale = await c.request({ type: 'approve_tool', sessionId: id, approvalId: 'ap1', version: 7, decision: 'approved' });
    assert.equal(stale.type === 'error' && stale.code, 'stale_approval');
    assert.match(stale.type === 'error' ? stale.message : '', /^box: /);
    const ok = await c.request({ type: 'approve_tool', sessionId: id, approvalId: 'ap1', version: 0, decision: 'approved' });
    assert.deepEqual(ok.type === 'result' && ok.sessionId, id);
    assert.deepEqual(b.decided, [`${sb.id}:ap1:approved`]);
    await listed(c, id, s => s.pendingApprovals.length === 0, 'the approval resolved');

    // Paging and get_message go to the owner too.
    const page = await c.request({ type: 'load_messages', sessionId: id, limit: 1 });
    assert.ok(page.type === 'messages_page' && page.sessionId === id && page.messages[0].sessionId === id);
    const one = await c.request({ type: 'get_message', sessionId: id, messageId: `${sb.id}:first` });
    assert.ok(one.type === 'message' && one.message.text === 'first' && one.message.sessionId === id);
    // The remotes and their state, for the clients that show hosts; an engine joining A is told of none.
    const remotes = await c.request({ type: 'list_remotes' });
    assert.deepEqual(remotes.type === 'remotes_list' && remotes.remotes.map(r => [r.name, r.url, r.state, r.sessions]), [['box', b.hub.url, 'connected', 1]]);
    // The models of a chosen host (for creating a session there), and this engine's own.
    const theirs = await c.request({ type: 'list_models', provider: 'codex', host: 'box' });
    assert.deepEqual(theirs.type === 'models_list' && theirs.models.map(m => m.id), ['model-of-b']);
    const ours = await c.request({ type: 'list_models', provider: 'codex' });
    assert.deepEqual(ours.type === 'models_list' && ours.models.map(m => m.id), ['model-of-a']);
    // A session of a host not joined fails clearly.
    const none = await c.request({ type: 'subscribe_session', sessionId: 'nobox/x' });
    assert.equal(none.type === 'error' && none.code, 'not_found');
  });

  it('an engine that joins does not get the sessions its remote mirrors (A joins B, B joins C)', async () => {
    const cNode = await node('c');
    const b = await node('b');
    const a = await node('a');
    const sc = passiveSession(cNode, '/work/c');
    const sb = passiveSession(b, '/work/b');
    b.remotes.add({ name: 'cc', url: cNode.hub.url, token: cNode.token });
    await waitRemote(b, 'cc', r => r.state === 'connected' && r.sessions === 1, 'B mirrors C');
    a.remotes.add({ name: 'bb', url: b.hub.url, token: b.token });
    await waitRemote(a, 'bb', r => r.state === 'connected', 'A joined B');
    const onA = await browser(a);
    await listed(onA, `bb/${sb.id}`);
    // An engine joining B is told of none of B's remotes.
    const peer = await TestClient.connect(b.hub.url, { token: b.token });
    clients.push(peer);
    await peer.request({ type: 'hello', protocolVersion: 1, peer: true });
    const peerRemotes = await peer.request({ type: 'list_remotes' });
    assert.deepEqual(peerRemotes.type === 'remotes_list' && peerRemotes.remotes, []);
    const elsewhere = await peer.request({ type: 'create_session', provider: 'codex', cwd: '/tmp', host: 'cc' });
    assert.equal(elsewhere.type === 'error' && elsewhere.code, 'not_found', 'a peer cannot reach the hub\'s remotes, nor get a local session instead');
    const peerList = await peer.request({ type: 'subscribe_list' });
    assert.deepEqual(peerList.type === 'sessions_list' && peerList.sessions.map(s => s.id), [sb.id]);
    // B's own browser sees both hosts; A sees B's own session only.
    const onB = await browser(b);
    await listed(onB, `cc/${sc.id}`);
    await listed(onB, sb.id);
    passiveSession(cNode, '/work/c2');
    await onB.waitUntil(() => [...onB.state.list.keys()].filter(k => k.startsWith('cc/')).length === 2, 10_000, 'C\'s second session on B');
    const newOnB = passiveSession(b, '/work/b2');
    await listed(onA, `bb/${newOnB.id}`);
    assert.deepEqual([...onA.state.list.keys()].sort(), [`bb/${newOnB.id}`, `bb/${sb.id}`].sort());
    assert.equal(a.remotes.list()[0].sessions, 2);
    // The list revisions A's browser saw came one after the other (no resync asked).
    assert.deepEqual(onA.state.takeResubscribes(), []);
  });

  it('a wrong token: state unauthorized with a clear error, other remotes unaffected, retried only after minutes', async () => {
    const b = await node('b');
    const cNode = await node('c');
    const a = await node('a');
    passiveSession(cNode, '/work/c');
    const onA = await browser(a);
    a.remotes.add({ name: 'bad', url: b.hub.url, token: generateToken() });
    a.remotes.add({ name: 'good', url: cNode.hub.url, token: cNode.token });
    const bad = await waitRemote(a, 'bad', r => r.state === 'unauthorized', 'bad unauthorized');
    assert.match(bad.lastError ?? '', /refused the token \(HTTP 401\)/);
    // A client of A is told, without asking.
    await onA.waitFor(m => m.type === 'remotes_list' && m.remotes.some(r => r.name === 'bad' && r.state === 'unauthorized' && /HTTP 401/.test(r.lastError ?? '')));
    await waitRemote(a, 'good', r => r.state === 'connected' && r.sessions === 1, 'good connected');
    const refusals = () => b.logs.filter(l => l.includes('refused an unauthenticated connection')).length;
    assert.equal(refusals(), 1);
    a.clock.advance(60_000);
    assert.equal(refusals(), 1, 'no retry within a minute');
    a.clock.advance(240_000);
    await until(() => refusals() === 2, w => { const t = setInterval(w, 5); return () => clearInterval(t); }, 10_000, 'one retry after 5 minutes');
    assert.ok(!a.logs.some(l => l.includes(b.token)), 'no token in the log');
  });

  it('a remote that goes away shows its sessions unreachable; back, it resumes from the last revision with no lost or doubled event', async () => {
    const b = await node('b');
    const a = await node('a');
    const sb = passiveSession(b, '/work/b');
    append(b, sb, 'before');
    a.remotes.add({ name: 'box', url: b.hub.url, token: b.token });
    await waitRemote(a, 'box', r => r.state === 'connected', 'connected');
    const c = await browser(a);
    const id = `box/${sb.id}`;
    await listed(c, id);
    assert.equal((await c.request({ type: 'subscribe_session', sessionId: id })).type, 'session_snapshot');
    append(b, sb, 'live-1');
    await c.waitFor(m => m.type === 'message_appended' && m.message.id === `${sb.id}:live-1`);

    const port = b.hub.port;
    await b.hub.close();
    await waitRemote(a, 'box', r => r.state === 'unreachable', 'unreachable');
    const shown = await listed(c, id, s => s.host?.reachable === false, 'shown unreachable');
    assert.equal(shown.status, 'active', 'unreachable is not ended');
    assert.equal(c.state.views.get(id)!.session!.host?.reachable, false, 'the open session view (panel, web page) says unreachable too');
    const refused = await c.request({ type: 'send_message', sessionId: id, text: 'hi' });
    assert.equal(refused.type === 'error' && refused.code, 'unreachable');

    // B goes on while A cannot see it.
    append(b, sb, 'missed-1');
    append(b, sb, 'missed-2');
    b.hub = await startHub({ engine: b.engine, replay: b.replay, remotes: b.remotes, port, token: b.token, version: 't', log: () => {} });
    a.clock.advance(1_000); // the first retry
    await waitRemote(a, 'box', r => r.state === 'connected', 'reconnected');
    await listed(c, id, s => s.host?.reachable === true, 'reachable again');
    await until(() => c.state.views.get(id)!.session!.host?.reachable === true || undefined, w => { const t = setInterval(w, 5); return () => clearInterval(t); }, 10_000, 'the open view reachable again');
    append(b, sb, 'after');
    await c.waitFor(m => m.type === 'message_appended' && m.message.id === `${sb.id}:after`);
    const got = c.received.filter((m): m is Extract<ServerMessage, { type: 'message_appended' }> => m.type === 'message_appended').map(m => `${m.message.id}#${m.message.seq}`);
    const stored = b.store.getMessages(sb.id, { limit: 100 }).filter(m => m.text !== 'before').map(m => `${m.id}#${m.seq}`);
    assert.deepEqual(got, stored, 'every event after the snapshot, once, in order');
    assert.equal(c.state.views.get(id)!.revision, b.engine.getSession(sb.id)!.revision);
    assert.deepEqual(c.state.views.get(id)!.messages.map(m => m.id), b.store.getMessages(sb.id, { limit: 100 }).map(m => m.id));

    // A client of A that comes back with its last revision is replayed from A's own buffer.
    const held = c.state.views.get(id)!.revision!;
    c.close();
    append(b, sb, 'while-away-1');
    append(b, sb, 'while-away-2');
    await until(() => (a.remotes.followedRevision(id) ?? 0) >= held + 2, w => { const t = setInterval(w, 5); return () => clearInterval(t); }, 10_000, 'A has the new items');
    const back = await TestClient.connect(a.hub.url, { token: a.token, state: c.state });
    clients.push(back);
    const answer = await back.request({ type: 'subscribe_session', sessionId: id, sinceRevision: held });
    assert.ok(answer.type === 'result', `replayed, not a snapshot: ${answer.type}`);
    assert.deepEqual(back.received.filter(m => m.type === 'message_appended').map(m => m.type === 'message_appended' && m.message.id), [`${sb.id}:while-away-1`, `${sb.id}:while-away-2`]);
    assert.equal(back.state.views.get(id)!.revision, b.engine.getSession(sb.id)!.revision);
  });

  it('after a restart of the joining engine, a remote that cannot be reached shows its last known sessions as unreachable until it answers', async () => {
    const b = await node('b');
    const a = await node('a');
    const kept = passiveSession(b, '/work/kept');
    const gone = passiveSession(b, '/work/gone');
    a.remotes.add({ name: 'box', url: b.hub.url, token: b.token });
    await waitRemote(a, 'box', r => r.state === 'connected' && r.sessions === 2, 'connected');
    // A stops (its remotes keep their last list), B goes away and changes while nobody looks.
    a.remotes.stop();
    const port = b.hub.port;
    await b.hub.close();
    b.engine.apply(gone.id, { type: 'ended', reason: 'user' });
    b.engine.deleteSession(gone.id);
    const again = new RemoteEngines({ engine: a.engine, replay: a.replay, clock: a.clock, log: () => {}, version: 't' });
    a.remotes = again;
    again.add({ name: 'box', url: `ws://127.0.0.1:${port}/ws`, token: b.token });
    assert.deepEqual(again.sessions().map(s => [s.id, s.host?.reachable]).sort(), [[`box/${gone.id}`, false], [`box/${kept.id}`, false]].sort());
    assert.equal(a.store.getSession(`box/${kept.id}`), undefined, 'never stored as a session of this engine');
    b.hub = await startHub({ engine: b.engine, replay: b.replay, remotes: b.remotes, port, token: b.token, version: 't', log: () => {} });
    await until(() => again.list()[0].state === 'connected' || (a.clock.advance(1_000), false), w => { const t = setInterval(w, 20); return () => clearInterval(t); }, 10_000, 'reconnected');
    assert.deepEqual(again.sessions().map(s => [s.id, s.host?.reachable]), [[`box/${kept.id}`, true]]);
  });
});
