import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FlightdeckApi } from '../../src/extension';
import type { Session } from '../../src/engine/protocol';
import type { SessionEngine } from '../../src/engine/sessions/engine';
import type { ProviderController } from '../../src/engine/sessions/provider';
import type { Outcome } from '../../src/vscode/commands';
import type { GroupNode } from '../../src/vscode/sessionsTree';
import { type StateSessions, startWithStateSessions } from './fixtures';
import { waitFor } from './helpers';

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
const succeeded = (o: Outcome) => { assert.ok(o.ok, `expected success, got ${JSON.stringify(o)}`); return o; };

/**
 * The provider of this suite's made-up sessions: it carries out every operation and records it,
 * first in line for those sessions only (the real Claude / Codex controllers would try to reach
 * agent processes that do not exist). So each command has one exact outcome to assert.
 */
interface Call { op: string; sessionId: string; detail?: unknown }
function scriptedProvider(engine: SessionEngine, ids: Set<string>): { calls: Call[]; unregister: () => void } {
  const calls: Call[] = [];
  const rec = (op: string) => async (s: Session, detail?: unknown) => { calls.push({ op, sessionId: s.id, ...(detail === undefined ? {} : { detail }) }); };
  const controller: ProviderController = {
    handles: s => ids.has(s.id),
    decideApproval: async (s, approval, decision) => { calls.push({ op: 'decideApproval', sessionId: s.id, detail: { approvalId: approval.approvalId, decision } }); },
    interrupt: rec('interrupt'),
    resume: rec('resume'),
    takeover: async (s, force) => { calls.push({ op: 'takeover', sessionId: s.id, detail: { force } }); },
  };
  const unregister = engine.registerProvider(controller);
  // first in line: the controllers registered at start claim every Claude / Codex session
  const list = (engine as unknown as { controllers: ProviderController[] }).controllers;
  list.unshift(list.pop()!);
  return { calls, unregister };
}

