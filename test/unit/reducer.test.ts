import * as assert from 'node:assert/strict';
import type { PendingApproval, Session } from '../../src/engine/protocol';
import { iso } from '../../src/engine/platform/clock';
import { newSession } from '../../src/engine/sessions/model';
import { reduce } from '../../src/engine/sessions/reducer';
import type { SessionEvent } from '../../src/engine/sessions/events';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const base = (over: Partial<Session> = {}): Session => ({ ...newSession({ provider: 'codex', mode: 'direct', cwd: '/w/proj' }, T0), ...over });
const approval = (id: string, over: Partial<PendingApproval> = {}): PendingApproval => ({
  approvalId: id, version: 1, kind: 'exec', command: 'ls', options: ['approved', 'approved_for_session', 'denied', 'abort'], requestedAt: iso(T0), ...over,
});
function run(s: Session, ...events: SessionEvent[]): Session {
  let t = T0;
  for (const e of events) s = reduce(s, e, (t += 1000)).session;
  return s;
}

describe('session state machine', () => {
  it('a new session has every SPEC §1 field and revision 1', () => {
    const s = base();
    for (const k of ['id', 'provider', 'mode', 'providerSessionId', 'cwd', 'projectName', 'model', 'status', 'workStatus', 'customName', 'firstPrompt', 'displayName', 'approvalPolicy', 'sandboxMode', 'tokenUsage', 'pendingApproval', 'createdAt', 'lastActivityAt', 'endedAt', 'endReason', 'revision']) {
      assert.ok(k in s, k);
    }
    assert.equal(s.revision, 1);
    assert.equal(s.projectName, 'proj');
    assert.equal(s.displayName, 'proj');
    assert.match(s.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('the first real prompt names the session and work starts; later prompts do not rename', () => {
    const s = run(base(), { type: 'userPrompt', text: '<environment_context>x</environment_context>' }, { type: 'userPrompt', text: 'Fix   the login bug' }, { type: 'userPrompt', text: 'and more' });
    assert.equal(s.firstPrompt, 'Fix the login bug');
    assert.equal(s.displayName, 'Fix the login bug');
    assert.equal(s.workStatus, 'working');
  });

  it('every change bumps the revision by one, a no-op does not', () => {
    const s0 = base();
    const t1 = reduce(s0, { type: 'renamed', name: 'A' }, T0 + 1);
    assert.equal(t1.session.revision, 2);
    assert.deepEqual(t1.changes, { customName: 'A', displayName: 'A', revision: 2 });
    const t2 = reduce(t1.session, { type: 'renamed', name: 'A' }, T0 + 2);
    assert.equal(t2.session, t1.session);
    assert.deepEqual(t2.changes, {});
  });

  it('approvals queue up; pendingApproval is the head; decisions follow SPEC §4', () => {
    let s = run(base(), { type: 'turnStarted', turnId: 't1' }, { type: 'approvalRequested', approval: approval('a1') }, { type: 'approvalRequested', approval: approval('a2') });
    assert.equal(s.workStatus, 'needsApproval');
    assert.deepEqual(s.pendingApprovals.map(a => a.approvalId), ['a1', 'a2']);
    assert.equal(s.pendingApproval?.approvalId, 'a1');
    s = run(s, { type: 'approvalResolved', approvalId: 'a1', decision: 'approved' });
    assert.equal(s.workStatus, 'needsApproval', 'a2 still waits');
    assert.equal(s.pendingApproval?.approvalId, 'a2');
    s = run(s, { type: 'approvalResolved', approvalId: 'a2', decision: 'approved_for_session' });
    assert.equal(s.workStatus, 'working');
    assert.equal(s.pendingApproval, null);
  });

  for (const [decision, after] of [['approved', 'working'], ['approved_for_session', 'working'], ['approved_always', 'working'], ['denied', 'waiting'], ['abort', 'waiting']] as const) {
    it(`after ${decision} the session is ${after}`, () => {
      const s = run(base(), { type: 'approvalRequested', approval: approval('a') }, { type: 'approvalResolved', approvalId: 'a', decision });
      assert.equal(s.workStatus, after);
    });
  }

  it('a question puts the session in needsAnswer; answering by question id resumes work', () => {
    let s = run(base(), { type: 'questionAsked', question: { questionId: 'q1', questions: [{ id: 'x', question: 'Which?' }], requestedAt: iso(T0) } });
    assert.equal(s.workStatus, 'needsAnswer');
    s = run(s, { type: 'questionAnswered', questionId: 'other' });
    assert.equal(s.workStatus, 'needsAnswer', 'a different question id does not answer it');
    s = run(s, { type: 'questionAnswered', questionId: 'q1' });
    assert.equal(s.workStatus, 'working');
    assert.equal(s.pendingQuestion, null);
  });

  it('a completed turn clears pending input and waits', () => {
    const s = run(base(), { type: 'turnStarted', turnId: 't' }, { type: 'approvalRequested', approval: approval('a') }, { type: 'turnCompleted', turnId: 't', status: 'interrupted' });
    assert.equal(s.workStatus, 'waiting');
    assert.equal(s.pendingApprovals.length, 0);
    assert.equal(s.currentTurnId, null);
  });

  it('ended → activity reactivates and clears the ended markers', () => {
    let s = run(base({ mode: 'passive' }), { type: 'ended', reason: 'timeout' });
    assert.equal(s.status, 'ended');
    assert.equal(s.endReason, 'timeout');
    assert.ok(s.endedAt);
    s = run(s, { type: 'activity' });
    assert.equal(s.status, 'active');
    assert.equal(s.endedAt, null);
    assert.equal(s.endReason, null);
    assert.equal(s.workStatus, 'waiting');
  });

  it('metadata or a rename does not reactivate an ended session', () => {
    let s = run(base(), { type: 'ended', reason: 'user' });
    s = run(s, { type: 'renamed', name: 'x' }, { type: 'metadata', model: 'm' });
    assert.equal(s.status, 'ended');
  });

  it('context fill is the last turn input over the window, not the cumulative total', () => {
    const s = run(base(), { type: 'turnTokens', input: 50_000, output: 10, cached: 5, contextWindow: 100_000 }, { type: 'turnTokens', input: 20_000, output: 10, cached: 0 });
    assert.equal(s.tokenUsage.input, 70_000);
    assert.equal(s.tokenUsage.lastTurnInput, 20_000);
    assert.equal(s.contextFill, 0.2);
  });

  it('restored working sessions are not working (SPEC §2)', () => {
    const s = run(base({ workStatus: 'working', currentTurnId: 't' }), { type: 'restored' });
    assert.equal(s.workStatus, 'waiting');
    assert.equal(s.currentTurnId, null);
  });
});
