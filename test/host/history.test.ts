// History and search in the real VS Code: the History node at the bottom of the Sessions tree lists
// past sessions by project and day (lazily, from the store), expands in the real tree widget, follows
// an import and ended / removed sessions by itself, its actions archive / delete / resume in terminal,
// and the search quick pick searches again as the user types, shows agent, project and time, and
// opens the hit.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FlightdeckApi } from '../../src/extension';
import type { SessionEngine } from '../../src/engine/sessions/engine';
import type { HistoryNode } from '../../src/vscode/historyTree';
import type { TreeNode } from '../../src/vscode/sessionsTree';
import type { Outcome } from '../../src/vscode/commands';
import { writePast } from '../fixtures/historyStore';
import { activateFlightdeck, waitFor } from './helpers';

const run = (cmd: string, ...args: unknown[]) => vscode.commands.executeCommand<Outcome>(`flightdeck.${cmd}`, ...args);

suite('history view and search', () => {
  let api: FlightdeckApi;
  let engine: SessionEngine;
  const now = Date.now();

  suiteSetup(async () => {
    ({ api } = await activateFlightdeck());
    await api.ready();
    engine = api.runtime!.engine!;
    writePast(engine.store, [
      { id: 'hist-cx-1', provider: 'codex', cwd: '/work/histproj/shop', at: now - 2 * 86_400_000, prompt: 'histui wombat checkout', messages: [{ kind: 'user', text: 'histui wombat checkout' }, { kind: 'agent', text: 'the wombatophone is fixed' }] },
      { id: 'hist-cx-2', provider: 'codex', cwd: '/work/histproj/shop', at: now - 2 * 86_400_000 + 60_000, prompt: 'histui second' },
      { id: 'hist-cl-1', provider: 'claude', cwd: '/work/histproj/blog', at: now - 5 * 86_400_000, prompt: 'histui claude wombat post', providerSessionId: 'c1a2b3c4-0000-4000-8000-000000000001', messages: [{ kind: 'user', text: 'histui claude wombat post' }] },
    ]);
    await api.history.refresh();
  });

  /** History's rows below a node (the History node itself when none is given), as the tree asks for them. */
  const children = (n?: HistoryNode) => api.tree.getChildren(n ?? api.history.root);
  const labelOf = (n: HistoryNode) => String(api.tree.getTreeItem(n).label);
  const historyCount = () => Number(api.tree.getTreeItem(api.history.root).description);
  const archivedCount = () => Number(api.tree.getTreeItem(api.history.archivedRoot).description);

  test('History is the last node of the Sessions tree; expanding it in the tree widget shows projects, then days, then sessions; a session opens', async () => {
    const root = api.tree.getChildren();
    assert.strictEqual(root[root.length - 1], api.history.root, 'History below the live groups');
    assert.ok(root.slice(0, -1).every((n: TreeNode) => n.kind === 'group'), 'the live groups stay on top');
    const item = api.tree.getTreeItem(api.history.root);
    assert.strictEqual(item.label, 'History');
    assert.strictEqual(item.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed, 'nothing loads until it is opened');
    assert.ok(!vscode.extensions.getExtension('flightdeck.flightdeck')!.packageJSON.contributes.views.flightdeck.some((v: { id: string }) => v.id === 'flightdeck.history'), 'no separate History view');

    // Expanded by the workbench's tree widget (reveal with expand), which then asks for the children.
    const expanded: string[] = [];
    const sub = api.tree.view.onDidExpandElement(e => expanded.push(String(api.tree.getTreeItem(e.element).label)));
    try {
      await vscode.commands.executeCommand('flightdeck.sessions.focus');
      // The History node appeared with suiteSetup's refresh; a view rendered before that (earlier suites)
      // fetches the new root asynchronously, and reveal() of a node the widget has not fetched yet throws.
      await waitFor('the tree widget to reveal History', async () => {
        await api.tree.view.reveal(api.history.root, { expand: true, focus: true });
        return true;
      });
      await waitFor('History expanded', () => expanded.includes('History'));
      const projects = await children();
      const shop = projects.find(n => n.kind === 'historyProject' && n.cwd === '/work/histproj/shop')!;
      assert.ok(shop, 'the shop project');
      assert.strictEqual(api.tree.getTreeItem(shop).description, '2');
      assert.ok(projects[projects.length - 1].kind === 'historyRoot', 'an Archived node at the end');
      await api.tree.view.reveal(shop, { expand: true, focus: true });
      await waitFor('the project expanded', () => expanded.includes('shop'));
      const days = await children(shop);
      assert.strictEqual(days.length, 1);
      await api.tree.view.reveal(days[0], { expand: true, focus: true });
      await waitFor('the day expanded', () => expanded.length >= 3);
      const sessions = await children(days[0]);
      assert.deepStrictEqual(sessions.map(labelOf), ['histui second', 'histui wombat checkout']);
      const row = api.tree.getTreeItem(sessions[1]);
      assert.strictEqual(row.contextValue, 'session:codex:passive:ended:idle:past');
      assert.match(String(row.description), /^Codex · /);
      assert.strictEqual(row.command?.command, 'flightdeck.openSession');
      assert.ok(!api.tree.allSessions().some(s => s.id.startsWith('hist-')), 'no past session in the live list');

      // Selecting the row in the tree (Enter, as a click does) runs its command: the panel opens.
      await api.tree.view.reveal(sessions[1], { select: true, focus: true });
      await vscode.commands.executeCommand('list.select');
      const host = await waitFor('the panel of the past session', () => api.panels.get('hist-cx-1'));
      await waitFor('the page to subscribe', () => host.fromPage.some(m => m.type === 'subscribe_session'), 20_000);
    } finally {
      sub.dispose();
    }
  });

  test('History follows by itself: a session that ends joins it, a removed one leaves it, an import adds its sessions', async () => {
    const before = historyCount();
    const refreshes = api.history.refreshes;
    const live = engine.createSession({ provider: 'codex', mode: 'passive', cwd: '/work/histproj/live', firstPrompt: 'histui ends now' });
    engine.apply(live.id, { type: 'ended', reason: 'user' });
    await waitFor('the ended session counted', () => historyCount() === before + 1);
    assert.ok(api.history.refreshes > refreshes, 'History reloaded without a refresh command');
    const c = await api.connection.client();
    await c.request({ type: 'delete_session', sessionId: live.id });
    await waitFor('the deleted session gone', () => historyCount() === before);

    // An archived rollout copied into CODEX_HOME, then an import: History shows it when the import ends.
    const archived = path.join(process.env.CODEX_HOME!, 'archived_sessions');
    fs.mkdirSync(archived, { recursive: true });
    const file = path.join(archived, 'rollout-2026-11-25T11-34-14-01a2127c-2199-77c2-87c0-2cf3dd62a1ba.jsonl');
    fs.copyFileSync(path.join(__dirname, '../../../test/fixtures/rollouts/exec-plain.rollout.jsonl'), file);
    const pastBefore = historyCount() + archivedCount();
    await c.request({ type: 'import_history' });
    await waitFor('the imported session counted', () => historyCount() + archivedCount() === pastBefore + 1, 30_000);
    const where = [...await children(), ...await children(api.history.archivedRoot)];
    assert.ok(where.some(n => n.kind === 'historyProject' && n.cwd === '/home/dev/codex-lab/ws1'), 'its project listed');
  });

  test('archive hides a past session (listed under Archived), un-archive brings it back, delete removes it', async () => {
    assert.ok((await run('archiveSession', 'hist-cx-2')).ok);
    const projects = await children();
    const shop = projects.find(n => n.kind === 'historyProject' && n.cwd === '/work/histproj/shop')!;
    assert.strictEqual(api.tree.getTreeItem(shop).description, '1');
    const archivedRoot = projects.find(n => n.kind === 'historyRoot')!;
    const archivedProjects = await children(archivedRoot);
    const archivedSessions = await children((await children(archivedProjects[0]))[0]);
    assert.deepStrictEqual(archivedSessions.map(labelOf), ['histui second']);
    assert.match(String(api.tree.getTreeItem(archivedSessions[0]).contextValue), /:archived$/);
    assert.ok((await run('unarchiveSession', 'hist-cx-2')).ok);
    assert.ok((await run('deleteSession', 'hist-cx-2', true)).ok);
    engine.store.flush();
    assert.strictEqual(engine.store.getSession('hist-cx-2'), undefined);
    const after = (await children()).find(n => n.kind === 'historyProject' && n.cwd === '/work/histproj/shop')!;
    assert.strictEqual(api.tree.getTreeItem(after).description, '1');
  });

  // Before Resume in Terminal: a terminal the workbench shows late can take the focus, and a quick pick
  // hides when it loses the focus (seen twice in clean clones even with the terminal closed once shown).
  test('search pick: grouped by session with agent, project and time; typing searches again; a hit opens its session', async () => {
    const o = await run('search', 'wombat');
    assert.ok(o.ok, JSON.stringify(o));
    const pick = api.searchPick!;
    let hidden = false;
    pick.pick.onDidHide(() => { hidden = true; });
    // The last word is a prefix: "wombat" finds "wombatophone" too.
    assert.deepStrictEqual(pick.results.map(h => h.messageId), ['hist-cl-1-m0', 'hist-cx-1-m1', 'hist-cx-1-m0']);
    const separators = pick.pick.items.filter(i => i.kind === vscode.QuickPickItemKind.Separator).map(i => i.label);
    assert.deepStrictEqual(separators, ['histui claude wombat post · Claude Code · blog', 'histui wombat checkout · Codex · shop']);
    const hit = pick.pick.items.find(i => i.kind !== vscode.QuickPickItemKind.Separator)!;
    assert.match(String(hit.description), /^Claude Code · blog · /);

    // A wait that times out says what the pick showed, or that it was hidden (a focus move hides it).
    const showing = (want: string) => () => {
      if (pick.results.length === 1 && pick.results[0].messageId === want) return true;
      if (hidden) throw new Error('the pick was hidden (the focus moved away from it), its search dropped');
      throw new Error(`the pick shows ${JSON.stringify(pick.results.map(h => h.messageId))} for ${JSON.stringify(pick.pick.value)}, title ${JSON.stringify(pick.pick.title)}, busy ${pick.pick.busy}`);
    };
    pick.type('wombato');
    await waitFor('the prefix search as typed', showing('hist-cx-1-m1'));
    pick.type('wombat agent:claude');
    await waitFor('the agent filter', showing('hist-cl-1-m0'));

    pick.type('wombatophone');
    await waitFor('one hit', showing('hist-cx-1-m1'));
    const target = pick.pick.items.find(i => i.kind !== vscode.QuickPickItemKind.Separator)!;
    pick.pick.activeItems = [target];
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    await waitFor('the panel of the hit', () => api.panels.get('hist-cx-1')?.panel.active);
  });

  test('Resume in Terminal runs claude --resume <id> in the session folder', async () => {
    await children();
    const blog = (await children()).find(n => n.kind === 'historyProject' && n.cwd === '/work/histproj/blog')!;
    await children((await children(blog))[0]);
    const o = await run('resumeInTerminal', 'hist-cl-1');
    assert.ok(o.ok, JSON.stringify(o));
    const data = o.data as { terminal: string; command: string; cwd: string };
    assert.strictEqual(data.command, 'claude --resume c1a2b3c4-0000-4000-8000-000000000001');
    assert.strictEqual(data.cwd, '/work/histproj/blog');
    assert.ok(vscode.window.terminals.some(t => t.name === data.terminal));
    const refused = await run('resumeInTerminal', 'hist-cx-1');
    assert.ok(!refused.ok && refused.code === 'not_claude');
    // The terminal takes the focus (terminal.show()). Closed before the workbench has shown it, the
    // terminal view then opens empty and the workbench starts a shell of its own there, which takes
    // the focus from a later test's quick pick (seen under load: the pick hid, its search dropped).
    // So it is closed once it is the active one (its folder does not exist here: no process to await),
    // and the panel closed after it.
    const terminal = vscode.window.terminals.find(t => t.name === data.terminal)!;
    await waitFor('the terminal shown', () => vscode.window.activeTerminal === terminal);
    terminal.dispose();
    await waitFor('the terminal closed', () => !vscode.window.terminals.includes(terminal));
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
  });
});
