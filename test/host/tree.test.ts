import * as assert from 'node:assert';
import * as vscode from 'vscode';
import type { FlightdeckApi } from '../../src/extension';
import type { SessionEngine } from '../../src/engine/sessions/engine';
import type { TreeNode } from '../../src/vscode/sessionsTree';
import { type StateSessions, putStateSessions } from './fixtures';
import { activateFlightdeck, waitFor } from './helpers';

suite('sessions tree', () => {
  let api: FlightdeckApi;
  let engine: SessionEngine;
  let s: StateSessions;

  const rows = () => {
    const out = new Map<string, { group: string; item: vscode.TreeItem; node: TreeNode }>();
    for (const g of api.tree.getChildren()) {
      if (g.kind !== 'group') continue;
      for (const node of api.tree.getChildren(g)) {
        const item = api.tree.getTreeItem(node);
        out.set(String(item.id), { group: g.label, item, node });
      }
    }
    return out;
  };
  const row = (id: string) => rows().get(id);

  suiteSetup(async () => {
    ({ api } = await activateFlightdeck());
    await api.ready();
    engine = api.runtime!.engine!;
    s = putStateSessions(engine, 'tree');
    await waitFor('the five sessions in the tree', () => Object.values(s).every(x => row(x.id)));
  });

  test('sessions sit in the group of their state, labelled with their display name', () => {
    const expected: [keyof StateSessions, string][] = [
      ['needsApproval', 'Needs attention'], ['needsAnswer', 'Needs attention'], ['working', 'Working'],
      ['waiting', 'Recent'], ['ended', 'Ended'],
    ];
    for (const [state, group] of expected) {
      const r = row(s[state].id)!;
      assert.strictEqual(r.group, group, state);
      assert.strictEqual(r.item.label, s[state].displayName, state);
    }
    const root = api.tree.getChildren();
    const groupLabels = root.filter(g => g.kind === 'group').map(g => (g.kind === 'group' ? g.label : g.kind));
    assert.deepStrictEqual(groupLabels, ['Needs attention', 'Working', 'Recent', 'Ended']);
    // Past sessions (History) come after every live group, never between them.
    assert.deepStrictEqual(root.map(n => n.kind).filter(k => k !== 'group'), root.some(n => n.kind === 'historyRoot') ? ['historyRoot'] : []);
    assert.ok(root.findIndex(n => n.kind === 'historyRoot') === -1 || root[root.length - 1].kind === 'historyRoot');
  });

  test('rows carry contextValue, status description, provider icon, tooltip and a click command', () => {
    const approval = row(s.needsApproval.id)!.item;
    assert.strictEqual(approval.contextValue, 'session:claude:passive:active:needsApproval');
    assert.match(String(approval.description), /^needs approval · (now|\d+m)$/);
    assert.match((approval.iconPath as vscode.Uri).path, /\/media\/claude\.svg$/);
    // appendText escapes markdown and keeps spaces as &nbsp;: read it back as plain text
    const plain = (md: unknown) => (md as vscode.MarkdownString).value.replace(/&nbsp;/g, ' ').replace(/\\(.)/g, '$1');
    const tooltip = plain(approval.tooltip);
    for (const part of ['tree refactor billing', '/work/tree/billing', 'claude-sonnet-4-5', 'Claude Code · Passive', 'npm test -- billing']) {
      assert.ok(tooltip.includes(part), `${part} not in ${tooltip}`);
    }
    assert.strictEqual(approval.command?.command, 'flightdeck.openSession');

    const working = row(s.working.id)!.item;
    assert.strictEqual(working.contextValue, 'session:codex:direct:active:working');
    assert.match((working.iconPath as vscode.Uri).path, /\/media\/codex\.svg$/);
    assert.ok(plain(working.tooltip).includes('42k in · 3.1k out · 20k cached'), plain(working.tooltip));
    assert.ok(plain(working.tooltip).includes('21% of 200k'), 'context fill = 42,000 / 200,000');

    assert.strictEqual(row(s.ended.id)!.item.contextValue, 'session:codex:passive:ended:idle');
    assert.match(String(row(s.needsAnswer.id)!.item.description), /^needs an answer · /);
  });

  test('the view badge counts the sessions that need attention', () => {
    const attention = api.tree.allSessions().filter(x => x.status === 'active' && /^needs/.test(x.workStatus)).length;
    assert.ok(attention >= 2);
    assert.strictEqual(api.tree.view.badge?.value, attention);
    const working = api.tree.allSessions().filter(x => x.status === 'active' && x.workStatus === 'working').length;
    assert.strictEqual(api.statusBar.item.text, [`$(bell-dot) ${attention}`, working ? `$(sync~spin) ${working}` : ''].filter(Boolean).join('  '));
  });

  test('when the connection to the engine closes, the window reconnects and the tree subscribes again', async () => {
    const old = api.client!;
    old.close();
    await waitFor('a new client', () => api.client && api.client !== old && !api.client.isClosed);
    await waitFor('the list on the new client', () => api.tree.loaded && api.tree.getSession(s.working.id));
    engine.apply(s.ended.id, { type: 'renamed', name: 'tree after reconnect' });
    await waitFor('a delta on the new client', () => row(s.ended.id)?.item.label === 'tree after reconnect');
  });

  test('a rename through the protocol updates just that row', async () => {
    const fired: (TreeNode | TreeNode[] | undefined)[] = [];
    const sub = api.tree.onDidChangeTreeData(e => fired.push(e));
    try {
      // a Claude session: the rename stays in Flightdeck (a Codex direct one would also tell Codex)
      const outcome = await vscode.commands.executeCommand('flightdeck.rename', s.needsAnswer.id, '  Docs   audience ');
      assert.deepStrictEqual(outcome, { ok: true });
      await waitFor('the renamed row', () => row(s.needsAnswer.id)?.item.label === 'Docs audience');
      assert.strictEqual(engine.getSession(s.needsAnswer.id)?.customName, 'Docs audience');
      const node = row(s.needsAnswer.id)!.node;
      assert.ok(fired.some(e => e === node), `expected a refresh of just the row, got ${JSON.stringify(fired)}`);
      assert.ok(!fired.includes(undefined), 'the whole tree was refreshed for a rename');
    } finally { sub.dispose(); }
  });

  test('a change of state moves the row to its new group', async () => {
    engine.apply(s.waiting.id, { type: 'turnStarted', turnId: 'tree-turn2' });
    await waitFor('the row under Working', () => row(s.waiting.id)?.group === 'Working');
    assert.strictEqual(row(s.waiting.id)!.item.contextValue, 'session:codex:direct:active:working');
    engine.apply(s.waiting.id, { type: 'turnCompleted', status: 'completed' });
    await waitFor('the row back under Recent', () => row(s.waiting.id)?.group === 'Recent');
  });

  test('a new session appears without a reload', async () => {
    const created = engine.createSession({ provider: 'claude', mode: 'passive', cwd: '/work/tree/new', firstPrompt: 'tree brand new session' });
    await waitFor('the new row', () => row(created.id)?.item.label === 'tree brand new session');
  });

  test('a gap in the list revision makes the tree fetch a fresh list', async () => {
    const before = api.tree.resyncs;
    // An event that skips list revisions, as a client sees it after missing some.
    engine.bus.publish({ type: 'session_delta', sessionId: s.working.id, revision: 999, listRevision: engine.listRevision + 5, changes: { customName: 'never applied' } });
    await waitFor('a resync', () => api.tree.resyncs > before);
    await waitFor('the fresh list', () => api.tree.loaded);
    assert.strictEqual(row(s.working.id)?.item.label, s.working.displayName, 'the out-of-order delta was not applied');
    // After the fresh list, ordinary deltas apply again.
    engine.apply(s.working.id, { type: 'renamed', name: 'tree after resync' });
    await waitFor('a delta after the resync', () => row(s.working.id)?.item.label === 'tree after resync');
  });
});
