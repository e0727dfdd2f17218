// One event stream, three clients: the web client (ClientState), the session panel (SessionState)
// and the list the sidebar tree holds (its ListMirror; the tree itself needs VS Code) all come
// from src/engine/protocol/mirror/. Fed the same messages, they must hold the same list and the
// same session (approval queue, null-cleared fields, revisions) and all ask for a resync on a gap.
import * as assert from 'node:assert/strict';
import { ClientState } from '../../src/engine/protocol/mirror/clientState';
import type { PendingApproval, ServerMessage, Session } from '../../src/engine/protocol';
import { ListMirror } from '../../src/engine/protocol/mirror/listMirror';
import { newSession } from '../../src/engine/sessions/model';
import { SessionState } from '../../webview/session/sessionState';

const T0 = '2026-01-01T00:00:00.000Z';
const approval = (id: string, command: string): PendingApproval =>
  ({ approvalId: id, version: 0, kind: 'exec', command, options: ['approved', 'denied'], requestedAt: T0 });

function clients() {
  const web = new ClientState();
  const panel = new SessionState('a');
  const tree = new ListMirror();
  const panelResyncs: unknown[] = [];
  const treeResyncs: unknown[] = [];
  const feed = (m: ServerMessage) => {
    web.apply(m);
    const p = panel.apply(m);
    if (p.resubscribe) panelResyncs.push(p.resubscribe);
    const t = tree.apply(m);
    if (t.resync) treeResyncs.push(t.resync);
  };
  return { web, panel, tree, panelResyncs, treeResyncs, feed };
}

