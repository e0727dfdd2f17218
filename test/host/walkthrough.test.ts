// First run: the walkthrough is contributed with its media, it opens, and flightdeck.detectAgents
// reports the codex / claude executables and homes it finds, following the settings without a reload.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DetectedAgents } from '../../src/vscode/detectAgents';
import { activateFlightdeck, waitFor } from './helpers';

const set = (key: string, value: unknown) => vscode.workspace.getConfiguration('flightdeck').update(key, value, vscode.ConfigurationTarget.Global);

interface Walkthrough { id: string; steps: { id: string; media: { markdown: string }; completionEvents: string[] }[] }

suite('first-run walkthrough', () => {
  let ext: vscode.Extension<unknown>;

  suiteSetup(async () => { ({ ext } = await activateFlightdeck()); });
  suiteTeardown(async () => {
    for (const key of ['codex.path', 'codex.home', 'claude.path', 'claude.home']) await set(key, undefined);
  });

  test('contributes the four steps, each with its markdown and a completion event', () => {
    const walkthroughs = (ext.packageJSON as { contributes: { walkthroughs: Walkthrough[] } }).contributes.walkthroughs;
    const w = walkthroughs.find(x => x.id === 'flightdeck.gettingStarted');
    assert.ok(w, 'flightdeck.gettingStarted is contributed');
    assert.deepStrictEqual(w.steps.map(s => s.id), ['detect', 'claudeHooks', 'codexSession', 'hub']);
    for (const step of w.steps) {
      assert.ok(fs.statSync(path.join(ext.extensionPath, step.media.markdown)).size > 100, `${step.media.markdown} has content`);
      assert.ok(step.completionEvents.length > 0, `${step.id} can complete`);
    }
  });

  test('flightdeck.openWalkthrough opens it in the editor area', async () => {
    // Only a tab that was not there before counts (earlier suites may leave session panels open).
    const before = new Set(vscode.window.tabGroups.all.flatMap(g => g.tabs));
    await vscode.commands.executeCommand('flightdeck.openWalkthrough');
    const tab = await waitFor('the walkthrough tab', () =>
      vscode.window.tabGroups.all.flatMap(g => g.tabs).find(t => !before.has(t) && /Welcome|Walkthrough|Get started/i.test(t.label)));
    await vscode.window.tabGroups.close(tab);
  });

  test('detectAgents finds the configured executables and homes, and Flightdeck hooks', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'flightdeck-detect-'));
    const exe = (name: string) => { const p = path.join(root, 'bin', name); fs.mkdirSync(path.dirname(p), { recursive: true }); fs.writeFileSync(p, '#!/bin/sh\n', { mode: 0o755 }); return p; };
    const codex = exe('codex'), claude = exe('claude');
    const codexHome = path.join(root, 'codex-home'), claudeHome = path.join(root, 'claude-home');
    fs.mkdirSync(path.join(codexHome, 'sessions'), { recursive: true });
    fs.mkdirSync(claudeHome);
    await set('codex.path', codex); await set('codex.home', codexHome);
    await set('claude.path', claude); await set('claude.home', claudeHome);

    const found = await vscode.commands.executeCommand<DetectedAgents>('flightdeck.detectAgents');
    assert.strictEqual(found.codex.binary, codex);
    assert.strictEqual(found.claude.binary, claude);
    assert.deepStrictEqual([found.codex.home, found.codex.homeExists, found.codex.rolloutsFolder], [codexHome, true, true]);
    assert.deepStrictEqual([found.claude.home, found.claude.homeExists, found.claude.hooksInstalled], [claudeHome, true, false]);

    // Installing the hooks into the configured home is seen by the next detection.
    const installed = await vscode.commands.executeCommand<{ ok: boolean }>('flightdeck.installClaudeHooks');
    assert.ok(installed.ok, JSON.stringify(installed));
    assert.strictEqual((await vscode.commands.executeCommand<DetectedAgents>('flightdeck.detectAgents')).claude.hooksInstalled, true);
  });

  test('detectAgents says what is missing', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'flightdeck-detect-missing-'));
    await set('codex.path', path.join(root, 'no-codex')); await set('claude.path', path.join(root, 'no-claude'));
    await set('claude.home', path.join(root, 'no-claude-home'));
    const found = await vscode.commands.executeCommand<DetectedAgents>('flightdeck.detectAgents');
    assert.strictEqual(found.codex.binary, null);
    assert.match(found.codex.problem ?? '', /codex path in the settings does not exist/);
    assert.strictEqual(found.claude.binary, null);
    assert.match(found.claude.problem ?? '', /claude path in the settings does not exist/);
    assert.strictEqual(found.claude.homeExists, false);
  });
});
