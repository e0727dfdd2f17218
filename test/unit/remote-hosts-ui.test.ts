// Sessions of remote engines (issue 20) as every client shows them: the host named in the tree row,
// the notification and the pickers; an unreachable remote's sessions unreachable — not ended, not
// working, not counted as needing you, no decision offered; and the tree menus that act on this
// machine's files (reveal, resume in a terminal, archive, delete) never offered for them, read from
// package.json's own `when` clauses. Sessions are built through the real reducer.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PendingApproval, Session } from '../../src/engine/protocol';
import {
  UNREACHABLE_LABEL, approvalOffer, attentionCount, groupOf, hostDescription, hostLabel, isRemote, isUnreachable, needsAttention,
  remoteFilesNotice, statusLabel,
} from '../../src/engine/protocol/uiPolicy';
import { iso } from '../../src/engine/platform/clock';
import type { SessionEvent } from '../../src/engine/sessions/events';
import { type NewSession, newSession } from '../../src/engine/sessions/model';
import { reduce } from '../../src/engine/sessions/reducer';
import { attentionMessage } from '../../src/vscode/attentionMessage';
import { contextValueOf, describeSession } from '../../src/vscode/sessionPresentation';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const approval = (id: string, over: Partial<PendingApproval> = {}): PendingApproval => ({
  approvalId: id, version: 0, kind: 'exec', command: 'make test', cwd: '/srv/app', options: ['approved', 'approved_for_session', 'denied', 'abort'], requestedAt: iso(T0), ...over,
});
function session(init: Partial<NewSession>, ...events: SessionEvent[]): Session {
  let s = newSession({ provider: 'codex', mode: 'direct', cwd: '/srv/app', providerSessionId: 'thread-1', ...init }, T0);
  let t = T0;
  for (const e of events) s = reduce(s, e, (t += 1000)).session;
  return s;
}
const on = (s: Session, name: string, reachable = true): Session => ({ ...s, id: `${name}/${s.id}`, host: { name, reachable } });
const approving = () => session({}, { type: 'turnStarted', turnId: 't1' }, { type: 'approvalRequested', approval: approval('a1') });
const working = () => session({}, { type: 'turnStarted', turnId: 't1' });

const REPO = path.resolve(__dirname, '../../..');
type MenuEntry = { command: string; when?: string; group?: string };
const menus = (JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { contributes: { menus: Record<string, MenuEntry[]> } })
  .contributes.menus['view/item/context'];
/** The tree's context-menu commands a row with this contextValue gets, as VS Code evaluates the `when` regexes. */
function offered(contextValue: string): Set<string> {
  const out = new Set<string>();
  for (const e of menus) {
    const m = /viewItem =~ \/(.+)\/$/.exec(e.when ?? '');
    if (m && new RegExp(m[1]).test(contextValue)) out.add(e.command.replace(/^flightdeck\./, ''));
  }
  return out;
}

describe('remote hosts in every client (issue 20)', () => {
  it('a session of this machine is unchanged: no host, no label, the same row and menus', () => {
    const s = approving();
    assert.equal(isRemote(s), false);
    assert.equal(hostLabel(s), null);
    assert.equal(hostDescription(s), null);
    assert.equal(remoteFilesNotice(s), null);
    assert.equal(describeSession(s, T0 + 2000), 'needs approval · now');
    assert.equal(contextValueOf(s), 'session:codex:direct:active:needsApproval');
    assert.ok(offered(contextValueOf(s)).has('revealCwd'));
  });

  it('a reachable remote session names its host in the row, the tooltip line and the notification, and counts as needing you', () => {
    const s = on(approving(), 'devbox');
    assert.equal(isRemote(s), true);
    assert.equal(isUnreachable(s), false);
    assert.equal(describeSession(s, T0 + 2000), 'devbox · needs approval · now');
    assert.match(hostDescription(s)!, /^On devbox: /);
    assert.equal(groupOf(s), 'attention');
    assert.equal(attentionCount([s, approving(), working()]), 2, 'remote approvals are in the attention count');
    const note = attentionMessage(s);
    assert.match(note.message, /^Codex on devbox · /);
    assert.deepEqual(note.buttons.map(b => b.label), ['Approve', 'Deny', 'Open']);
    assert.deepEqual(note.buttons[0].args, ['devbox/' + s.id.split('/')[1], 'a1']);
  });

  it('an unreachable remote session is "Unreachable": its own group, not ended, not working, not needing you, no decision', () => {
    for (const base of [approving(), working()]) {
      const s = on(base, 'buildbox', false);
      assert.equal(s.status, 'active');
      assert.equal(isUnreachable(s), true);
      assert.equal(groupOf(s), 'unreachable');
      assert.equal(needsAttention(s), false);
      assert.equal(statusLabel(s), UNREACHABLE_LABEL);
      assert.equal(describeSession(s, T0 + 2000), 'buildbox · unreachable · now');
      assert.equal(approvalOffer(s), null);
      assert.match(hostDescription(s)!, /buildbox, whose engine cannot be reached/);
    }
    assert.equal(attentionCount([on(approving(), 'buildbox', false)]), 0);
    // It comes back: the same session needs you again.
    assert.equal(needsAttention(on(approving(), 'buildbox', true)), true);
    // An ended session stays ended whether or not its engine answers.
    const ended = on(session({}, { type: 'ended', reason: 'exited' }), 'buildbox', false);
    assert.equal(isUnreachable(ended), false);
    assert.equal(groupOf(ended), 'ended');
  });

  it('tree menus: routed actions stay on remote rows, local-file actions never do, an unreachable row gets no decision or control', () => {
    const remoteApproval = offered(contextValueOf(on(approving(), 'devbox')));
    for (const c of ['approve', 'deny', 'interrupt', 'openSession', 'rename', 'copyId', 'endSession']) assert.ok(remoteApproval.has(c), c);
    assert.ok(!remoteApproval.has('revealCwd'));

    const passive = on(session({ mode: 'passive' }, { type: 'turnStarted', turnId: 't1' }), 'devbox');
    assert.ok(offered(contextValueOf(passive)).has('takeOver'));

    for (const provider of ['codex', 'claude'] as const) {
      const ended = offered(contextValueOf(on(session({ provider, mode: provider === 'claude' ? 'passive' : 'direct' }, { type: 'ended', reason: 'exited' }), 'devbox')));
      for (const c of ['revealCwd', 'resumeInTerminal', 'resume', 'archiveSession', 'deleteSession']) assert.ok(!ended.has(c), `${provider}: ${c}`);
      assert.ok(ended.has('openSession'));
    }
    // The same local sessions keep those menus.
    const localEnded = offered(contextValueOf(session({ provider: 'claude', mode: 'passive' }, { type: 'ended', reason: 'exited' })));
    for (const c of ['revealCwd', 'resumeInTerminal', 'archiveSession', 'deleteSession']) assert.ok(localEnded.has(c), c);

    const unreachable = contextValueOf(on(approving(), 'buildbox', false));
    assert.equal(unreachable, 'remote:session:unreachable:codex:direct');
    assert.deepEqual([...offered(unreachable)].sort(), ['copyId', 'openSession', 'rename']);
  });

  it('local-file actions say where the files are', () => {
    assert.equal(remoteFilesNotice(on(working(), 'devbox')), 'The session\'s files are on devbox, not on this machine.');
  });
});
