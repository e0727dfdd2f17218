// flightdeck.* settings that apply without a reload: notifications.enabled, hub.* (start, move, stop
// the hub) and codex.path (read again when the Codex app-server starts).
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as QRCode from 'qrcode';
import * as vscode from 'vscode';
import type { FlightdeckApi } from '../../src/extension';
import type { SessionEngine } from '../../src/engine/sessions/engine';
import type { Outcome } from '../../src/vscode/commands';
import { activateFlightdeck, waitFor } from './helpers';

const cfg = () => vscode.workspace.getConfiguration('flightdeck');
const set = (key: string, value: unknown) => cfg().update(key, value, vscode.ConfigurationTarget.Global);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    }).on('error', reject);
  });
}

/**
 * The dark modules an SVG QR code draws, read back from its path (qrcode draws each row as
 * horizontal strokes: `M x y` / `m dx dy` move, `h n` paints n modules): "col,row" in SVG units.
 */
function darkCells(svg: string): { cells: Set<string>; width: number } {
  const width = Number(/viewBox="0 0 (\d+) \d+"/.exec(svg)?.[1]);
  const d = /<path[^>]*stroke=[^>]*\sd="([^"]+)"/.exec(svg)?.[1] ?? '';
  const cells = new Set<string>();
  let x = 0, y = 0;
  for (const [, op, a, b] of d.matchAll(/([MmHh])(-?[\d.]+)(?: (-?[\d.]+))?/g)) {
    if (op === 'M') { x = Number(a); y = Number(b); }
    else if (op === 'm') { x += Number(a); y += Number(b); }
    else {
      const to = op === 'h' ? x + Number(a) : Number(a);
      for (let c = x; c < to; c++) cells.add(`${c},${Math.floor(y)}`);
      x = to;
    }
  }
  return { cells, width };
}

async function healthy(port: number): Promise<boolean> {
  try { return (await fetch(`http://127.0.0.1:${port}/health`)).status === 200; } catch { return false; }
}

