import * as assert from 'node:assert/strict';
import { EngineError } from '../../src/engine/sessions/errors';
import { LIFECYCLE } from '../../src/engine/sessions/lifecycle';
import { iso } from '../../src/engine/platform/clock';
import type { ProviderController } from '../../src/engine/sessions/provider';
import { makeEngine, type TestEngine } from '../helpers/engine';
import { TEST_DRIVER } from '../helpers/storeDriver';
import { cleanupTmpDirs } from '../helpers/tmp';

describe(`session engine [${TEST_DRIVER}]`, () => {
  let t: TestEngine;
  beforeEach(() => { t = makeEngine(); });
  afterEach(() => { t.close(); cleanupTmpDirs(); });

  it('publishes session_created and deltas with revisions; the list revision grows', () => {
    const s = t.engine.createSession({ provider: 'codex', mode: 'passive', providerSessionId: 'th1', cwd: '/a/b' });
    const lr = t.engine.listRevision;
    t.engine.apply(s.id, { type: 'renamed', name: 'Named' });
    assert.equal(t.events[0].type, 'session_created');
    const delta = t.events[1];
    assert.equal(delta.type, 'session_delta');
    if (delta.type !== 'session_delta') return;
    assert.equal(delta.revision, 2);
    assert.equal(delta.listRevision, lr + 1);
    assert.deepEqual(delta.changes, { customName: 'Named', displayName: 'Named', revision: 2 });
  });

  it('finds sessions by provider id and does not create duplicates', () => {
    const a = t.engine.createSession({ provider: 'claude', mode: 'passive', providerSessionId: 'x' });
    const b = t.engine.createSession({ provider: 'claude', mode: 'passive', providerSessionId: 'x' });
    assert.equal(a.id, b.id);
    assert.equal(t.engine.findByProviderId('claude', 'x')?.id, a.id);
    assert.equal(t.engine.findByProviderId('codex', 'x'), undefined);
  });

  it('tells listeners each provider id it comes to hold, once (the history import thread leaves those files alone)', () => {
    const keys: string[] = [];
    const off = t.engine.onProviderIdLoaded(k => keys.push(k));
    t.engine.createSession({ provider: 'claude', mode: 'passive', providerSessionId: 'x' });
    t.engine.createSession({ provider: 'claude', mode: 'passive', providerSessionId: 'x' });
    t.engine.createSession({ provider: 'codex', mode: 'direct', cwd: '/p' });
    off();
    t.engine.createSession({ provider: 'codex', mode: 'passive', providerSessionId: 'later' });
    assert.deepEqual(keys, ['claude:x']);
    assert.ok(t.engine.loadedProviderKeys().includes('codex:later'));
  });

  it('message events carry increasing revisions; a user message names the session', () => {
    const s = t.engine.createSession({ provider: 'codex', mode: 'direct', cwd: '/p' });
    t.engine.appendMessage(s.id, { id: 'm1', kind: 'user', text: 'hello world', createdAt: iso(t.clock.now()) });
    t.engine.appendMessage(s.id, { id: 'm2', kind: 'agent', text: 'hi', createdAt: iso(t.clock.now()) });
    const revs = t.events.filter(e => 'revision' in e && 'sessionId' in e).map(e => (e as { revision: number }).revision);
    assert.deepEqual(revs, [...revs].sort((a, b) => a - b));
    assert.equal(new Set(revs).size, revs.length, 'no two session events share a revision');
    assert.equal(t.engine.getSession(s.id)?.displayName, 'hello world');
    assert.deepEqual(t.engine.getMessages(s.id).map(m => [m.id, m.seq]), [['m1', 0], ['m2', 1]]);
  });

  it('a message id seen again updates instead of duplicating, also after a restart', () => {
    const s = t.engine.createSession({ provider: 'codex', mode: 'passive', providerSessionId: 'th' });
    t.engine.appendMessage(s.id, { id: 'file:0', kind: 'agent', text: 'v1', createdAt: iso(0) });
    t.engine.appendMessage(s.id, { id: 'file:0', kind: 'agent', text: 'v2', createdAt: iso(0) });
    assert.deepEqual(t.engine.getMessages(s.id).map(m => m.text), ['v2']);
    t = t.restart();
    t.engine.appendMessage(s.id, { id: 'file:0', kind: 'agent', text: 'v3', createdAt: iso(0) });
    t.engine.appendMessage(s.id, { id: 'file:10', kind: 'agent', text: 'next', createdAt: iso(0) });
    assert.deepEqual(t.engine.getMessages(s.id).map(m => [m.text, m.seq]), [['v3', 0], ['next', 1]]);
  });

  it('a re-sent id still updates after more than 4,096 newer messages of a session created in this run', () => {
    const s = t.engine.createSession({ provider: 'codex', mode: 'passive', providerSessionId: 'many' });
    for (let i = 0; i < 4100; i++) t.engine.appendMessage(s.id, { id: `many:${i}`, kind: 'agent', text: `m${i}`, createdAt: iso(0) });
    t.engine.appendMessage(s.id, { id: 'many:0', kind: 'agent', text: 'm0 again', createdAt: iso(0) });
    t.store.flush();
    assert.equal(t.store.countMessages(s.id), 4100);
    assert.equal(t.store.getMessage('many:0')?.text, 'm0 again');
  });

  it('streaming updates are coalesced: at most one broadcast per 50 ms per session, full text', () => {
    const s = t.engine.createSession({ provider: 'codex', mode: 'direct' });
    t.engine.appendMessage(s.id, { id: 'a', kind: 'agent', text: '', createdAt: iso(0) });
    t.events.length = 0;
    let text = '';
    for (let i = 0; i < 20; i++) { text += `w${i} `; t.engine.streamMessage(s.id, { id: 'a', text }); t.clock.advance(10); }
    const updates = t.events.filter(e => e.type === 'message_updated');
    assert.equal(updates.length, 4, '200 ms of deltas → 4 broadcasts');
    const last = updates[updates.length - 1];
    assert.equal(last.type === 'message_updated' && last.message.text, text);
    assert.equal(t.engine.getMessages(s.id)[0].text, text);
  });

  it('ends an idle passive Codex session after 120 s with reason timeout; activity postpones it', () => {
    const s = t.engine.createSession({ provider: 'codex', mode: 'passive', providerSessionId: 'p' });
    t.clock.advance(LIFECYCLE.passiveInactivityMs - 1000);
    t.engine.apply(s.id, { type: 'activity' });
    t.clock.advance(LIFECYCLE.passiveInactivityMs - 1000);
    assert.equal(t.engine.getSession(s.id)?.status, 'active');
    t.clock.advance(1000);
    assert.equal(t.engine.getSession(s.id)?.status, 'ended');
    assert.equal(t.engine.getSession(s.id)?.endReason, 'timeout');
    t.engine.apply(s.id, { type: 'activity' });
    assert.equal(t.engine.getSession(s.id)?.status, 'active', 'new activity reactivates');
  });

  it('does not time out direct sessions or passive ones waiting for an approval', () => {
    const d = t.engine.createSession({ provider: 'codex', mode: 'direct' });
    const p = t.engine.createSession({ provider: 'codex', mode: 'passive', providerSessionId: 'q' });
    t.engine.apply(p.id, { type: 'approvalRequested', approval: { approvalId: 'a', version: 1, kind: 'exec', options: ['approved'], requestedAt: iso(0) } });
    t.clock.advance(LIFECYCLE.passiveInactivityMs * 3);
    assert.equal(t.engine.getSession(d.id)?.status, 'active');
    assert.equal(t.engine.getSession(p.id)?.status, 'active');
  });

  describe('approval decisions', () => {
    const calls: string[] = [];
    const controller: ProviderController = {
      handles: s => s.provider === 'codex',
      async decideApproval(_s, a, d) { calls.push(`${a.approvalId}:${d}`); },
    };
    beforeEach(() => { calls.length = 0; t.engine.registerProvider(controller); });

    function pending() {
      const s = t.engine.createSession({ provider: 'codex', mode: 'direct' });
      t.engine.apply(s.id, { type: 'approvalRequested', approval: { approvalId: 'ap1', version: 3, kind: 'exec', command: 'rm -rf x', options: ['approved', 'denied', 'abort'], requestedAt: iso(0) } });
      return s.id;
    }

    it('applies a current decision once', async () => {
      const id = pending();
      const s = await t.engine.decideApproval(id, 'ap1', 'approved', { version: 3 });
      assert.deepEqual(calls, ['ap1:approved']);
      assert.equal(s.workStatus, 'working');
      assert.equal(s.pendingApproval, null);
    });

    it('rejects a repeated decision, a stale version and an unknown id with stale_approval', async () => {
      const id = pending();
      await assert.rejects(t.engine.decideApproval(id, 'ap1', 'approved', { version: 2 }), (e: EngineError) => e.code === 'stale_approval');
      await assert.rejects(t.engine.decideApproval(id, 'nope', 'approved'), (e: EngineError) => e.code === 'stale_approval');
      const [a, b] = await Promise.allSettled([t.engine.decideApproval(id, 'ap1', 'denied'), t.engine.decideApproval(id, 'ap1', 'approved')]);
      assert.equal(a.status, 'fulfilled');
      assert.equal(b.status, 'rejected');
      assert.deepEqual(calls, ['ap1:denied']);
    });

    it('rejects a decision the provider did not offer', async () => {
      const id = pending();
      await assert.rejects(t.engine.decideApproval(id, 'ap1', 'approved_always'), (e: EngineError) => e.code === 'bad_request');
    });
  });

  it('answers not_supported for operations no provider offers', async () => {
    const s = t.engine.createSession({ provider: 'claude', mode: 'passive' });
    await assert.rejects(t.engine.sendMessage(s.id, 'hi'), (e: EngineError) => e.code === 'not_supported');
    await assert.rejects(t.engine.createFromClient({ provider: 'codex', cwd: '/' }), (e: EngineError) => e.code === 'not_supported');
  });

  it('rename and end work without a provider and persist', async () => {
    const s = t.engine.createSession({ provider: 'claude', mode: 'passive', providerSessionId: 'c1' });
    await t.engine.rename(s.id, 'My name');
    await t.engine.end(s.id);
    t = t.restart();
    const r = t.engine.getSession(s.id)!;
    assert.equal(r.displayName, 'My name');
    assert.equal(r.status, 'ended');
    assert.equal(r.endReason, 'user');
  });
});

