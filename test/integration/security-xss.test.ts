// Agent output is data, never code: a Codex rollout full of script payloads (in the prompt that names
// the session, agent markdown, reasoning, a command and its output, a Claude-style tool) is read by the
// real watcher into a real engine, then shown in real Chromium by the hub's web client (through a
// real hub) and by the session webview (the engine's own snapshot, under the panel's strict CSP).
// Nothing runs, no live markup or javascript: link reaches the DOM, the payload text is still shown.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { type Browser, chromium } from 'playwright-core';
import { createCodexWatcher } from '../../src/engine/codex/rollout/watcher';
import { ClientConnection, attachReplay } from '../../src/engine/clients/connection';
import { type HubHandle, startHub } from '../../src/engine/hub/server';
import { generateToken } from '../../src/engine/hub/token';
import type { ServerMessage, Session } from '../../src/engine/protocol';
import { FakeClock } from '../../src/engine/platform/clock';
import { SessionEngine } from '../../src/engine/sessions/engine';
import { openStore } from '../../src/engine/store/sqliteStore';
import type { Store } from '../../src/engine/store/types';
import { type CodexCtx, codex } from '../fixtures/bench/shapes';
import { startPageServer } from '../fixtures/webview/pageServer';
import { cleanupTmpDirs, tmpDir } from '../helpers/tmp';

const REPO = path.resolve(__dirname, '../../..');
const THREAD = '01a21287-d365-7980-ae07-4360000a55a5';

// Browser globals inside page.evaluate (the root tsconfig has no DOM lib).
declare const window: { __pwned?: unknown; postMessage(m: unknown, o: string): void }, document: { querySelectorAll(s: string): ArrayLike<{ getAttributeNames(): string[]; getAttribute(n: string): string | null }> ; body: { innerText: string } };

const PAYLOADS = [
  '<script>window.__pwned = "script"</script>',
  '<img src=x onerror="window.__pwned = \'img\'">',
  '<svg onload="window.__pwned = \'svg\'"></svg>',
  '<iframe srcdoc="<script>parent.__pwned = \'iframe\'</script>"></iframe>',
  '"><script>window.__pwned = "attr"</script>',
  '[click me](javascript:window.__pwned="link")',
  '<a href="javascript:window.__pwned=\'a\'">a link</a>',
  '<details open ontoggle="window.__pwned=\'toggle\'">x</details>',
  '<style>body { display: none }</style>',
];
const ALL = PAYLOADS.join('\n\n');

/** What the DOM holds that could run script: script/iframe/object/embed elements, on* attributes, javascript: URLs. */
function dangerousNodes(): string[] {
  const out: string[] = [];
  for (const el of Array.from(document.querySelectorAll('script:not([nonce]):not([src]), iframe, object, embed, style:not([nonce])'))) out.push(`element ${el.getAttributeNames().join(',')}`);
  for (const el of Array.from(document.querySelectorAll('*'))) {
    for (const name of el.getAttributeNames()) {
      const v = el.getAttribute(name) ?? '';
      if (/^on/i.test(name)) out.push(`${name}=${v}`);
      if (/^(href|src|action|formaction|xlink:href)$/i.test(name) && /^\s*javascript:/i.test(v)) out.push(`${name}=${v}`);
    }
  }
  return out;
}

