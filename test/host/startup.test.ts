// Issue 16: Flightdeck runs whenever VS Code runs (onStartupFinished), not only once its view opens.
// This suite runs first (test/host/index.ts) in a window where nothing has touched Flightdeck yet: the
// extension must have activated by itself, and an approval must still reach the user through the
// notification and the status bar while the Flightdeck view has never been shown.
import * as assert from 'node:assert';
import * as vscode from 'vscode';
import type { FlightdeckApi } from '../../src/extension';
import { EXTENSION_ID, waitFor } from './helpers';

suite('startup: active in every window without opening the view', () => {
  test('activates on its own, and a new approval shows a notification and the status-bar count while the view stays closed', async () => {
    const ext = vscode.extensions.getExtension<FlightdeckApi>(EXTENSION_ID);
    assert.ok(ext, 'extension loaded');
    // Nobody calls activate(): onStartupFinished must do it.
    await waitFor('Flightdeck to activate at startup', () => ext.isActive, 30_000);
    const api = ext.exports;
    await api.ready();
    assert.strictEqual(api.tree.view.visible, false, 'the Flightdeck view was never opened in this window');
    const engine = api.runtime?.engine;
    assert.ok(engine, 'this window leads the engine');

    const s = engine.createSession({ provider: 'codex', mode: 'direct', cwd: '/work/startup/api', firstPrompt: 'startup: migrate the api' });
    engine.apply(s.id, { type: 'approvalRequested', approval: { approvalId: 'startup-ap1', version: 0, kind: 'exec', command: 'npm run migrate', options: ['approved', 'denied'], requestedAt: new Date().toISOString() } });
    await waitFor('the approval notification', () => api.notifier.notified.includes(s.id));
    await waitFor('the status-bar count', () => /\$\(bell-dot\) 1\b/.test(api.statusBar.item.text) ? api.statusBar.item.text : undefined);
    assert.strictEqual(api.tree.view.visible, false, 'still never opened');
    engine.apply(s.id, { type: 'approvalResolved', approvalId: 'startup-ap1', decision: 'denied' });
    await waitFor('the count to clear', () => !/bell-dot/.test(api.statusBar.item.text) || api.tree.attentionCount === 0);
  });
});