describe(`restart restore and startup rules (SPEC §2) [${TEST_DRIVER}]`, () => {
  afterEach(() => cleanupTmpDirs());

  // Codex sessions (passive and direct) are closed by their connectors from the rollout instead
  // (test/integration/codex-direct-crash.test.ts re-reads the open turn of a direct one).
  it('restores sessions, never as working, and is stable across repeated restarts', () => {
    let t = makeEngine();
    const d = t.engine.createSession({ provider: 'claude', mode: 'passive', cwd: '/x' });
    t.engine.apply(d.id, { type: 'turnStarted', turnId: 't1' });
    assert.equal(t.engine.getSession(d.id)?.workStatus, 'working');
    t = t.restart();
    const r1 = t.engine.getSession(d.id)!;
    assert.equal(r1.workStatus, 'waiting');
    t = t.restart();
    const r2 = t.engine.getSession(d.id)!;
    assert.equal(r2.workStatus, 'waiting');
    assert.equal(r2.revision, r1.revision, 'a second restart changes nothing');
    t.close();
  });

  it('ends stale passive sessions and empty Claude shells; keeps recent ones and ones awaiting input', () => {
    let t = makeEngine();
    const stale = t.engine.createSession({ provider: 'codex', mode: 'passive', providerSessionId: 'stale' });
    const waiting = t.engine.createSession({ provider: 'codex', mode: 'passive', providerSessionId: 'asks' });
    t.engine.apply(waiting.id, { type: 'approvalRequested', approval: { approvalId: 'a', version: 1, kind: 'exec', options: ['approved'], requestedAt: iso(0) } });
    const shell = t.engine.createSession({ provider: 'claude', mode: 'passive', providerSessionId: 'shell' });
    const named = t.engine.createSession({ provider: 'claude', mode: 'passive', providerSessionId: 'named' });
    t.engine.appendMessage(named.id, { id: 'n1', kind: 'user', text: 'real prompt', createdAt: iso(t.clock.now()) });
    t.close();
    t.clock.advance(LIFECYCLE.startupStalePassiveMs + 60_000);
    const recentClock = t.clock;
    t = makeEngine({ dir: t.dir, clock: recentClock });
    const get = (id: string) => t.engine.getSession(id)!;
    assert.equal(get(stale.id).status, 'ended');
    assert.equal(get(stale.id).endReason, 'startup_stale_passive');
    assert.equal(get(waiting.id).status, 'active');
    assert.equal(get(shell.id).endReason, 'startup_empty_shell');
    assert.equal(get(named.id).status, 'active', 'a Claude session with a prompt is not an empty shell');
    t.close();
  });

  it('brings back a session older than the restore window instead of duplicating it', () => {
    let t = makeEngine();
    const old = t.engine.createSession({ provider: 'codex', mode: 'passive', providerSessionId: 'ancient' });
    for (let i = 0; i < LIFECYCLE.restoreLimit; i++) { t.clock.advance(1); t.engine.createSession({ provider: 'claude', mode: 'passive', providerSessionId: `c${i}` }); }
    t = t.restart();
    assert.equal(t.engine.getSession(old.id), undefined, 'not restored: 1,000 newer sessions');
    assert.equal(t.engine.findByProviderId('codex', 'ancient')?.id, old.id);
    assert.equal(t.engine.createSession({ provider: 'codex', mode: 'passive', providerSessionId: 'ancient' }).id, old.id);
    t.close();
  });

  it('keeps a fresh passive session active at startup', () => {
    let t = makeEngine();
    const s = t.engine.createSession({ provider: 'codex', mode: 'passive', providerSessionId: 'fresh' });
    t.clock.advance(60_000);
    t = t.restart();
    assert.equal(t.engine.getSession(s.id)?.status, 'active');
    t.close();
  });
});
