// The shared UI policy: which decisions an approval offers, the passive "answer it in the terminal"
// notice, and the one "needs you" rule behind every count. Sessions are built through the real
// reducer, one in each state a user can meet.
import * as assert from 'node:assert/strict';
import type { PendingApproval, Session } from '../../src/engine/protocol';
import {
  DECISION_LABELS, approvalActions, approvalOffer, approvalSubject, attentionCount, attentionLabel, canTakeOver, isDecidableHere,
  needsAttention, readOnlyNotice,
} from '../../src/engine/protocol/uiPolicy';
import { iso } from '../../src/engine/platform/clock';
import type { SessionEvent } from '../../src/engine/sessions/events';
import { type NewSession, newSession } from '../../src/engine/sessions/model';
import { reduce } from '../../src/engine/sessions/reducer';
import { attentionMessage } from '../../src/vscode/attentionMessage';
import { contextValueOf, groupOf } from '../../src/vscode/sessionPresentation';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const approval = (id: string, over: Partial<PendingApproval> = {}): PendingApproval => ({
  approvalId: id, version: 0, kind: 'exec', command: 'rm -rf build', cwd: '/w/proj', options: ['approved', 'approved_for_session', 'denied', 'abort'], requestedAt: iso(T0), ...over,
});
function session(init: Partial<NewSession>, ...events: SessionEvent[]): Session {
  let s = newSession({ provider: 'codex', mode: 'direct', cwd: '/w/proj', providerSessionId: 'thread-1', ...init }, T0);
  let t = T0;
  for (const e of events) s = reduce(s, e, (t += 1000)).session;
  return s;
}

/** One session in each state a user can meet, and whether it needs them. */
const STATES: { name: string; s: Session; needs: boolean }[] = [
  { name: 'waiting', s: session({}), needs: false },
  { name: 'working', s: session({}, { type: 'turnStarted', turnId: 't1' }), needs: false },
  { name: 'direct approval', s: session({}, { type: 'turnStarted', turnId: 't1' }, { type: 'approvalRequested', approval: approval('a1') }), needs: true },
  {
    name: 'passive approval (answered in its terminal)',
    s: session({ mode: 'passive' }, { type: 'turnStarted', turnId: 't1' }, { type: 'approvalRequested', approval: approval('p1', { options: [] }) }),
    needs: true,
  },
  {
    name: 'question',
    s: session({}, { type: 'turnStarted', turnId: 't1' }, { type: 'questionAsked', question: { questionId: 'q1', questions: [{ id: 'x', question: 'Which?' }], requestedAt: iso(T0) } }),
    needs: true,
  },
  {
    name: 'approval cleared because the agent stopped',
    s: session({ provider: 'claude', mode: 'passive' }, { type: 'approvalRequested', approval: approval('c1', { kind: 'permission' }) }, { type: 'approvalCleared', approvalId: 'c1' }),
    needs: false,
  },
  {
    name: 'ended while an approval was pending',
    s: session({ mode: 'passive' }, { type: 'approvalRequested', approval: approval('p2', { options: [] }) }, { type: 'ended', reason: 'timeout' }),
    needs: false,
  },
  { name: 'history', s: session({ mode: 'passive' }, { type: 'ended', reason: 'history' }), needs: false },
  // A stale store row (workStatus says needsApproval, nothing is queued) is not counted.
  { name: 'needsApproval with an empty queue', s: { ...session({}), workStatus: 'needsApproval' }, needs: false },
];

