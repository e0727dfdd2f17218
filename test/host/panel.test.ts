// The session panel in the real workbench: the page (dist/session.js under its CSP) subscribes through
// the host relay, gets the snapshot, and its requests reach the engine; bad messages are refused.
import * as assert from 'node:assert';
import * as vscode from 'vscode';
import type { FlightdeckApi } from '../../src/extension';
import type { ServerMessage } from '../../src/engine/protocol';
import type { SessionEngine } from '../../src/engine/sessions/engine';
import type { Outcome } from '../../src/vscode/commands';
import type { SessionPanelHost } from '../../src/vscode/sessionPanelHost';
import { type StateSessions, startWithStateSessions } from './fixtures';
import { waitFor } from './helpers';

const run = (command: string, ...args: unknown[]) => vscode.commands.executeCommand<Outcome>(`flightdeck.${command}`, ...args);

/** Every envelope the host posts to the page, from now on. */
function recordPosts(host: SessionPanelHost): { channel: string; message?: ServerMessage; type?: string; messageId?: string }[] {
  const seen: { channel: string; message?: ServerMessage }[] = [];
  host.onDidPost(e => seen.push(e as { channel: string; message?: ServerMessage }));
  return seen;
}

suite('session panel', () => {
  let api: FlightdeckApi;
  let engine: SessionEngine;
  let s: StateSessions;

  suiteSetup(async () => {
    ({ api, engine, s } = await startWithStateSessions('pnl'));
  });

  teardown(async () => { await vscode.commands.executeCommand('workbench.action.closeAllEditors'); });

  test('serves the bundled page under a nonce CSP with no remote or inline resources', async () => {
    assert.deepStrictEqual(await run('openSession', { kind: 'session', id: s.waiting.id }), { ok: true });
    const host = api.panels.get(s.waiting.id)!;
    const html = host.panel.webview.html;
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
    const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
    assert.ok(nonce && nonce.length >= 16, csp);
    assert.match(csp, /^default-src 'none'; /);
    assert.ok(!/unsafe-inline|unsafe-eval|https?:\/\/(?!.*vscode)/.test(csp), csp);
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map(m => m[1]);
    assert.strictEqual(scripts.length, 1);
    assert.ok(scripts[0].includes(`nonce="${nonce}"`) && /src="[^"]*dist\/session\.js"/.test(scripts[0]), scripts[0]);
    assert.match(html, new RegExp(`data-session-id="${s.waiting.id}"`));
    assert.strictEqual(host.panel.webview.options.enableScripts, true);
    assert.deepStrictEqual(host.panel.webview.options.localResourceRoots?.map(u => u.path.replace(/.*\//, '')), ['dist']);
  });

  test('the page subscribes through the relay and gets its snapshot, then live events of its session only', async () => {
    engine.appendMessage(s.working.id, { id: 'pnl-m1', kind: 'agent', text: 'Looking at the **build** cache', createdAt: new Date().toISOString() });
    const host = api.panels.open(s.working.id);
    const posts = recordPosts(host);
    await waitFor('the page to subscribe', () => host.fromPage.some(m => m.type === 'subscribe_session' && m.sessionId === s.working.id), 20_000);
    const snapshot = await waitFor('the snapshot posted to the page', () => posts.find(p => p.message?.type === 'session_snapshot')?.message);
    assert.ok(snapshot.type === 'session_snapshot' && snapshot.messages.some(m => m.id === 'pnl-m1'));
    const sub = host.fromPage.find(m => m.type === 'subscribe_session')!;
    assert.ok(sub.requestId?.startsWith('wv'), `the page's own request id is kept: ${sub.requestId}`);
    assert.strictEqual((snapshot as { requestId?: string }).requestId, sub.requestId);
    engine.appendMessage(s.working.id, { id: 'pnl-m2', kind: 'agent', text: 'Found it', createdAt: new Date().toISOString() });
    engine.appendMessage(s.waiting.id, { id: 'pnl-m3', kind: 'agent', text: 'another session', createdAt: new Date().toISOString() });
    await waitFor('the live message', () => posts.some(p => p.message?.type === 'message_appended' && p.message.message.id === 'pnl-m2'));
    assert.ok(!posts.some(p => p.message && 'sessionId' in p.message && p.message.sessionId === s.waiting.id), 'no events of other sessions');
  });

  test('a rename sent by the page reaches the engine; the panel title follows', async () => {
    const host = api.panels.open(s.waiting.id);
    await waitFor('the page to subscribe', () => host.fromPage.some(m => m.type === 'subscribe_session'), 20_000);
    // What the page posts for a rename (webview/session/app.ts), delivered as the webview would.
    await simulatePage(host, { channel: 'protocol', message: { type: 'rename_session', requestId: 'wvtest-1', sessionId: s.waiting.id, name: 'Panel rename' } });
    await waitFor('the engine to rename', () => engine.getSession(s.waiting.id)?.customName === 'Panel rename');
    await waitFor('the panel title', () => host.panel.title === 'Panel rename');
  });

  test('invalid or foreign messages from the page are refused with an error to the page, never relayed', async () => {
    const host = api.panels.open(s.waiting.id);
    const posts = recordPosts(host);
    const before = host.fromPage.length;
    await simulatePage(host, { channel: 'protocol', message: { type: 'approve_tool', requestId: 'wvtest-2', sessionId: s.waiting.id } });
    await simulatePage(host, { channel: 'protocol', message: { type: 'end_session', requestId: 'wvtest-3', sessionId: s.ended.id } });
    await simulatePage(host, { channel: 'protocol', message: { type: 'drop_tables', requestId: 'wvtest-4' } });
    await waitFor('three errors', () => posts.filter(p => p.message?.type === 'error').length === 3);
    assert.deepStrictEqual(posts.map(p => p.message?.type === 'error' ? [p.message.requestId, p.message.code] : null).filter(Boolean),
      [['wvtest-2', 'bad_request'], ['wvtest-3', 'bad_request'], ['wvtest-4', 'unknown_type']]);
    assert.strictEqual(host.fromPage.length, before, 'nothing relayed');
    assert.strictEqual(engine.getSession(s.ended.id)?.status, 'ended');
  });

  test('search opens the session and asks the page to scroll to the hit', async () => {
    engine.appendMessage(s.working.id, { id: 'pnl-hit', kind: 'agent', text: 'the quokkaphone regression', createdAt: new Date().toISOString() });
    const o = await run('search', 'quokkaphone');
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    const hit = (o.ok ? o.data as { sessionId: string; messageId: string }[] : [])[0];
    assert.ok(hit && hit.messageId === 'pnl-hit', JSON.stringify(o));
    const host = api.panels.open(s.working.id);
    const posts = recordPosts(host);
    assert.deepStrictEqual(await run('openSession', hit.sessionId, hit.messageId), { ok: true });
    assert.ok(posts.some(p => p.channel === 'host' && p.type === 'revealMessage' && p.messageId === 'pnl-hit'));
  });

  test('engine reconnect: the page is told to resync and subscribes again on the new connection', async () => {
    const host = api.panels.open(s.working.id);
    await waitFor('the page to subscribe', () => host.fromPage.some(m => m.type === 'subscribe_session'), 20_000);
    const posts = recordPosts(host);
    const subscribedBefore = host.fromPage.filter(m => m.type === 'subscribe_session').length;
    const old = api.connection.current!;
    old.close();
    await waitFor('a new connection', () => api.connection.current && api.connection.current !== old);
    await waitFor('the resync', () => posts.some(p => p.message?.type === 'resync' && p.message.sessionId === s.working.id));
    await waitFor('the page to subscribe again', () => host.fromPage.filter(m => m.type === 'subscribe_session').length > subscribedBefore, 20_000);
  });

  test('with its panel focused, a new approval raises no notification, and approve (the keybinding path) decides that session', async () => {
    const id = s.waiting.id;
    api.panels.open(id);
    await waitFor('the panel to be active', () => api.panels.activeSessionId === id);
    engine.apply(id, { type: 'approvalRequested', approval: { approvalId: 'pnl-ap2', version: 0, kind: 'exec', command: 'ls', options: ['approved', 'denied'], requestedAt: new Date().toISOString() } });
    await waitFor('the notifier to decide', () => api.notifier.skippedFocused.includes(id) || api.notifier.notified.includes(id));
    // A headless browser window may not have OS focus; then the notification is right to show.
    if (vscode.window.state.focused) assert.ok(api.notifier.skippedFocused.includes(id), 'no notification for the focused panel');
    await waitFor('the tree to see the approval', () => api.tree.getSession(id)?.pendingApproval?.approvalId === 'pnl-ap2');
    const o = await run('approve');
    // No argument: the focused panel's session. A made-up session has no live Codex thread, so the
    // provider may refuse; never "nothing pending" or "pick a session".
    if (!o.ok) assert.ok(!['nothing_pending', 'usage', 'internal', 'cancelled'].includes(o.code), JSON.stringify(o));
  });
});

/** Delivers an envelope to the host as if the page had posted it (the relay's input). */
async function simulatePage(host: SessionPanelHost, envelope: unknown): Promise<void> {
  await (host as unknown as { fromWebview(e: unknown): Promise<void> }).fromWebview(envelope);
}
