import * as assert from 'node:assert/strict';
import { Message, ServerMessage, Session } from '../../src/engine/protocol';
import { SessionState } from '../../webview/session/sessionState';
import { everyKindMessages, makeApproval, makeMessage, makeQuestion, makeSession, SESSION_ID } from '../fixtures/webview/sessionFixtures';

type Msg = ServerMessage;
const snapshot = (revision = 10, messages: Message[] = [makeMessage(1), makeMessage(2)], over: Partial<Session> = {}, hasMore = false): Msg =>
  ({ type: 'session_snapshot', revision, session: makeSession({ revision, ...over }), messages, hasMore });
const delta = (revision: number, changes: Partial<Session>): Msg => ({ type: 'session_delta', sessionId: SESSION_ID, revision, listRevision: 1, changes });
const appended = (revision: number, message: Message): Msg => ({ type: 'message_appended', sessionId: SESSION_ID, revision, message });
const updated = (revision: number, message: Partial<Message> & { id: string }): Msg => ({ type: 'message_updated', sessionId: SESSION_ID, revision, message });
const ids = (s: SessionState) => s.messages.map(m => m.id);

function subscribed(revision = 10, messages?: Message[]): SessionState {
  const s = new SessionState(SESSION_ID);
  s.apply(snapshot(revision, messages));
  return s;
}