describe('security: agent output with script payloads is never executed', function () {
  this.timeout(90_000);
  let dir: string;
  let store: Store;
  let engine: SessionEngine;
  let session: Session;
  let browser: Browser;

  before(async () => {
    dir = tmpDir('fd-xss-');
    const clock = new FakeClock(Date.now());
    store = openStore({ file: path.join(dir, 'flightdeck.db'), clock });
    engine = new SessionEngine({ store, clock });
    engine.start();
    const home = path.join(dir, 'codex');
    const file = path.join(home, 'sessions', '2026', '11', '25', `rollout-2026-11-25T10-00-00-${THREAD}.jsonl`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const c: CodexCtx = { threadId: THREAD, cwd: '/work/<script>x</script>', turnId: 't1', ordinal: -1, at: Date.now() };
    fs.writeFileSync(file, codex.meta(c) + codex.taskStarted(c) + codex.turnContext(c) + codex.user(c, `${PAYLOADS[1]} please`)
      + codex.reasoning(c, ALL) + codex.agent(c, ALL) + codex.exec(c, 'call_x', `echo '${PAYLOADS[0]}'`)
      + codex.execDone(c, 'call_x', `echo '${PAYLOADS[0]}'`, ALL) + codex.taskComplete(c));
    const watcher = createCodexWatcher({ engine, store, codexHome: home, clock, watchFiles: false });
    await watcher.start();
    await watcher.stop();
    session = engine.findByProviderId('codex', THREAD)!;
    assert.ok(session, 'the watcher read the rollout');
    assert.match(session.displayName, /onerror/, 'the payload names the session');
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium', headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update'],
    });
  });

  after(async () => {
    await browser?.close();
    engine?.stop();
    store?.close();
    cleanupTmpDirs();
  });

  it('in the hub web client (real hub, real browser)', async () => {
    const webRoot = path.join(dir, 'web');
    await esbuild.build({
      entryPoints: { web: path.join(REPO, 'web/main.ts') }, bundle: true, platform: 'browser', format: 'iife',
      target: 'es2022', outdir: webRoot, minify: true, logLevel: 'silent',
    });
    const token = generateToken();
    const hub: HubHandle = await startHub({ engine, replay: attachReplay(engine), port: 0, token, log: () => {}, version: 'xss', webRoot });
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', d => { dialogs.push(d.message()); void d.dismiss(); });
    try {
      await page.goto(hub.httpUrl);
      await page.fill('#token', token);
      await page.click('#connect');
      await page.waitForSelector(`.row[data-session="${session.id}"]`, { timeout: 15_000 });
      await page.click(`.row[data-session="${session.id}"]`);
      await page.waitForSelector('.msg.agent', { timeout: 15_000 });
      // Open every collapsed item so its content is rendered and laid out too.
      await page.$$eval('details', els => els.forEach(e => { (e as unknown as { open: boolean }).open = true; }));
      assert.equal(await page.evaluate(() => window.__pwned), undefined, 'no payload ran');
      assert.deepEqual(await page.evaluate(dangerousNodes), []);
      assert.match(await page.evaluate(() => document.body.innerText), /onerror/, 'the payload text is still shown, as text');
      assert.deepEqual(dialogs, []);
    } finally {
      await page.close();
      await hub.close();
    }
  });

  it('in the session webview (the engine\'s snapshot, strict CSP)', async () => {
    const bundle = path.join(dir, 'session-bundle');
    execFileSync(process.execPath, [path.join(REPO, 'webview/build.mjs'), '--outdir', bundle], { cwd: REPO, stdio: 'inherit' });
    const server = await startPageServer(bundle);
    const page = await browser.newPage();
    try {
      await page.goto(server.pageUrl(session.id, 'dark'));
      // The page's subscribe request, answered with what the engine itself sends for it.
      await page.waitForFunction(() => (window as unknown as { __flightdeckTestTransport: { posted: { channel: string; message?: { type: string } }[] } })
        .__flightdeckTestTransport.posted.some(p => p.channel === 'protocol' && p.message?.type === 'subscribe_session'), null, { timeout: 10_000 });
      const sent: ServerMessage[] = [];
      const conn = new ClientConnection({ engine, replay: attachReplay(engine), serverVersion: 'xss', send: m => sent.push(m) });
      const requestId = await page.evaluate(() => (window as unknown as { __flightdeckTestTransport: { posted: { channel: string; message?: { type: string; requestId?: string } }[] } })
        .__flightdeckTestTransport.posted.find(p => p.channel === 'protocol' && p.message?.type === 'subscribe_session')!.message!.requestId);
      await conn.handle({ type: 'subscribe_session', sessionId: session.id, requestId });
      conn.close();
      const snapshot = sent.find(m => m.type === 'session_snapshot');
      assert.ok(snapshot, 'the engine answered with a snapshot');
      await page.evaluate(m => window.postMessage({ channel: 'protocol', message: m }, '*'), snapshot as unknown as Record<string, unknown>);
      await page.waitForSelector('.vl-row.kind-agent', { timeout: 10_000 });
      assert.equal(await page.evaluate(() => window.__pwned), undefined, 'no payload ran');
      assert.deepEqual(await page.evaluate(dangerousNodes), []);
      assert.match(await page.evaluate(() => document.body.innerText), /onerror/, 'the payload text is still shown, as text');
    } finally {
      await page.close();
      await server.close();
    }
  });
});