describe('UI policy', () => {
  it('"needs you" is true exactly for sessions with an approval or a question pending', () => {
    for (const { name, s, needs } of STATES) assert.equal(needsAttention(s), needs, name);
    assert.equal(attentionCount(STATES.map(x => x.s)), 3);
    assert.equal(attentionLabel(1), '1 session needs you');
    assert.equal(attentionLabel(3), '3 sessions need you');
  });

  it('an approval offers exactly its own options, in display order', () => {
    const a = approval('a1', { options: ['denied', 'approved_always', 'approved'] });
    assert.deepEqual(approvalActions(a).map(x => x.decision), ['approved', 'approved_always', 'denied']);
    assert.deepEqual(approvalActions(a).map(x => x.label), ['Approve', 'Always approve', 'Deny']);
    assert.ok(isDecidableHere(a));
    assert.equal(DECISION_LABELS.approved_for_session, 'Approve for session');
  });

  it('a passive Codex approval offers no decision: it says to answer in the terminal, with Take Over', () => {
    const passive = STATES.find(x => x.name.startsWith('passive approval'))!.s;
    const offer = approvalOffer(passive)!;
    assert.deepEqual(offer.actions, []);
    assert.equal(isDecidableHere(offer.approval), false);
    assert.match(offer.notice!, /^Waiting for approval in its terminal/);
    assert.equal(offer.takeOver, true);
    // The read-only notice below the card still explains, but the card's button is the only Take Over.
    const notice = readOnlyNotice(passive)!;
    assert.equal(notice.takeOver, false);
    assert.match(notice.text, /Take it over/);
    const idle = session({ mode: 'passive' });
    assert.equal(readOnlyNotice(idle)!.takeOver, true);
    assert.ok(canTakeOver(passive));
  });

  it('a decidable approval has buttons and no notice; Claude and direct sessions cannot be taken over', () => {
    const direct = STATES.find(x => x.name === 'direct approval')!.s;
    const offer = approvalOffer(direct)!;
    assert.equal(offer.notice, null);
    assert.equal(offer.takeOver, false);
    assert.deepEqual(offer.actions.map(a => a.decision), ['approved', 'approved_for_session', 'denied', 'abort']);
    assert.equal(canTakeOver(direct), false);
    assert.equal(canTakeOver(session({ provider: 'claude', mode: 'passive' })), false);
    const claudeNoOptions = session({ provider: 'claude', mode: 'passive' }, { type: 'approvalRequested', approval: approval('c2', { options: [] }) });
    assert.equal(approvalOffer(claudeNoOptions)!.takeOver, false);
    assert.equal(approvalOffer(claudeNoOptions)!.notice, 'Waiting for approval in its terminal: answer it there.');
  });

  it('nothing is offered for a session without an approval or that ended', () => {
    assert.equal(approvalOffer(STATES[0]!.s), null);
    assert.equal(approvalOffer(STATES.find(x => x.name.startsWith('ended'))!.s), null);
  });

  it('the subject names the command and cwd, or the files', () => {
    assert.equal(approvalSubject(approval('a')), 'rm -rf build (in /w/proj)');
    assert.equal(approvalSubject(approval('b', { command: null, kind: 'fileChange', changes: [{ path: 'a.py', kind: 'add', diff: '' }, { path: 'b.py', kind: 'update', diff: '' }] })), 'a.py, b.py');
    assert.equal(approvalSubject(approval('c', { command: null, kind: 'permission', toolName: 'Bash' })), 'Bash');
  });

  it('the tree groups and the notification follow the same rule; terminal-only approvals get no Approve/Deny anywhere', () => {
    for (const { name, s, needs } of STATES) assert.equal(groupOf(s) === 'attention', needs, name);
    const byName = (n: string) => STATES.find(x => x.name.startsWith(n))!.s;
    // package.json menus offer Approve / Deny for `viewItem =~ /:needsApproval$/`.
    const approveMenu = /:needsApproval$/;
    assert.match(contextValueOf(byName('direct approval')), approveMenu);
    assert.doesNotMatch(contextValueOf(byName('passive approval')), approveMenu);
    assert.match(contextValueOf(byName('passive approval')), /^session:codex:passive:active:needsApproval:inTerminal$/);

    const direct = attentionMessage(byName('direct approval'));
    assert.deepEqual(direct.buttons.map(b => b.label), ['Approve', 'Deny', 'Open']);
    assert.match(direct.message, /wants approval: rm -rf build \(in \/w\/proj\)/);
    const passive = attentionMessage(byName('passive approval'));
    assert.deepEqual(passive.buttons.map(b => b.label), ['Take Over', 'Open']);
    assert.match(passive.message, /Waiting for approval in its terminal/);
    assert.deepEqual(attentionMessage(byName('question')).buttons.map(b => b.label), ['Open']);
  });
});
