// File changes in VS Code's own diff editor: the virtual before/after documents hold what the diff
// gives, and the tab is a real diff editor with a Flightdeck title.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FlightdeckApi } from '../../src/extension';
import type { SessionEngine } from '../../src/engine/sessions/engine';
import type { Outcome } from '../../src/vscode/commands';
import { GAP_MARKER } from '../../src/vscode/diffContents';
import { type StateSessions, putStateSessions } from './fixtures';
import { activateFlightdeck, waitFor } from './helpers';

const run = (command: string, ...args: unknown[]) => vscode.commands.executeCommand<Outcome>(`flightdeck.${command}`, ...args);

const UPDATE_DIFF = [
  '--- a/src/server.ts', '+++ b/src/server.ts',
  '@@ -1,3 +1,4 @@', ' import express from "express";', '+import rateLimit from "express-rate-limit";', ' const app = express();', ' app.use(helmet());',
  '@@ -20,3 +21,3 @@', ' function listen() {', '-  app.listen(3000);', '+  app.listen(port);', ' }', '',
].join('\n');
const ADD_DIFF = ['--- /dev/null', '+++ b/src/limit.ts', '@@ -0,0 +1,2 @@', '+export const LIMIT = 100;', '+export const WINDOW_MS = 60_000;', ''].join('\n');

suite('diff editor', () => {
  let api: FlightdeckApi;
  let engine: SessionEngine;
  let s: StateSessions;

  suiteSetup(async () => {
    ({ api } = await activateFlightdeck());
    await api.ready();
    engine = api.runtime!.engine!;
    s = putStateSessions(engine, 'dif');
    engine.appendMessage(s.working.id, {
      id: 'dif-m1', kind: 'fileChange', text: '', createdAt: new Date().toISOString(), turnId: 'dif-turn1',
      changes: [{ path: 'src/server.ts', kind: 'update', diff: UPDATE_DIFF }, { path: 'src/limit.ts', kind: 'add', diff: ADD_DIFF }],
    });
    engine.apply(s.working.id, { type: 'turnDiff', changes: [{ path: 'src/limit.ts', kind: 'add', diff: ADD_DIFF }] });
    await waitFor('the turn diff in the tree', () => api.tree.getSession(s.working.id)?.turnDiff.length === 1);
  });

  teardown(async () => { await vscode.commands.executeCommand('workbench.action.closeAllEditors'); });

  const texts = async (o: Outcome) => {
    assert.ok(o.ok, JSON.stringify(o));
    const { before, after } = o.data as { before: string; after: string };
    const [b, a] = await Promise.all([before, after].map(u => vscode.workspace.openTextDocument(vscode.Uri.parse(u))));
    return { before: b.getText(), after: a.getText(), beforeUri: b.uri };
  };
  const diffTab = (title: string) => vscode.window.tabGroups.all.flatMap(g => g.tabs).find(t => t.label === title && t.input instanceof vscode.TabInputTextDiff);

  test('an update of a transcript item: both sides are the hunks, with a marker for the lines the diff skips', async () => {
    const o = await run('openDiff', s.working.id, 'dif-m1', 'src/server.ts');
    const { before, after, beforeUri } = await texts(o);
    assert.strictEqual(beforeUri.scheme, 'flightdeck-diff');
    assert.strictEqual(before, ['import express from "express";', 'const app = express();', 'app.use(helmet());', GAP_MARKER, 'function listen() {', '  app.listen(3000);', '}', ''].join('\n'));
    assert.strictEqual(after, ['import express from "express";', 'import rateLimit from "express-rate-limit";', 'const app = express();', 'app.use(helmet());', GAP_MARKER, 'function listen() {', '  app.listen(port);', '}', ''].join('\n'));
    await waitFor('the diff editor tab', () => diffTab('server.ts (Flightdeck: change, changed lines only)'));
  });

  test('an added file of the turn\'s changes: empty before, the whole file after', async () => {
    const o = await run('openDiff', s.working.id, null, 'src/limit.ts');
    const { before, after } = await texts(o);
    assert.strictEqual(before, '');
    assert.strictEqual(after, 'export const LIMIT = 100;\nexport const WINDOW_MS = 60_000;\n');
    await waitFor('the diff editor tab', () => diffTab('limit.ts (Flightdeck: turn changes)'));
  });

  test('the page\'s openDiff request opens the same editor', async () => {
    const host = api.panels.open(s.working.id);
    await (host as unknown as { fromWebview(e: unknown): Promise<void> }).fromWebview({ channel: 'host', type: 'openDiff', sessionId: s.working.id, messageId: null, turnId: 'dif-turn1', path: 'src/limit.ts' });
    await waitFor('the diff editor tab', () => diffTab('limit.ts (Flightdeck: turn changes)'));
  });

  test('a file on disk: whole files (the file with the patch reversed, the file now); edited again since, the title says so', async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'flightdeck-diff-'));
    const lines = (n: number, change: (i: number) => string | null) => Array.from({ length: n }, (_, i) => change(i + 1) ?? `line ${i + 1}`).join('\n') + '\n';
    const before = lines(40, () => null);
    const after = lines(40, i => (i === 3 ? 'line three' : i === 30 ? 'line thirty' : null));
    fs.mkdirSync(path.join(cwd, 'src'));
    fs.writeFileSync(path.join(cwd, 'src', 'app.txt'), after);
    const diff = ['--- a/src/app.txt', '+++ b/src/app.txt', '@@ -2,3 +2,3 @@', ' line 2', '-line 3', '+line three', ' line 4',
      '@@ -29,3 +29,3 @@', ' line 29', '-line 30', '+line thirty', ' line 31', ''].join('\n');
    const session = engine.createSession({ provider: 'codex', mode: 'direct', cwd, firstPrompt: 'whole files' });
    engine.appendMessage(session.id, { id: 'dif-whole', kind: 'fileChange', text: '', createdAt: new Date().toISOString(), status: 'completed', changes: [{ path: path.join(cwd, 'src', 'app.txt'), kind: 'update', diff }] });
    await waitFor('the session in the tree', () => !!api.tree.getSession(session.id));
    const whole = await texts(await run('openDiff', session.id, 'dif-whole', path.join(cwd, 'src', 'app.txt')));
    assert.deepStrictEqual({ before: whole.before, after: whole.after }, { before, after }, 'both sides are the whole file');
    await waitFor('the diff editor tab', () => diffTab('app.txt (Flightdeck: change)'));

    fs.writeFileSync(path.join(cwd, 'src', 'app.txt'), after.replace('line thirty', 'line 30 again'));
    const o = await run('openDiff', session.id, 'dif-whole', path.join(cwd, 'src', 'app.txt'));
    assert.strictEqual((o as { data: { source: string } }).data.source, 'changedSince');
    await waitFor('a title that says the file changed since', () => diffTab('app.txt (Flightdeck: change, the file changed since: changed lines only)'));
  });

  test('a path the session never changed says so', async () => {
    const o = await run('openDiff', s.working.id, null, 'nope.ts');
    assert.ok(!o.ok && o.code === 'usage', JSON.stringify(o));
  });
});
