// Commands from WebSocket clients go through the engine's own operations: an approval decided by one
// client is applied once and shows in the engine state; a second client's stale decision is an error.
import * as assert from 'node:assert/strict';
import type { ApprovalDecision, PendingApproval, Session } from '../../src/engine/protocol';
import type { ProviderController } from '../../src/engine/sessions/provider';
import { type Rig, TestClient, startRig } from './hub-harness';

const T0 = '2026-01-01T00:00:00.000Z';

/** A provider that records decisions and finishes each one only when the test releases it. */
class RecordingController implements ProviderController {
  calls: { sessionId: string; approvalId: string; decision: ApprovalDecision }[] = [];
  private gates: (() => void)[] = [];
  private onCall: (() => void) | null = null;
  constructor(private sessionId: string) {}
  handles(s: Session): boolean { return s.id === this.sessionId; }
  decideApproval(s: Session, a: PendingApproval, decision: ApprovalDecision): Promise<void> {
    this.calls.push({ sessionId: s.id, approvalId: a.approvalId, decision });
    this.onCall?.();
    return new Promise(resolve => this.gates.push(resolve));
  }
  release(): void { for (const g of this.gates.splice(0)) g(); }
  /** Resolves once decideApproval has been called n times. */
  called(n: number): Promise<void> {
    return new Promise(resolve => {
      const check = () => { if (this.calls.length >= n) { this.onCall = null; resolve(); } };
      this.onCall = check;
      check();
    });
  }
}

describe('hub commands: approvals from WebSocket clients', function () {
  this.timeout(20_000);
  let rig: Rig;
  let a: TestClient;
  let b: TestClient;
  beforeEach(async () => { rig = await startRig(); });
  afterEach(async () => { a?.close(); b?.close(); await rig.close(); });

  function requestApproval(sessionId: string, approvalId: string, version = 0): void {
    rig.engine.apply(sessionId, {
      type: 'approvalRequested',
      approval: { approvalId, version, kind: 'exec', command: 'rm -rf build', cwd: '/work/demo', options: ['approved', 'approved_for_session', 'denied', 'abort'], requestedAt: T0 },
    });
  }

  it('is applied once; a second, simultaneous decision gets stale_approval with its requestId', async () => {
    const s = rig.engine.createSession({ provider: 'codex', mode: 'direct', cwd: '/work/demo' });
    const ctl = new RecordingController(s.id);
    rig.engine.registerProvider(ctl);
    requestApproval(s.id, 'ap1');
    a = await TestClient.connect(rig.hub.url, { token: rig.token });
    b = await TestClient.connect(rig.hub.url, { token: rig.token });
    for (const c of [a, b]) {
      const snap = await c.request({ type: 'subscribe_session', sessionId: s.id });
      assert.equal(snap.type === 'session_snapshot' && snap.session.pendingApproval?.approvalId, 'ap1', 'the pending approval is in the snapshot');
    }
    a.send({ type: 'approve_tool', requestId: 'from-a', sessionId: s.id, approvalId: 'ap1', version: 0, decision: 'approved' });
    await ctl.called(1);
    b.send({ type: 'approve_tool', requestId: 'from-b', sessionId: s.id, approvalId: 'ap1', version: 0, decision: 'denied' });
    const errB = await b.waitFor(m => m.type === 'error' && m.requestId === 'from-b');
    assert.equal(errB.type === 'error' && errB.code, 'stale_approval');
    ctl.release();
    const okA = await a.waitFor(m => m.type === 'result' && m.requestId === 'from-a');
    assert.equal(okA.type === 'result' && okA.sessionId, s.id);

    assert.deepEqual(ctl.calls, [{ sessionId: s.id, approvalId: 'ap1', decision: 'approved' }], 'the provider carried out one decision');
    const now = rig.engine.requireSession(s.id);
    assert.equal(now.pendingApproval, null);
    assert.equal(now.workStatus, 'working');
    // Both clients see the engine's state through the delta.
    for (const c of [a, b]) {
      await c.waitUntil(() => c.state.views.get(s.id)?.revision === now.revision, 5_000, 'the decision delta');
      assert.deepEqual(c.state.views.get(s.id)!.session, now);
    }
    // Deciding again afterwards is also refused.
    const late = await b.request({ type: 'approve_tool', sessionId: s.id, approvalId: 'ap1', decision: 'approved' });
    assert.equal(late.type === 'error' && late.code, 'stale_approval');
    assert.equal(ctl.calls.length, 1);
  });

  it('refuses a decision made on an older version of the approval', async () => {
    const s = rig.engine.createSession({ provider: 'codex', mode: 'direct', cwd: '/work/demo' });
    const ctl = new RecordingController(s.id);
    rig.engine.registerProvider(ctl);
    requestApproval(s.id, 'ap2', 0);
    requestApproval(s.id, 'ap2', 1);
    a = await TestClient.connect(rig.hub.url, { token: rig.token });
    const res = await a.request({ type: 'approve_tool', sessionId: s.id, approvalId: 'ap2', version: 0, decision: 'approved' });
    assert.equal(res.type === 'error' && res.code, 'stale_approval');
    assert.equal(ctl.calls.length, 0);
  });

  it('answers requests for other operations with a result or an error echoing the requestId', async () => {
    const s = rig.engine.createSession({ provider: 'codex', mode: 'passive', cwd: '/work/demo' });
    a = await TestClient.connect(rig.hub.url, { token: rig.token });
    const renamed = await a.request({ type: 'rename_session', sessionId: s.id, name: 'Fix the build' });
    assert.equal(renamed.type, 'result');
    assert.equal(rig.engine.requireSession(s.id).displayName, 'Fix the build');
    const unsupported = await a.request({ type: 'send_message', sessionId: s.id, text: 'hi' });
    assert.equal(unsupported.type === 'error' && unsupported.code, 'not_supported');
    const missing = await a.request({ type: 'end_session', sessionId: 'nope' });
    assert.equal(missing.type === 'error' && missing.code, 'not_found');
    const ended = await a.request({ type: 'end_session', sessionId: s.id });
    assert.equal(ended.type, 'result');
    assert.equal(rig.engine.requireSession(s.id).status, 'ended');
  });
});
