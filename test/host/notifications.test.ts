// Notifications in the real workbench: one per request, and their Approve action reaches the engine.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FlightdeckApi } from '../../src/extension';
import type { SessionEngine } from '../../src/engine/sessions/engine';
import { activateFlightdeck, waitFor } from './helpers';

/** The UI tests' recording provider (test/host/recordingController.cjs, not compiled: read from the source tree). */
const RECORDER = path.join(__dirname, '..', '..', '..', 'test', 'host', 'recordingController.cjs');

suite('notifications', () => {
  let api: FlightdeckApi;
  let engine: SessionEngine;
  let unregister: () => void;
  const decisionsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'flightdeck-ntf-')), 'decisions.jsonl');
  const decisions = () => fs.existsSync(decisionsFile)
    ? fs.readFileSync(decisionsFile, 'utf8').trim().split('\n').filter(Boolean).map(l => JSON.parse(l) as { approvalId: string; decision: string }) : [];

  suiteSetup(async () => {
    ({ api } = await activateFlightdeck());
    await api.ready();
    engine = api.runtime!.engine!;
    process.env.FLIGHTDECK_TEST_DECISIONS = decisionsFile;
    unregister = (require(RECORDER) as { register(e: SessionEngine): () => void }).register(engine);
  });
  suiteTeardown(() => { unregister(); });

  test('a notification\'s Approve action decides that approval in the engine; the same request never notifies twice', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('notifications.clearAll');
    const s = engine.createSession({ provider: 'codex', mode: 'direct', cwd: '/work/ntf/deploy', firstPrompt: 'ntf deploy the preview' });
    await waitFor('the row', () => api.tree.getSession(s.id));
    engine.apply(s.id, { type: 'approvalRequested', approval: { approvalId: 'ntf-ap1', version: 0, kind: 'exec', command: 'kubectl apply -f preview.yaml', options: ['approved', 'denied'], requestedAt: new Date().toISOString() } });
    await waitFor('the notification', () => api.notifier.notified.includes(s.id));
    // More activity on the same request: no second notification.
    engine.apply(s.id, { type: 'turnTokens', input: 1000, output: 10, cached: 0 });
    await waitFor('the tree to see the activity', () => api.tree.getSession(s.id)?.tokenUsage.input === 1000);
    assert.strictEqual(api.notifier.notified.filter(id => id === s.id).length, 1);
    // "Approve" is the toast's primary (first) action: run it as its keybinding does.
    await waitFor('the approved decision', async () => {
      await vscode.commands.executeCommand('notification.acceptPrimaryAction');
      return decisions().some(d => d.approvalId === 'ntf-ap1' && d.decision === 'approved');
    });
    await waitFor('the session back to work', () => api.tree.getSession(s.id)?.workStatus === 'working');
    assert.strictEqual(decisions().filter(d => d.approvalId === 'ntf-ap1').length, 1, 'decided once');
  });
});