describe('one client mirror for the web client, the panel and the tree', () => {
  const a: Session = { ...newSession({ id: 'a', provider: 'claude', mode: 'passive', cwd: '/w/a', customName: 'Named' }, Date.parse(T0)), revision: 3 };
  const b: Session = { ...newSession({ id: 'b', provider: 'codex', mode: 'direct', cwd: '/w/b' }, Date.parse(T0)), revision: 1 };
  const ap1 = approval('ap1', 'npm test');
  const ap2 = approval('ap2', 'rm -rf dist');
  const stream: ServerMessage[] = [
    { type: 'sessions_list', revision: 1, sessions: [a, b] },
    { type: 'session_snapshot', revision: 3, session: a, messages: [], hasMore: false },
    { type: 'session_delta', sessionId: 'a', revision: 4, listRevision: 2, changes: { workStatus: 'needsApproval', pendingApproval: ap1, pendingApprovals: [ap1] } },
    { type: 'approval_requested', sessionId: 'a', revision: 4, approval: ap1 },
    // a second approval queues behind the first: the head stays ap1
    { type: 'session_delta', sessionId: 'a', revision: 5, listRevision: 3, changes: { pendingApprovals: [ap1, ap2] } },
    { type: 'approval_requested', sessionId: 'a', revision: 5, approval: ap2 },
    { type: 'message_appended', sessionId: 'a', revision: 6, message: { id: 'm1', sessionId: 'a', seq: 1, kind: 'agent', text: 'hello', createdAt: T0 } },
    // null clears a field, a missing key leaves it
    { type: 'session_delta', sessionId: 'a', revision: 7, listRevision: 4, changes: { customName: null } },
    { type: 'session_created', listRevision: 5, session: { ...b, id: 'c' } },
    // a duplicate (older revision) changes nothing
    { type: 'session_delta', sessionId: 'a', revision: 5, listRevision: 3, changes: { cwd: '/stale' } },
  ];

  it('the same stream gives the same list and the same session in every client', () => {
    const c = clients();
    for (const m of stream) c.feed(m);
    const session = c.panel.session!;
    assert.deepEqual(c.web.views.get('a')!.session, session, 'web client and panel hold the same session');
    assert.deepEqual(c.web.list.get('a'), session, 'the listed session is the followed one');
    assert.deepEqual([...c.tree.sessions.entries()], [...c.web.list.entries()], 'tree and web client hold the same list');
    assert.equal(session.customName, null);
    assert.equal(session.cwd, '/w/a');
    assert.equal(session.revision, 7);
    assert.deepEqual(session.pendingApprovals.map(x => x.approvalId), ['ap1', 'ap2'], 'the approval queue is kept');
    assert.equal(session.pendingApproval?.approvalId, 'ap1');
    assert.deepEqual([...c.tree.sessions.keys()].sort(), ['a', 'b', 'c']);
    assert.deepEqual(c.web.orderedMessages('a'), c.panel.messages);
    assert.deepEqual(c.web.takeResubscribes(), []);
    assert.deepEqual([c.panelResyncs, c.treeResyncs], [[], []]);
  });

  it('a remote engine gone: the joining engine\'s reachability delta at the held revision reaches the open session in every client', () => {
    const c = clients();
    for (const m of stream) c.feed(m);
    const host = { name: 'devbox', reachable: false };
    // The owner's revision cannot move while it is unreachable: the delta restates revision 7.
    c.feed({ type: 'session_delta', sessionId: 'a', revision: 7, listRevision: 6, changes: { host, workStatus: 'idle' } });
    assert.deepEqual(c.panel.session!.host, host, 'the open panel says unreachable');
    assert.equal(c.panel.session!.workStatus, 'needsApproval', 'the owner\'s state is not rewritten (the UI policy hides decisions while unreachable)');
    assert.deepEqual(c.web.views.get('a')!.session!.host, host, 'the web client\'s open session too');
    assert.deepEqual(c.tree.sessions.get('a')!.host, host);
    // Back: the same restatement with reachable true.
    c.feed({ type: 'session_delta', sessionId: 'a', revision: 7, listRevision: 7, changes: { host: { name: 'devbox', reachable: true } } });
    assert.equal(c.panel.session!.host!.reachable, true);
    // Restated from an older copy (the list's), it still changes only host: the revision stays.
    c.feed({ type: 'session_delta', sessionId: 'a', revision: 5, listRevision: 8, changes: { host, cwd: '/stale' } });
    assert.equal(c.panel.session!.host!.reachable, false);
    assert.equal(c.panel.session!.cwd, '/w/a');
    assert.equal(c.panel.session!.revision, 7);
    // Back, restated from a copy ahead of the view (the missed events are still to come): host only, no resync.
    c.feed({ type: 'session_delta', sessionId: 'a', revision: 9, listRevision: 9, changes: { host: { name: 'devbox', reachable: true }, workStatus: 'working' } });
    assert.equal(c.panel.session!.host!.reachable, true);
    assert.equal(c.panel.session!.revision, 7);
    assert.equal(c.panel.session!.workStatus, 'needsApproval');
    // A same-revision delta without host is still a duplicate.
    c.feed({ type: 'session_delta', sessionId: 'a', revision: 7, listRevision: 10, changes: { cwd: '/stale' } });
    assert.equal(c.panel.session!.cwd, '/w/a');
    assert.deepEqual([c.panelResyncs, c.treeResyncs], [[], []]);
  });

  it('a revision gap makes every client ask again, from the revision it holds, once', () => {
    const c = clients();
    for (const m of stream) c.feed(m);
    // revisions 8 and list revision 6 never arrived
    c.feed({ type: 'session_delta', sessionId: 'a', revision: 9, listRevision: 7, changes: { workStatus: 'working' } });
    c.feed({ type: 'session_delta', sessionId: 'a', revision: 10, listRevision: 8, changes: { workStatus: 'idle' } });
    assert.deepEqual(c.web.takeResubscribes(), [{ type: 'subscribe_list' }, { type: 'subscribe_session', sessionId: 'a', sinceRevision: 7 }]);
    assert.equal(c.panelResyncs.length, 1);
    assert.deepEqual(c.panelResyncs[0], { sessionId: 'a', sinceRevision: 7, reason: 'missed revisions 8..8' });
    assert.equal(c.treeResyncs.length, 1);
    // nothing after the gap was applied anywhere
    assert.equal(c.panel.session!.workStatus, 'needsApproval');
    assert.equal(c.web.views.get('a')!.session!.workStatus, 'needsApproval');
    assert.equal(c.tree.sessions.get('a')!.workStatus, 'needsApproval');
    // a fresh list and snapshot end the resync for all
    const fresh = { ...c.panel.session!, workStatus: 'idle' as const, revision: 10 };
    c.feed({ type: 'sessions_list', revision: 8, sessions: [fresh, b] });
    c.feed({ type: 'session_snapshot', revision: 10, session: fresh, messages: [], hasMore: false });
    assert.deepEqual(c.web.views.get('a')!.session, c.panel.session);
    assert.deepEqual(c.tree.sessions.get('a'), c.panel.session);
  });

  it('a list in pages (issue 19) replaces the list at its last page, in every client; a page out of order asks again', () => {
    const c = clients();
    for (const m of stream) c.feed(m);
    const before = [...c.tree.sessions.keys()].sort();
    const d = { ...b, id: 'd' };
    c.feed({ type: 'sessions_list', revision: 9, part: 0, parts: 3, sessions: [a] });
    c.feed({ type: 'sessions_list', revision: 9, part: 1, parts: 3, sessions: [b] });
    assert.deepEqual([...c.tree.sessions.keys()].sort(), before, 'nothing replaced before the last page');
    assert.equal(c.tree.revision, 5);
    c.feed({ type: 'sessions_list', revision: 9, part: 2, parts: 3, sessions: [d] });
    assert.deepEqual([...c.tree.sessions.keys()].sort(), ['a', 'b', 'd']);
    assert.deepEqual([...c.web.list.keys()].sort(), ['a', 'b', 'd']);
    assert.equal(c.tree.revision, 9);
    // the events held while the pages went out follow
    c.feed({ type: 'session_removed', listRevision: 10, sessionId: 'd' });
    assert.deepEqual([...c.tree.sessions.keys()].sort(), ['a', 'b']);
    assert.deepEqual(c.treeResyncs, []);
    // a missing page: nothing applied, a fresh list asked for
    c.feed({ type: 'sessions_list', revision: 11, part: 0, parts: 2, sessions: [a] });
    c.feed({ type: 'sessions_list', revision: 12, part: 1, parts: 2, sessions: [b] });
    assert.equal(c.treeResyncs.length, 1);
    assert.deepEqual(c.web.takeResubscribes(), [{ type: 'subscribe_list' }]);
    assert.equal(c.tree.revision, 10);
  });
});
