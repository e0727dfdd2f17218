import * as assert from 'node:assert';
import * as vscode from 'vscode';
import type { FlightdeckApi } from '../../src/extension';
import type { SessionEngine } from '../../src/engine/sessions/engine';
import type { Outcome } from '../../src/vscode/commands';
import { type StateSessions, putStateSessions } from './fixtures';
import { activateFlightdeck, waitFor } from './helpers';

const run = (command: string, ...args: unknown[]) => vscode.commands.executeCommand<Outcome>(`flightdeck.${command}`, ...args);
const failed = (o: Outcome) => { assert.ok(!o.ok, `expected a failure, got ${JSON.stringify(o)}`); return o; };

suite('commands on sessions in each state', () => {
  let api: FlightdeckApi;
  let engine: SessionEngine;
  let s: StateSessions;

  suiteSetup(async () => {
    ({ api } = await activateFlightdeck());
    await api.ready();
    engine = api.runtime!.engine!;
    s = putStateSessions(engine, 'cmd');
    await waitFor('the sessions in the tree', () => Object.values(s).every(x => api.tree.getSession(x.id)));
  });

  test('approve / deny a pending approval reach the engine, which says what the provider cannot do', async () => {
    for (const command of ['approve', 'deny']) {
      const o = failed(await run(command, { kind: 'session', id: s.needsApproval.id }));
      assert.strictEqual(o.code, 'not_supported', o.message);
      assert.match(o.message, /not available for claude passive sessions/);
    }
    assert.strictEqual(engine.getSession(s.needsApproval.id)?.workStatus, 'needsApproval', 'nothing was decided');
  });

  test('approve on a session without a pending approval, or a stale one, says so', async () => {
    assert.strictEqual(failed(await run('approve', s.waiting.id)).code, 'nothing_pending');
    assert.strictEqual(failed(await run('deny', s.needsAnswer.id)).code, 'nothing_pending');
    assert.strictEqual(failed(await run('approve', s.needsApproval.id, 'some-older-approval')).code, 'stale_approval');
  });

  test('interrupt: a working session asks the provider; an ended one has nothing to interrupt', async () => {
    const o = failed(await run('interrupt', s.working.id));
    assert.strictEqual(o.code, 'not_supported');
    assert.match(o.message, /interrupting is not available for codex direct sessions/);
    assert.strictEqual(failed(await run('interrupt', s.ended.id)).code, 'not_active');
  });

  test('endSession ends an active session (the row moves to Ended) and refuses an ended one', async () => {
    assert.deepStrictEqual(await run('endSession', s.needsAnswer.id), { ok: true });
    await waitFor('the ended row', () => api.tree.getSession(s.needsAnswer.id)?.status === 'ended');
    const ended = api.tree.getChildren().find(g => g.kind === 'group' && g.id === 'ended')!;
    assert.ok(api.tree.getChildren(ended).some(n => n.kind === 'session' && n.id === s.needsAnswer.id));
    assert.strictEqual(engine.getSession(s.needsAnswer.id)?.endReason, 'user');
    assert.strictEqual(failed(await run('endSession', s.needsAnswer.id)).code, 'not_active');
  });

  test('openSession shows the transcript in a webview with a strict CSP, agent text escaped', async () => {
    engine.appendMessage(s.waiting.id, { id: 'cmd-m1', kind: 'user', text: 'Why does <script>alert(1)</script> the login test flake?', createdAt: new Date().toISOString() });
    engine.appendMessage(s.waiting.id, { id: 'cmd-m2', kind: 'agent', text: 'Because of **timing**; see <img src=x onerror=alert(2)>', createdAt: new Date().toISOString() });
    engine.appendMessage(s.waiting.id, { id: 'cmd-m3', kind: 'command', text: '', command: 'npm test', output: 'FAIL <b>login</b>', exitCode: 1, createdAt: new Date().toISOString() });
    assert.deepStrictEqual(await run('openSession', { kind: 'session', id: s.waiting.id }), { ok: true });
    const panel = api.panels.get(s.waiting.id);
    assert.ok(panel, 'a panel for the session');
    const html = panel.webview.html;
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-[A-Za-z0-9+/=]+'/);
    assert.ok(!/<script/i.test(html.replace(/&lt;script&gt;/g, '')), 'no script element in the page');
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'user text escaped');
    assert.ok(html.includes('<strong>timing</strong>') && html.includes('&lt;img src=x onerror=alert(2)&gt;'), 'agent markdown rendered, its HTML escaped');
    assert.ok(html.includes('FAIL &lt;b&gt;login&lt;/b&gt;') && html.includes('exit 1'), 'command output escaped');
    const tabs = () => vscode.window.tabGroups.all.flatMap(g => g.tabs).map(t => t.label);
    await waitFor('the session tab', () => tabs().includes(panel.title));
  });

  test('search finds a transcript by its words', async () => {
    engine.appendMessage(s.working.id, { id: 'cmd-m4', kind: 'agent', text: 'The webpack cache was invalidated by a zebracorn plugin', createdAt: new Date().toISOString() });
    const o = await run('search', 'zebracorn');
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.ok(o.ok, JSON.stringify(o));
    const hits = o.data as { sessionId: string; snippet: string }[];
    assert.strictEqual(hits.length, 1);
    assert.strictEqual(hits[0].sessionId, s.working.id);
    assert.match(hits[0].snippet, /zebracorn/);
  });

  test('refresh reloads the list; commands without a session say what they need', async () => {
    assert.deepStrictEqual(await run('refresh'), { ok: true });
    await waitFor('the reloaded list', () => api.tree.loaded && api.tree.getSession(s.working.id));
    assert.strictEqual(failed(await run('rename')).code, 'usage');
    assert.strictEqual(failed(await run('openSession', 'no-such-session')).code, 'usage');
  });

  test('commands whose engine side is not built yet answer clearly', async () => {
    for (const command of ['startHub', 'installClaudeHooks']) {
      const o = failed(await run(command));
      assert.strictEqual(o.code, 'not_available');
      assert.match(o.message, /not available yet/);
    }
  });

  test('a session that starts waiting for approval raises a notification', async () => {
    engine.apply(s.working.id, {
      type: 'approvalRequested',
      approval: { approvalId: 'cmd-ap2', version: 0, kind: 'exec', command: 'rm -rf build', options: ['approved', 'denied'], requestedAt: new Date().toISOString() },
    });
    await waitFor('the notification', () => api.notifier.notified.includes(s.working.id));
  });
});
