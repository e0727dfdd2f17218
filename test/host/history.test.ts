// History and search in the real VS Code: the History view lists past sessions by project and day
// (lazily, from the store), its actions archive / delete / resume in terminal, and the search quick
// pick searches again as the user types, shows agent, project and time, and opens the hit.
import * as assert from 'node:assert';
import * as vscode from 'vscode';
import type { FlightdeckApi } from '../../src/extension';
import type { SessionEngine } from '../../src/engine/sessions/engine';
import type { HistoryNode } from '../../src/vscode/historyTree';
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
    api.history.refresh();
  });

  const children = (n?: HistoryNode) => api.history.getChildren(n);
  const labelOf = (n: HistoryNode) => String(api.history.getTreeItem(n).label);

  test('projects, then days, then sessions, loaded on expand; live groups stay in the Sessions view', async () => {
    const projects = await waitFor('the past projects', async () => {
      const c = await children();
      return c.some(n => n.kind === 'historyProject' && n.cwd === '/work/histproj/shop') ? c : undefined;
    });
    const shop = projects.find(n => n.kind === 'historyProject' && n.cwd === '/work/histproj/shop')!;
    assert.strictEqual(api.history.getTreeItem(shop).description, '2');
    assert.ok(projects.some(n => n.kind === 'historyRoot' && n.scope === 'archived'), 'an Archived node at the end');
    const days = await children(shop);
    assert.strictEqual(days.length, 1);
    const sessions = await children(days[0]);
    assert.deepStrictEqual(sessions.map(labelOf), ['histui second', 'histui wombat checkout']);
    const item = api.history.getTreeItem(sessions[1]);
    assert.strictEqual(item.contextValue, 'session:codex:passive:ended:idle:past');
    assert.match(String(item.description), /^Codex · /);
    assert.strictEqual(item.command?.command, 'flightdeck.openSession');
    assert.ok(!api.tree.allSessions().some(s => s.id.startsWith('hist-')), 'no past session in the live list');

    assert.deepStrictEqual(await run('openSession', sessions[1]), { ok: true });
    assert.ok(api.panels.get('hist-cx-1'), 'the panel of the past session opened');
  });

  test('archive hides a past session (listed under Archived), un-archive brings it back, delete removes it', async () => {
    assert.ok((await run('archiveSession', 'hist-cx-2')).ok);
    const projects = await children();
    const shop = projects.find(n => n.kind === 'historyProject' && n.cwd === '/work/histproj/shop')!;
    assert.strictEqual(api.history.getTreeItem(shop).description, '1');
    const archivedRoot = projects.find(n => n.kind === 'historyRoot')!;
    const archivedProjects = await children(archivedRoot);
    const archivedSessions = await children((await children(archivedProjects[0]))[0]);
    assert.deepStrictEqual(archivedSessions.map(labelOf), ['histui second']);
    assert.match(String(api.history.getTreeItem(archivedSessions[0]).contextValue), /:archived$/);
    assert.ok((await run('unarchiveSession', 'hist-cx-2')).ok);
    assert.ok((await run('deleteSession', 'hist-cx-2', true)).ok);
    engine.store.flush();
    assert.strictEqual(engine.store.getSession('hist-cx-2'), undefined);
    const after = (await children()).find(n => n.kind === 'historyProject' && n.cwd === '/work/histproj/shop')!;
    assert.strictEqual(api.history.getTreeItem(after).description, '1');
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
  });

  test('search pick: grouped by session with agent, project and time; typing searches again; a hit opens its session', async () => {
    const o = await run('search', 'wombat');
    assert.ok(o.ok, JSON.stringify(o));
    const pick = api.searchPick!;
    // The last word is a prefix: "wombat" finds "wombatophone" too.
    assert.deepStrictEqual(pick.results.map(h => h.messageId), ['hist-cl-1-m0', 'hist-cx-1-m1', 'hist-cx-1-m0']);
    const separators = pick.pick.items.filter(i => i.kind === vscode.QuickPickItemKind.Separator).map(i => i.label);
    assert.deepStrictEqual(separators, ['histui claude wombat post · Claude Code · blog', 'histui wombat checkout · Codex · shop']);
    const hit = pick.pick.items.find(i => i.kind !== vscode.QuickPickItemKind.Separator)!;
    assert.match(String(hit.description), /^Claude Code · blog · /);

    pick.type('wombato');
    await waitFor('the prefix search as typed', () => pick.results.length === 1 && pick.results[0].messageId === 'hist-cx-1-m1');
    pick.type('wombat agent:claude');
    await waitFor('the agent filter', () => pick.results.length === 1 && pick.results[0].messageId === 'hist-cl-1-m0');

    pick.type('wombatophone');
    await waitFor('one hit', () => pick.results.length === 1 && pick.results[0].messageId === 'hist-cx-1-m1');
    const target = pick.pick.items.find(i => i.kind !== vscode.QuickPickItemKind.Separator)!;
    pick.pick.activeItems = [target];
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    await waitFor('the panel of the hit', () => api.panels.get('hist-cx-1')?.panel.active);
  });
});
