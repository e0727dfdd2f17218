import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FlightdeckApi } from '../../src/extension';
import type { SessionEngine } from '../../src/engine/sessions/engine';
import type { Outcome } from '../../src/vscode/commands';
import { type StateSessions, putStateSessions } from './fixtures';
import { activateFlightdeck, waitFor } from './helpers';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    }).on('error', reject);
  });
}

const run = (command: string, ...args: unknown[]) => vscode.commands.executeCommand<Outcome>(`flightdeck.${command}`, ...args);
const failed = (o: Outcome) => { assert.ok(!o.ok, `expected a failure, got ${JSON.stringify(o)}`); return o; };
/** Worked, or failed with a reason a person can act on (never an internal error). */
const answeredClearly = (o: Outcome) => {
  if (!o.ok) {
    assert.notStrictEqual(o.code, 'internal', o.message);
    assert.ok(o.message.length > 15, `unclear message: ${JSON.stringify(o)}`);
  }
  return o;
};

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

  test('approve / deny a pending approval reach the provider, which decides or says why it cannot', async () => {
    // The session was made up in the engine: no Claude process holds this approval, so the provider
    // may refuse; either way the user gets a clear answer and nothing is decided twice.
    for (const command of ['approve', 'deny']) {
      const o = answeredClearly(await run(command, { kind: 'session', id: s.needsApproval.id }));
      if (o.ok) {
        await waitFor('the approval to go', () => api.tree.getSession(s.needsApproval.id)?.workStatus !== 'needsApproval');
        break;
      }
      assert.strictEqual(engine.getSession(s.needsApproval.id)?.workStatus, 'needsApproval', 'a refused decision changes nothing');
    }
  });

  test('approve on a session without a pending approval, or a stale one, says so', async () => {
    assert.strictEqual(failed(await run('approve', s.waiting.id)).code, 'nothing_pending');
    assert.strictEqual(failed(await run('deny', s.needsAnswer.id)).code, 'nothing_pending');
    assert.strictEqual(failed(await run('approve', s.needsApproval.id, 'some-older-approval')).code, 'stale_approval');
  });

  test('interrupt: a working session asks the provider; an ended one has nothing to interrupt', async () => {
    answeredClearly(await run('interrupt', s.working.id));
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

  test('installClaudeHooks writes the hooks into Claude settings once', async () => {
    const settingsFile = path.join(process.env.CLAUDE_CONFIG_DIR!, 'settings.json');
    const first = await run('installClaudeHooks');
    assert.ok(first.ok, JSON.stringify(first));
    const settings = JSON.parse(fs.readFileSync(settingsFile, 'utf8')) as { hooks: Record<string, { hooks: { command: string }[] }[]> };
    const command = settings.hooks.PermissionRequest?.[0]?.hooks[0]?.command ?? '';
    assert.match(command, /dist\/hook\.js' --flightdeck-hook '/, command);
    assert.ok(command.includes(process.env.FLIGHTDECK_DATA_DIR!), `the hook reports to this engine's data dir: ${command}`);
    const again = await run('installClaudeHooks');
    assert.ok(again.ok && (again.data as { changed: boolean }).changed === false, JSON.stringify(again));
  });

  test('startHub serves the hub on the configured port, once', async () => {
    const port = await freePort();
    await vscode.workspace.getConfiguration('flightdeck').update('hub.port', port, vscode.ConfigurationTarget.Global);
    const o = await run('startHub');
    assert.ok(o.ok, JSON.stringify(o));
    const { httpUrl, url } = o.data as { httpUrl: string; url: string };
    assert.strictEqual(url, `ws://127.0.0.1:${port}/ws`);
    const health = await fetch(new URL('/health', httpUrl));
    assert.strictEqual(health.status, 200);
    const again = await run('startHub');
    assert.ok(again.ok && (again.data as { url: string }).url === url, 'the running hub is reused');
  });

  test('a session that starts waiting for approval raises a notification', async () => {
    engine.apply(s.working.id, {
      type: 'approvalRequested',
      approval: { approvalId: 'cmd-ap2', version: 0, kind: 'exec', command: 'rm -rf build', options: ['approved', 'denied'], requestedAt: new Date().toISOString() },
    });
    await waitFor('the notification', () => api.notifier.notified.includes(s.working.id));
  });
});