describe('webview session state', () => {
  it('uses fixtures that match the protocol schemas', () => {
    for (const m of everyKindMessages()) Message.parse(m);
    Session.parse(makeSession({ pendingApproval: makeApproval(), pendingApprovals: [makeApproval()], pendingQuestion: makeQuestion() }));
    ServerMessage.parse(snapshot());
  });

  it('ignores events before the first snapshot, then takes the snapshot whole', () => {
    const s = new SessionState(SESSION_ID);
    assert.equal(s.apply(delta(3, { model: 'x' })).session, false);
    assert.equal(s.session, null);
    assert.deepEqual(s.subscribeFields(), { sessionId: SESSION_ID });
    const c = s.apply(snapshot(10, [makeMessage(2), makeMessage(1)], {}, true));
    assert.equal(c.reset, true);
    assert.equal(s.revision, 10);
    assert.deepEqual(ids(s), ['m1', 'm2'], 'ordered by seq');
    assert.equal(s.hasMore, true);
    assert.deepEqual(s.subscribeFields(), { sessionId: SESSION_ID, sinceRevision: 10 });
  });

  it('applies deltas in order: a missing key is unchanged, null clears', () => {
    const s = subscribed(10, []);
    s.apply(delta(11, { model: 'gpt-5', customName: 'Limiter work', pendingQuestion: makeQuestion() }));
    assert.equal(s.session!.model, 'gpt-5');
    assert.equal(s.session!.customName, 'Limiter work');
    assert.equal(s.pendingQuestion!.questionId, 'q-1');
    assert.equal(s.session!.cwd, '/work/acme-api', 'a key not in the delta keeps its value');
    const c = s.apply(delta(12, { customName: null, pendingQuestion: null, model: undefined }));
    assert.equal(c.session, true);
    assert.equal(s.session!.customName, null);
    assert.equal(s.pendingQuestion, null);
    assert.equal(s.session!.model, 'gpt-5', 'an explicit undefined counts as missing');
    assert.equal(s.revision, 12);
    assert.equal(s.session!.revision, 12);
  });

  it('exposes the approval queue head and accepts same-revision companion events', () => {
    const s = subscribed(10, []);
    const a = makeApproval();
    s.apply(delta(11, { workStatus: 'needsApproval', pendingApprovals: [a], pendingApproval: a }));
    const c = s.apply({ type: 'approval_requested', sessionId: SESSION_ID, revision: 11, approval: a });
    assert.equal(c.resubscribe, null);
    assert.equal(s.pendingApproval!.approvalId, 'ap-1');
    assert.equal(s.session!.pendingApprovals.length, 1, 'the same approval is not queued twice');
    s.apply({ type: 'tokens_updated', sessionId: SESSION_ID, revision: 11, tokenUsage: { input: 1, output: 2, cached: 0, lastTurnInput: 1, contextWindow: 100 }, contextFill: 0.01 });
    assert.equal(s.session!.tokenUsage.output, 2);
    s.apply(delta(12, { pendingApprovals: [], pendingApproval: null, workStatus: 'working' }));
    assert.equal(s.pendingApproval, null);
  });

  it('takes an approval_requested that comes on its own revision into the queue', () => {
    const s = subscribed(10, []);
    s.apply({ type: 'approval_requested', sessionId: SESSION_ID, revision: 11, approval: makeApproval({ approvalId: 'ap-9' }) });
    assert.equal(s.pendingApproval!.approvalId, 'ap-9');
    s.apply({ type: 'approval_requested', sessionId: SESSION_ID, revision: 12, approval: makeApproval({ approvalId: 'ap-10' }) });
    assert.equal(s.pendingApproval!.approvalId, 'ap-9', 'a second approval waits behind the head');
    assert.deepEqual(s.session!.pendingApprovals.map(x => x.approvalId), ['ap-9', 'ap-10']);
  });

  it('marks the session ended on session_ended', () => {
    const s = subscribed(10, []);
    s.apply({ type: 'session_ended', sessionId: SESSION_ID, revision: 11, reason: 'user' });
    assert.equal(s.session!.status, 'ended');
    assert.equal(s.session!.endReason, 'user');
  });

  it('appends messages and replaces streaming text in place with each full-text update', () => {
    const s = subscribed(10);
    const a = s.apply(appended(11, makeMessage(3, { text: '', status: 'inProgress' })));
    assert.equal(a.structure, true);
    assert.deepEqual(ids(s), ['m1', 'm2', 'm3']);
    s.apply(updated(12, { id: 'm3', text: 'Hel' }));
    const c = s.apply(updated(13, { id: 'm3', text: 'Hello wor' }));
    assert.equal(c.structure, false, 'an update does not change the list shape');
    assert.equal(c.updated.length, 1);
    assert.equal(s.message('m3')!.text, 'Hello wor', 'the full text replaces, it is not appended');
    s.apply(updated(14, { id: 'm3', text: 'Hello world', status: 'completed' }));
    assert.equal(s.messages[2].text, 'Hello world');
    assert.equal(s.messages[2].status, 'completed');
    assert.equal(s.messages[2].kind, 'agent', 'fields not in the patch are kept');
    assert.equal(s.revision, 14);
  });

  it('an update to an item outside the loaded window only advances the revision', () => {
    const s = subscribed(10);
    const c = s.apply(updated(11, { id: 'gone', text: 'x' }));
    assert.deepEqual(c.updated, []);
    assert.equal(s.revision, 11);
  });

  it('ignores a duplicate event', () => {
    const s = subscribed(10);
    s.apply(appended(11, makeMessage(3)));
    s.apply(updated(12, { id: 'm3', text: 'new' }));
    const dup = s.apply(updated(12, { id: 'm3', text: 'stale text' }));
    assert.deepEqual(dup, { session: false, reset: false, structure: false, updated: [], resubscribe: null });
    const dupAppend = s.apply(appended(11, makeMessage(3, { text: 'old' })));
    assert.equal(dupAppend.structure, false);
    assert.equal(s.message('m3')!.text, 'new');
    assert.equal(s.apply(delta(12, { model: 'dup' })).session, false, 'a delta at the current revision is a duplicate');
    assert.equal(s.session!.model, 'gpt-5-codex');
    assert.equal(s.revision, 12);
  });

  it('asks once for a resubscribe with its revision when a revision is missed, then recovers', () => {
    const s = subscribed(10);
    const gap = s.apply(appended(12, makeMessage(3)));
    assert.deepEqual(gap.resubscribe, { sessionId: SESSION_ID, sinceRevision: 10, reason: 'missed revisions 11..11' });
    assert.deepEqual(ids(s), ['m1', 'm2'], 'nothing after a gap is applied');
    assert.equal(s.apply(appended(13, makeMessage(4))).resubscribe, null, 'not asked again while a resync is under way');
    // The engine replays 11.. in order: they apply, and a later gap asks again.
    s.apply(delta(11, { model: 'm' }));
    s.apply(appended(12, makeMessage(3)));
    assert.equal(s.revision, 12);
    assert.deepEqual(ids(s), ['m1', 'm2', 'm3']);
    assert.ok(s.apply(delta(20, {})).resubscribe, 'a new gap after recovering asks again');
  });

  it('treats an out-of-order event as a gap and a fresh snapshot as the cure', () => {
    const s = subscribed(10);
    assert.ok(s.apply(delta(12, { model: 'later' })).resubscribe);
    s.apply(delta(11, { model: 'earlier' })); // the late one applies in order...
    assert.equal(s.session!.model, 'earlier');
    assert.deepEqual(s.apply(delta(13, { model: 'x' })).resubscribe?.sinceRevision, 11, '...but 12 was dropped: still a gap');
    assert.equal(s.session!.model, 'earlier');
    const fresh = s.apply(snapshot(30, [makeMessage(7)], { model: 'fresh' }));
    assert.equal(fresh.reset, true);
    assert.equal(s.revision, 30);
    assert.deepEqual(ids(s), ['m7']);
    assert.ok(s.apply(appended(32, makeMessage(8))).resubscribe, 'the gap flag was reset by the snapshot');
  });

  it('asks for a resubscribe when the engine says resync', () => {
    const s = subscribed(10);
    const c = s.apply({ type: 'resync', sessionId: SESSION_ID, reason: 'slow_client' });
    assert.equal(c.resubscribe!.sinceRevision, 10);
    assert.equal(s.apply({ type: 'resync', sessionId: 'other', reason: 'x' }).resubscribe, null);
  });

  it('prepends older pages without duplicates and keeps seq order', () => {
    const s = subscribed(10, [makeMessage(201), makeMessage(202)]);
    const c = s.apply({ type: 'messages_page', sessionId: SESSION_ID, messages: [makeMessage(199), makeMessage(200), makeMessage(201, { text: 'dup' })], hasMore: false });
    assert.equal(c.structure, true);
    assert.deepEqual(ids(s), ['m199', 'm200', 'm201', 'm202']);
    assert.equal(s.message('m201')!.text, 'Message number 201', 'an item already held is not replaced by a page');
    assert.equal(s.hasMore, false);
    assert.equal(s.oldestSeq, 199);
  });

  it('inserts an item with an earlier seq at its place and replaces a truncated item with the full one', () => {
    const s = subscribed(10, [makeMessage(1), makeMessage(5, { text: 'cut…', truncated: true })]);
    s.apply(appended(11, makeMessage(3)));
    assert.deepEqual(ids(s), ['m1', 'm3', 'm5']);
    const c = s.apply({ type: 'message', message: makeMessage(5, { text: 'the whole text' }) });
    assert.equal(c.updated.length, 1);
    assert.equal(s.messages[2].text, 'the whole text');
  });

  it('ignores messages about other sessions', () => {
    const s = subscribed(10);
    const other: Msg = { type: 'message_appended', sessionId: 'other', revision: 11, message: makeMessage(9, { sessionId: 'other' }) };
    assert.equal(s.apply(other).structure, false);
    assert.equal(s.apply({ ...(snapshot(50) as Extract<Msg, { type: 'session_snapshot' }>), session: makeSession({ id: 'other' }) }).reset, false);
    assert.equal(s.revision, 10);
  });
});
