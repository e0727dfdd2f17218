// The session webview (webview/session, bundled by webview/build.mjs) in headless Chromium, on a page
// shaped like the VS Code panel's (same strict CSP): time from handing it a 10,000-item snapshot to
// the first painted frame with transcript rows, then frames while scrolling top to bottom in 2,000 px
// steps, one per animation frame.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import type { Message, ServerMessage } from '../src/engine/protocol';
import { panelHtml } from '../test/fixtures/webview/pageServer';
import { makeMessage, makeSession } from '../test/fixtures/webview/sessionFixtures';

export interface WebviewRun { firstPaintMs: number; medianFrameMs: number; p95FrameMs: number; maxRows: number }

// Browser globals inside page.evaluate (bench/ compiles without the DOM lib).
declare const window: { postMessage(m: unknown, o: string): void; __flightdeckTestTransport: { posted: { channel: string; message?: { type: string; requestId?: string } }[] } };
declare const document: { querySelector(s: string): { scrollTop: number; scrollHeight: number } | null; querySelectorAll(s: string): { length: number } };
declare function requestAnimationFrame(cb: () => void): number;

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update'];

function transcript(n: number): Message[] {
  const kinds: Message['kind'][] = ['user', 'agent', 'command', 'agent', 'reasoning', 'tool'];
  return Array.from({ length: n }, (_, i) => makeMessage(i + 1, {
    kind: kinds[i % kinds.length],
    text: i % 7 === 0 ? `Item ${i + 1}: ${'a longer paragraph of agent text that wraps over several lines. '.repeat(4)}` : `Item ${i + 1} with **markdown** and \`code\``,
    command: `npm test -- --grep item-${i + 1}`, exitCode: i % 11 === 0 ? 1 : 0, output: 'ok',
  }));
}

export async function webviewRuns(repo: string, repeats: number, items = 10_000): Promise<WebviewRun[]> {
  const bundle = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-bench-webview-'));
  execFileSync(process.execPath, [path.join(repo, 'webview/build.mjs'), '--outdir', bundle], { cwd: repo, stdio: 'inherit' });
  const files: Record<string, [string, string]> = {
    '/session.js': [path.join(bundle, 'session.js'), 'text/javascript'],
    '/session.css': [path.join(bundle, 'session.css'), 'text/css'],
    '/theme-dark.css': [path.join(repo, 'test/fixtures/webview/theme-dark.css'), 'text/css'],
  };
  let origin = '';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === '/panel') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(panelHtml({ sessionId: 'sess-1', nonce: randomBytes(16).toString('base64'), cspSource: origin, theme: 'dark' }));
      return;
    }
    const f = files[url.pathname];
    if (!f) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': f[1] });
    fs.createReadStream(f[0]).pipe(res);
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Loaded here, not bundled nor at start: playwright-core reads its own package files next to its
  // code, and the other benchmark processes should not pay for loading it.
  const { chromium } = createRequire(__filename)('playwright-core') as typeof import('playwright-core');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  const messages = transcript(items);
  const runs: WebviewRun[] = [];
  try {
    for (let r = 0; r < repeats; r++) {
      const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
      await page.goto(`${origin}/panel`);
      await page.waitForFunction(() => window.__flightdeckTestTransport.posted.some(p => p.message?.type === 'subscribe_session'), null, { timeout: 20_000 });
      const requestId = await page.evaluate(() => window.__flightdeckTestTransport.posted.find(p => p.message?.type === 'subscribe_session')!.message!.requestId);
      const snapshot: ServerMessage = { type: 'session_snapshot', requestId, revision: 10, session: makeSession(), messages, hasMore: false };
      const firstPaintMs = await page.evaluate(async json => {
        const snap = JSON.parse(json);
        const t0 = performance.now();
        window.postMessage({ channel: 'protocol', message: snap }, '*');
        while (!document.querySelector('.vl-row')) await new Promise(res => setTimeout(res, 0));
        await new Promise(res => requestAnimationFrame(() => res(null)));
        return performance.now() - t0;
      }, JSON.stringify(snapshot));
      const scroll = await page.evaluate(async () => {
        const s = document.querySelector('.transcript')!;
        const frame = () => new Promise(res => requestAnimationFrame(() => res(null)));
        s.scrollTop = 0;
        await frame();
        const frames: number[] = [];
        let last = performance.now();
        let maxRows = 0;
        while (s.scrollTop + 1000 < s.scrollHeight && frames.length < 2_000) {
          s.scrollTop += 2000;
          await frame();
          const t = performance.now();
          frames.push(t - last);
          last = t;
          maxRows = Math.max(maxRows, document.querySelectorAll('.vl-row').length);
        }
        frames.sort((a, b) => a - b);
        return { medianFrameMs: frames[frames.length >> 1], p95FrameMs: frames[Math.floor(frames.length * 0.95)], maxRows };
      });
      runs.push({ firstPaintMs, ...scroll });
      await page.close();
    }
  } finally {
    await browser.close();
    await new Promise<void>(r => { server.closeAllConnections(); server.close(() => r()); });
    fs.rmSync(bundle, { recursive: true, force: true });
  }
  return runs;
}
