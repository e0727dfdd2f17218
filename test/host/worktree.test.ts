// Sessions in git worktrees inside a real VS Code: the tree row shows branch and worktree, and the
// worktree commands run from a tree row as a context-menu click passes it (row, selection) and from
// the palette on the focused panel's session, on real repositories made here.
import * as assert from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FlightdeckApi } from '../../src/extension';
import type { SessionEngine } from '../../src/engine/sessions/engine';
import type { Outcome } from '../../src/vscode/commands';
import type { SessionNode } from '../../src/vscode/sessionsTree';
import { activateFlightdeck, waitFor } from './helpers';

const ENV = {
  ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 't@example.invalid', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 't@example.invalid',
};
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: ENV, encoding: 'utf8' }).trim();
const run = (command: string, ...args: unknown[]) => vscode.commands.executeCommand<Outcome>(`flightdeck.${command}`, ...args);

suite('worktrees: tree row and commands', () => {
  let api: FlightdeckApi;
  let engine: SessionEngine;
  let root: string;
  let repo: string;

  /** A worktree on a new branch and a passive Codex session in it; resolves when git's answer reached the tree. */
  async function sessionInWorktree(branch: string): Promise<{ id: string; wt: string; node: SessionNode }> {
    const wt = path.join(root, 'repo-worktrees', branch);
    git(repo, 'worktree', 'add', '-q', '-b', branch, wt);
    const s = engine.createSession({ provider: 'codex', mode: 'passive', providerSessionId: `wt-${branch}`, cwd: wt, firstPrompt: `work on ${branch}` });
    await waitFor(`the worktree of ${branch} in the tree`, () => api.tree.getSession(s.id)?.worktree?.branch === branch);
    return { id: s.id, wt, node: { kind: 'session', id: s.id } };
  }

  suiteSetup(async () => {
    ({ api } = await activateFlightdeck());
    await api.ready();
    engine = api.runtime!.engine!;
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'fd-host-wt-')));
    repo = path.join(root, 'repo');
    fs.mkdirSync(repo);
    git(repo, 'init', '-q', '-b', 'main');
    fs.writeFileSync(path.join(repo, 'app.txt'), 'base line\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'base');
  });
  suiteTeardown(() => fs.rmSync(root, { recursive: true, force: true }));

  test('the row says branch and worktree, its hover names them, and its menus match', async () => {
    const { node, wt } = await sessionInWorktree('tree-row');
    const item = api.tree.getTreeItem(node);
    assert.match(String(item.description), /⎇ tree-row · worktree$/);
    assert.match(String(item.contextValue), /^session:codex:passive:worktree:active:/);
    const hover = (item.tooltip as vscode.MarkdownString).value.replace(/\\/g, '').replace(/&nbsp;/g, ' ');
    assert.ok(hover.includes(`Branch: tree-row`), hover);
    assert.ok(hover.includes(`Worktree: Worktree ${wt} of ${repo} (branch tree-row)`), hover);
  });

  test('Show Changes Against Base from a row: the branch\'s files in the diff editor, the base side from git', async () => {
    const { node, wt } = await sessionInWorktree('changes');
    fs.writeFileSync(path.join(wt, 'app.txt'), 'base line\nchanged on the branch\n');
    fs.writeFileSync(path.join(wt, 'new.txt'), 'new\n');
    const o = await run('showWorktreeChanges', node, [node]);
    assert.ok(o.ok, JSON.stringify(o));
    const data = o.data as { baseRef: string; files: { path: string; status: string }[]; left: string[]; right: string[] };
    assert.strictEqual(data.baseRef, 'main');
    assert.deepStrictEqual(data.files, [{ path: 'app.txt', status: 'modified' }, { path: 'new.txt', status: 'added' }]);
    const base = await vscode.workspace.openTextDocument(vscode.Uri.parse(data.left[0]));
    assert.strictEqual(base.getText(), 'base line\n');
    assert.strictEqual(vscode.Uri.parse(data.right[0]).fsPath, path.join(wt, 'app.txt'));
    assert.strictEqual((await vscode.workspace.openTextDocument(vscode.Uri.parse(data.left[1]))).getText(), '', 'an added file has an empty base');
    const tab = await waitFor('the changes editor', () => vscode.window.tabGroups.all.flatMap(g => g.tabs).find(t => t.label.includes('changes ↔ main')));
    assert.ok(tab);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('Remove Worktree from a row: refused while working and while dirty, forced after; removed at once when clean', async () => {
    const dirty = await sessionInWorktree('dirty');
    engine.apply(dirty.id, { type: 'turnStarted', turnId: 'wt-turn' });
    let o = await run('removeWorktree', dirty.node, false);
    assert.ok(!o.ok && o.code === 'conflict' && /is working in/.test(o.message), JSON.stringify(o));
    engine.apply(dirty.id, { type: 'turnCompleted', status: 'completed' });
    fs.writeFileSync(path.join(dirty.wt, 'app.txt'), 'uncommitted\n');
    o = await run('removeWorktree', dirty.node, false);
    assert.ok(!o.ok && o.code === 'conflict' && /uncommitted changes/.test(o.message), JSON.stringify(o));
    assert.ok(fs.existsSync(dirty.wt));
    o = await run('removeWorktree', dirty.node, true);
    assert.ok(o.ok, JSON.stringify(o));
    assert.ok(!fs.existsSync(dirty.wt));
    assert.match(git(repo, 'branch', '--list', 'dirty'), /dirty/, 'the branch is kept');
    await waitFor('the row without its worktree', () => !api.tree.getSession(dirty.id)?.worktree);
    assert.doesNotMatch(String(api.tree.getTreeItem(dirty.node).contextValue), /:worktree:/);

    const clean = await sessionInWorktree('clean');
    o = await run('removeWorktree', clean.node, [clean.node]);
    assert.ok(o.ok, JSON.stringify(o));
    assert.ok(!fs.existsSync(clean.wt));
  });

  test('from the palette: the commands act on the focused panel\'s session; Open Worktree refuses a folder that is gone', async () => {
    const s = await sessionInWorktree('palette');
    assert.ok((await run('openSession', s.node)).ok);
    await waitFor('the panel in focus', () => api.panels.activeSessionId === s.id);
    const o = await run('showWorktreeChanges');
    assert.ok(o.ok, JSON.stringify(o));
    assert.match(String(o.message), /palette has no changes against main/);
    fs.rmSync(s.wt, { recursive: true, force: true });
    const open = await run('openWorktree', s.node, [s.node]);
    assert.ok(!open.ok && open.code === 'no_folder', JSON.stringify(open));
    const none = await run('removeWorktree', 'no-such-session', false);
    assert.ok(!none.ok);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