suite('settings apply without a reload', () => {
  let api: FlightdeckApi;
  let engine: SessionEngine;

  suiteSetup(async () => {
    ({ api } = await activateFlightdeck());
    await api.ready();
    engine = api.runtime!.engine!;
  });

  suiteTeardown(async () => {
    for (const key of ['notifications.enabled', 'hub.enabled', 'hub.port', 'hub.host', 'hub.allowNonLoopback', 'codex.path']) await set(key, undefined);
  });

  const askApproval = (tag: string) => {
    const s = engine.createSession({ provider: 'claude', mode: 'passive', cwd: `/work/${tag}`, firstPrompt: `${tag} settings` });
    engine.apply(s.id, {
      type: 'approvalRequested',
      approval: { approvalId: `${tag}-ap`, version: 0, kind: 'exec', command: 'make', options: ['approved', 'denied'], requestedAt: new Date().toISOString() },
    });
    return s.id;
  };

  test('notifications.enabled: off silences the next approval, on brings notifications back', async () => {
    await set('notifications.enabled', false);
    const quiet = askApproval('quiet');
    // The notifier decides on the same tree change that shows the session as needing approval.
    await waitFor('the quiet session in the tree', () => api.tree.getSession(quiet)?.workStatus === 'needsApproval');
    assert.ok(!api.notifier.notified.includes(quiet), 'no notification while notifications.enabled is false');
    await set('notifications.enabled', true);
    const loud = askApproval('loud');
    await waitFor('the notification for the next approval', () => api.notifier.notified.includes(loud));
  });

  test('hub.enabled starts the hub, hub.port moves it, turning it off stops it', async () => {
    const [first, second] = [await freePort(), await freePort()];
    await set('hub.port', first);
    await set('hub.enabled', true);
    await waitFor(`the hub on port ${first}`, async () => api.hubUrl?.includes(`:${first}`) && await healthy(first));
    await set('hub.port', second);
    await waitFor(`the hub moved to port ${second}`, async () => api.hubUrl?.includes(`:${second}`) && await healthy(second));
    assert.ok(!await healthy(first), `nothing answers on the old port ${first}`);
    await set('hub.enabled', false);
    await waitFor('the hub stopped', async () => api.hubUrl === undefined && !await healthy(second));
  });

  test('hub access: Copy Hub URL and Token signs in, Rotate Hub Token drops the old clients with a reason, a non-loopback host needs allowNonLoopback', async () => {
    const run = (id: string) => vscode.commands.executeCommand<Outcome>(`flightdeck.${id}`);
    await set('hub.enabled', false);
    await waitFor('no hub', () => api.hubUrl === undefined);
    const stopped = await run('copyHubUrl');
    assert.ok(!stopped.ok && stopped.code === 'hub_stopped' && stopped.message.includes('Flightdeck: Start WebSocket Hub'), JSON.stringify(stopped));
    const port = await freePort();
    await set('hub.port', port);
    assert.ok((await run('startHub')).ok);
    const copied = await run('copyHubUrl');
    assert.ok(copied.ok, JSON.stringify(copied));
    const link = await vscode.env.clipboard.readText();
    const m = /^(http:\/\/127\.0\.0\.1:\d+\/)#token=([A-Za-z0-9_-]+)$/.exec(link);
    assert.ok(m, `copied link: ${link}`);
    // The token as the web client sends it: the bearer.<token> subprotocol.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const WebSocket = require('ws') as typeof import('ws');
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, ['flightdeck.v1', `bearer.${m[2]}`]);
    await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
    const closed = new Promise<{ code: number; reason: string }>(resolve => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    const rotated = await run('rotateHubToken');
    assert.ok(rotated.ok && (rotated.data as { dropped: number }).dropped === 1, JSON.stringify(rotated));
    assert.deepStrictEqual(await closed, { code: 4001, reason: 'token rotated' });
    assert.ok((await run('copyHubUrl')).ok);
    assert.notStrictEqual(await vscode.env.clipboard.readText(), link, 'a new token');
    // Beyond loopback only with the explicit opt-in; the refusal says how.
    await set('hub.host', '0.0.0.0');
    await waitFor('the hub refused 0.0.0.0', () => api.hubUrl === undefined);
    const refused = await run('startHub');
    assert.ok(!refused.ok && /non-loopback/.test(refused.message), JSON.stringify(refused));
    await set('hub.allowNonLoopback', true);
    assert.ok((await run('startHub')).ok);
    await waitFor('the hub on 0.0.0.0', async () => api.hubUrl?.includes('0.0.0.0') && await healthy(port));
    for (const key of ['hub.host', 'hub.allowNonLoopback', 'hub.enabled']) await set(key, undefined);
    await set('hub.enabled', false);
  });

  test('Show Hub QR Code opens a webview whose QR code is the sign-in link with the token', async () => {
    const run = (id: string) => vscode.commands.executeCommand<Outcome>(`flightdeck.${id}`);
    await set('hub.enabled', false);
    await waitFor('no hub', () => api.hubUrl === undefined);
    const stopped = await run('showHubQrCode');
    assert.ok(!stopped.ok && stopped.code === 'hub_stopped', JSON.stringify(stopped));
    await set('hub.port', await freePort());
    assert.ok((await run('startHub')).ok);
    assert.ok((await run('copyHubUrl')).ok);
    const link = await vscode.env.clipboard.readText();
    assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]+$/);
    const shown = await run('showHubQrCode');
    assert.ok(shown.ok, JSON.stringify(shown));
    await waitFor('the QR code tab', () => vscode.window.tabGroups.all.some(g => g.tabs.some(t =>
      t.label === 'Flightdeck Hub QR Code' && t.input instanceof vscode.TabInputWebview)));
    const html = api.hubQr.panel?.webview.html ?? '';
    const svg = /<svg[^]*<\/svg>/.exec(html)?.[0] ?? '';
    // Read the drawn matrix back and compare it with the QR code of the link, module by module.
    const { cells, width } = darkCells(svg);
    const qr = QRCode.create(link, { errorCorrectionLevel: 'M' });
    const size = qr.modules.size, margin = (width - size) / 2;
    assert.ok(size > 20 && Number.isInteger(margin) && margin >= 4, `a ${size}-module code in a ${width}-wide picture`);
    let differing = 0;
    for (let row = 0; row < size; row++) {
      for (let col = 0; col < size; col++) if (!!qr.modules.get(row, col) !== cells.has(`${col + margin},${row + margin}`)) differing++;
    }
    assert.strictEqual(differing, 0, 'every module of the shown code matches the link\'s');
    assert.strictEqual(cells.size, qr.modules.data.reduce((n: number, v: number) => n + (v ? 1 : 0), 0), 'nothing drawn outside the code');
    assert.ok(html.includes(api.hubUrl!), 'the page names the address');
    assert.match(html, /default-src 'none'/, 'a page without scripts');
    await set('hub.enabled', false);
  });

  test('codex.path is read again for the next Codex session', async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'flightdeck-codex-path-'));
    // Paths that do not exist: the engine names the one it tried, so each attempt shows which setting it read.
    for (const missing of [path.join(cwd, 'codex-a'), path.join(cwd, 'codex-b')]) {
      await set('codex.path', missing);
      const o = await vscode.commands.executeCommand<Outcome>('flightdeck.newCodexSession', cwd, '');
      assert.ok(!o.ok, JSON.stringify(o));
      assert.ok(o.message.includes(missing), `the error names ${missing}: ${o.message}`);
    }
  });
});