suite('commands on sessions in each state', () => {
  let api: FlightdeckApi;
  let engine: SessionEngine;
  let s: StateSessions;
  let provider: ReturnType<typeof scriptedProvider>;

  suiteSetup(async () => {
    ({ api, engine, s } = await startWithStateSessions('cmd'));
    provider = scriptedProvider(engine, new Set(Object.values(s).map(x => x.id)));
  });
  suiteTeardown(() => provider.unregister());

  test('approve decides the pending approval: the provider gets "approved" once, the row stops asking', async () => {
    const o = succeeded(await run('approve', { kind: 'session', id: s.needsApproval.id }));
    assert.strictEqual(o.message, 'Approved: npm test -- billing');
    assert.deepStrictEqual(provider.calls.filter(c => c.sessionId === s.needsApproval.id),
      [{ op: 'decideApproval', sessionId: s.needsApproval.id, detail: { approvalId: 'cmd-ap1', decision: 'approved' } }]);
    await waitFor('the approval to go', () => api.tree.getSession(s.needsApproval.id)?.workStatus !== 'needsApproval');
    assert.strictEqual(engine.getSession(s.needsApproval.id)?.pendingApproval, null);
    // decided: a second approve has nothing to decide, and the provider hears nothing more
    assert.strictEqual(failed(await run('approve', s.needsApproval.id)).code, 'nothing_pending');
    assert.strictEqual(provider.calls.filter(c => c.sessionId === s.needsApproval.id).length, 1);
  });

  test('deny decides a pending approval with "denied"', async () => {
    const now = new Date().toISOString();
    engine.apply(s.needsApproval.id, {
      type: 'approvalRequested',
      approval: { approvalId: 'cmd-ap3', version: 0, kind: 'exec', command: 'rm -rf dist', options: ['approved', 'denied'], requestedAt: now },
    });
    await waitFor('the new approval in the tree', () => api.tree.getSession(s.needsApproval.id)?.pendingApproval?.approvalId === 'cmd-ap3');
    const o = succeeded(await run('deny', s.needsApproval.id));
    assert.strictEqual(o.message, 'Denied: rm -rf dist');
    assert.deepStrictEqual(provider.calls.at(-1), { op: 'decideApproval', sessionId: s.needsApproval.id, detail: { approvalId: 'cmd-ap3', decision: 'denied' } });
    await waitFor('the denied approval to go', () => api.tree.getSession(s.needsApproval.id)?.pendingApproval === null);
  });

  test('approve on a session without a pending approval, or a stale one, says so and decides nothing', async () => {
    const before = provider.calls.length;
    assert.strictEqual(failed(await run('approve', s.waiting.id)).code, 'nothing_pending');
    assert.strictEqual(failed(await run('deny', s.needsAnswer.id)).code, 'nothing_pending');
    engine.apply(s.needsApproval.id, {
      type: 'approvalRequested',
      approval: { approvalId: 'cmd-ap4', version: 0, kind: 'exec', command: 'make', options: ['approved', 'denied'], requestedAt: new Date().toISOString() },
    });
    await waitFor('the approval in the tree', () => api.tree.getSession(s.needsApproval.id)?.pendingApproval?.approvalId === 'cmd-ap4');
    assert.strictEqual(failed(await run('approve', s.needsApproval.id, 'some-older-approval')).code, 'stale_approval');
    assert.strictEqual(provider.calls.length, before, 'a refused decision reaches no provider');
    assert.strictEqual(engine.getSession(s.needsApproval.id)?.pendingApproval?.approvalId, 'cmd-ap4', 'and changes nothing');
  });

  test('interrupt: a working session is interrupted by its provider; an ended one has nothing to interrupt', async () => {
    const o = succeeded(await run('interrupt', s.working.id));
    assert.strictEqual(o.message, `Interrupted "${s.working.displayName}".`);
    assert.deepStrictEqual(provider.calls.at(-1), { op: 'interrupt', sessionId: s.working.id });
    const before = provider.calls.length;
    assert.strictEqual(failed(await run('interrupt', s.ended.id)).code, 'not_active');
    assert.strictEqual(provider.calls.length, before);
  });

  test('endSession ends an active session (the row moves to Ended) and refuses an ended one', async () => {
    assert.deepStrictEqual(await run('endSession', s.needsAnswer.id), { ok: true });
    await waitFor('the ended row', () => api.tree.getSession(s.needsAnswer.id)?.status === 'ended');
    const ended = api.tree.getChildren().find((g): g is GroupNode => g.kind === 'group' && g.id === 'ended')!;
    assert.ok(api.tree.getChildren(ended).some(n => n.kind === 'session' && n.id === s.needsAnswer.id));
    assert.strictEqual(engine.getSession(s.needsAnswer.id)?.endReason, 'user');
    assert.strictEqual(failed(await run('endSession', s.needsAnswer.id)).code, 'not_active');
  });

  test('resume / takeOver / copyId / revealCwd answer per state', async () => {
    // resume: only an ended session; an active one is refused before any provider hears of it.
    const before = provider.calls.length;
    assert.strictEqual(failed(await run('resume', s.waiting.id)).code, 'not_ended');
    // takeOver: Codex passive only (the ended fixture is one); a direct session is already driven.
    assert.strictEqual(failed(await run('takeOver', s.waiting.id)).code, 'already_direct');
    assert.strictEqual(provider.calls.length, before, 'refused: no provider call');
    assert.strictEqual(succeeded(await run('resume', s.ended.id)).message, `Resumed "${s.ended.displayName}".`);
    assert.deepStrictEqual(provider.calls.at(-1), { op: 'resume', sessionId: s.ended.id });
    assert.strictEqual(succeeded(await run('takeOver', s.ended.id)).message, `Flightdeck now drives "${s.ended.displayName}": write to it from its panel.`);
    assert.deepStrictEqual(provider.calls.at(-1), { op: 'takeover', sessionId: s.ended.id, detail: { force: false } });
    for (const x of [s.waiting, s.needsApproval, s.working, s.ended]) {
      const o = await run('copyId', x.id);
      assert.ok(o.ok, JSON.stringify(o));
      assert.strictEqual(await vscode.env.clipboard.readText(), x.providerSessionId ?? x.id);
    }
    assert.strictEqual(failed(await run('revealCwd', s.working.id)).code, 'no_folder');
    const ws = vscode.workspace.workspaceFolders?.[0];
    assert.ok(ws, 'the test window has a workspace folder');
    const here = engine.createSession({ provider: 'codex', mode: 'passive', cwd: ws.uri.fsPath, firstPrompt: 'cmd in the workspace' });
    await waitFor('the new row', () => api.tree.getSession(here.id));
    const o = await run('revealCwd', here.id);
    assert.ok(o.ok && (o.data as { revealed: string }).revealed === 'explorer', JSON.stringify(o));
  });

  test('from the palette (no session given) approve asks with a Quick Pick of sessions waiting for approval', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const answer = run('deny');
    // The pick is open once the palette's quick input has items; accept the first (needs attention first).
    await waitFor('the quick pick', async () => {
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      return Promise.race([answer.then(() => true), new Promise(r => setTimeout(() => r(false), 200))]);
    });
    // the only session waiting for approval here: cmd-ap4 (the suite's earlier approvals are decided)
    assert.strictEqual(succeeded(await answer).message, 'Denied: make');
    assert.deepStrictEqual(provider.calls.at(-1), { op: 'decideApproval', sessionId: s.needsApproval.id, detail: { approvalId: 'cmd-ap4', decision: 'denied' } });
  });

  test('filter and the status bar pick open the chosen session', async () => {
    for (const command of ['filter', 'pickSession']) {
      const answer = run(command);
      await waitFor(`the ${command} quick pick`, async () => {
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
        return Promise.race([answer.then(() => true), new Promise(r => setTimeout(() => r(false), 200))]);
      });
      const o = await answer;
      assert.ok(o.ok, JSON.stringify(o));
      await waitFor('its panel', () => api.panels.get(o.data as string));
    }
    assert.strictEqual(api.statusBar.item.command, 'flightdeck.pickSession');
    // every approval and question of the suite is decided by now: the status bar counts the working session
    assert.match(api.statusBar.item.text, /^\$\((bell-dot|sync~spin)\) \d+/);
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
    // From the palette (no session, no focused panel) rename asks with a Quick Pick; Esc cancels it.
    const asked = run('rename');
    await waitFor('the cancelled pick', async () => {
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      return Promise.race([asked.then(() => true), new Promise(r => setTimeout(() => r(false), 200))]);
    });
    assert.strictEqual(failed(await asked).code, 'cancelled');
    assert.strictEqual(failed(await run('openSession', 'no-such-session')).code, 'usage');
  });

  test('installClaudeHooks writes the hooks into Claude settings once', async () => {
    const settingsFile = path.join(process.env.CLAUDE_CONFIG_DIR!, 'settings.json');
    const first = await run('installClaudeHooks');
    assert.ok(first.ok, JSON.stringify(first));
    const settings = JSON.parse(fs.readFileSync(settingsFile, 'utf8')) as { hooks: Record<string, { hooks: { command: string }[] }[]> };
    const command = settings.hooks.PermissionRequest?.[0]?.hooks[0]?.command ?? '';
    assert.match(command, /dist\/hook\.js' --flightdeck-hook '/, command);
    assert.ok(command.includes(process.env.FLIGHTDECK_LEADER_DIR!), `the hook finds this engine through its leader dir: ${command}`);
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
    // no focused panel of that session (the picks above opened it): its own panel would show it instead
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    engine.apply(s.working.id, {
      type: 'approvalRequested',
      approval: { approvalId: 'cmd-ap2', version: 0, kind: 'exec', command: 'rm -rf build', options: ['approved', 'denied'], requestedAt: new Date().toISOString() },
    });
    await waitFor('the notification', () => api.notifier.notified.includes(s.working.id));
  });
});
