// Conflict radar (issue 18) in the real workbench: two sessions of the engine this window runs edit
// one file of a git checkout made here; the engine's radar marks both; the tree row shows the warning
// (icon, description, tooltip naming the other session and the file), exactly ONE notification names
// the other session and the file and opens it; a commit clears the row again.
import * as assert from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FlightdeckApi } from '../../src/extension';
import type { SessionEngine } from '../../src/engine/sessions/engine';
import type { SessionNode } from '../../src/vscode/sessionsTree';
import { activateFlightdeck, waitFor } from './helpers';

const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd, encoding: 'utf8' });

suite('conflict radar', () => {
  let api: FlightdeckApi;
  let engine: SessionEngine;
  let repo: string;

  suiteSetup(async () => {
    ({ api } = await activateFlightdeck());
    await api.ready();
    engine = api.runtime!.engine!;
    repo = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'flightdeck-radar-')));
    git(repo, 'init', '-q', '-b', 'main');
    fs.writeFileSync(path.join(repo, 'limiter.ts'), 'one\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'init');
  });

  const edit = (sessionId: string, n: number) => {
    const file = path.join(repo, 'limiter.ts');
    fs.appendFileSync(file, `edit ${n}\n`);
    engine.appendMessage(sessionId, {
      id: `radar-host-${sessionId}-${n}`, kind: 'fileChange', text: 'apply_patch', status: 'completed', createdAt: new Date().toISOString(),
      changes: [{ path: file, kind: 'update', diff: '@@ -1 +1,2 @@\n one\n+edit\n' }],
    });
  };
  const item = (id: string) => api.tree.getTreeItem({ kind: 'session', id } as SessionNode);

  test('both rows show the warning, ONE notification names the other session and opens it, a commit clears it', async () => {
    await vscode.commands.executeCommand('notifications.clearAll');
    const a = engine.createSession({ provider: 'codex', mode: 'direct', cwd: repo, firstPrompt: 'radar add rate limiting' });
    const b = engine.createSession({ provider: 'claude', mode: 'passive', providerSessionId: 'radar-host-b', cwd: repo, firstPrompt: 'radar refactor the limiter' });
    const shownBefore = api.conflictNotifier.shown.length;
    edit(a.id, 1);
    // "Within a second" (issue 18) in this client too: from the second session's edit to the warning
    // on both rows and to the notification (probes every 50 ms).
    const t0 = Date.now();
    edit(b.id, 2);
    await waitFor('both rows in conflict', () => api.tree.getSession(a.id)?.conflicts?.length && api.tree.getSession(b.id)?.conflicts?.length);
    const rowsLag = Date.now() - t0;
    await waitFor('the notification', () => api.conflictNotifier.shown.length > shownBefore);
    const notifyLag = Date.now() - t0;
    assert.ok(rowsLag <= 1000 && notifyLag <= 1000, `warning on both rows ${rowsLag} ms and the notification ${notifyLag} ms after the edit`);

    const row = item(a.id);
    assert.ok(row.iconPath instanceof vscode.ThemeIcon && row.iconPath.id === 'warning', 'a warning icon');
    assert.strictEqual((row.iconPath as vscode.ThemeIcon).color?.id, 'list.warningForeground');
    assert.match(String(row.description), /^conflict · /);
    const tip = (row.tooltip as vscode.MarkdownString).value.replace(/&nbsp;/g, ' ');
    assert.match(tip, /Conflict/);
    assert.match(tip, /radar refactor the limiter/);
    assert.match(tip, /limiter\.ts/);
    assert.match(String(item(b.id).description), /^conflict · /);

    // More edits of the same pair: still the one notification.
    edit(a.id, 3);
    edit(b.id, 4);
    await waitFor('the later edits seen', () => engine.getMessages(b.id).length === 2);
    await api.runtime!.services!.radar.settled();
    await waitFor('the notification', () => api.conflictNotifier.shown.length > shownBefore);
    const shown = api.conflictNotifier.shown.slice(shownBefore);
    assert.strictEqual(shown.length, 1, `one notification per conflict, got ${JSON.stringify(shown)}`);
    const n = shown[0];
    assert.match(n.message, /radar (add rate limiting|refactor the limiter).*also edits limiter\.ts in this checkout/);
    assert.deepStrictEqual(n.actions, ['Open Other Session']);
    // Its action (the toast's primary one) opens the OTHER session's panel.
    await waitFor('the other session\'s panel', async () => {
      await vscode.commands.executeCommand('notification.acceptPrimaryAction');
      return api.panels.get(n.otherSessionId);
    });

    git(repo, 'commit', '-q', '-am', 'both');
    await waitFor('the warning cleared after the commit', () => !api.tree.getSession(a.id)?.conflicts?.length && !api.tree.getSession(b.id)?.conflicts?.length, 15_000);
    assert.ok(!(item(a.id).iconPath instanceof vscode.ThemeIcon), 'the agent\'s logo again');
    assert.doesNotMatch(String(item(a.id).description), /conflict/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
