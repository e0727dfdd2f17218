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

export interface PageFigures {
  firstPaintMs: number; medianFrameMs: number; p95FrameMs: number; maxRows: number;
  /** Per streamed delta: from posting it to the next frame drawn with it. */
  deltaP50Ms: number; deltaP95Ms: number;
  /** Transcript rows other than the streaming one whose DOM changed, over all deltas. */
  otherRowsTouched: number;
}
export interface WebviewRun { panel: PageFigures; floor: PageFigures; profile?: string }

/** The streamed reply: 20,000 characters in deltas of 100 (a 50 ms delta of a fast model). */
export const STREAM_CHARS = 20_000;
const DELTA_CHARS = 100;

// The floor: the same transcript drawn the cheapest way that still looks like one — plain text rows of
// a fixed height, only those in view (plus the same 600 px margin) in the DOM, placed on scroll, the
// streaming row's text set with textContent. No markdown, no templates, no measuring.
const FLOOR_HTML = `<!DOCTYPE html><html><head><meta charset="UTF-8"><link rel="stylesheet" href="/theme-dark.css"><style>
body{margin:0;font:13px sans-serif} .transcript{position:absolute;inset:0;overflow-y:auto} .vl-canvas{position:relative}
.vl-row{position:absolute;left:0;right:0;height:40px;overflow:hidden;padding:4px 12px;box-sizing:border-box}
.vl-row.live{height:auto;white-space:pre-wrap}
</style></head><body><main class="transcript"><div class="vl-canvas"></div></main><script>
const ROW = 40, MARGIN = 600;
const s = document.querySelector('.transcript'), c = document.querySelector('.vl-canvas');
let items = [], rows = new Map(), live = null;
window.__flightdeckTestTransport = { posted: [{ channel: 'protocol', message: { type: 'subscribe_session', requestId: 'floor' } }] };
function place() {
  const top = s.scrollTop, first = Math.max(0, Math.floor((top - MARGIN) / ROW));
  const last = Math.min(items.length - 1, Math.ceil((top + s.clientHeight + MARGIN) / ROW));
  const want = new Set();
  for (let i = first; i <= last; i++) {
    want.add(i);
    if (rows.has(i)) continue;
    const d = document.createElement('div');
    d.className = items[i].id === 'live' ? 'vl-row live' : 'vl-row';
    d.textContent = items[i].text;
    d.style.transform = 'translateY(' + i * ROW + 'px)';
    c.append(d);
    rows.set(i, d);
  }
  for (const [i, d] of rows) if (!want.has(i)) { d.remove(); rows.delete(i); }
}
s.addEventListener('scroll', place, { passive: true });
window.addEventListener('message', e => {
  const m = e.data && e.data.message;
  if (!m) return;
  if (m.type === 'session_snapshot') { items = m.messages; }
  else if (m.type === 'message_appended') { items.push(m.message); }
  else if (m.type === 'message_updated') { const i = items.length - 1; items[i] = { ...items[i], ...m.message }; const d = rows.get(i); if (d) d.textContent = items[i].text; return; }
  c.style.height = items.length * ROW + 'px';
  s.scrollTop = items.length * ROW;
  place();
});
</script></body></html>`;

// Browser globals inside page.evaluate (bench/ compiles without the DOM lib).
declare const window: { postMessage(m: unknown, o: string): void; __flightdeckTestTransport: { posted: { channel: string; message?: { type: string; requestId?: string } }[] } };
declare const document: { querySelector(s: string): { scrollTop: number; scrollHeight: number } | null; querySelectorAll(s: string): { length: number } };
declare function requestAnimationFrame(cb: () => void): number;
declare class MutationObserver {
  constructor(cb: (records: { target: { nodeType: number; parentElement: unknown } }[]) => void);
  observe(target: unknown, opts: object): void;
  disconnect(): void;
}
type Node = unknown;

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
    if (url.pathname === '/floor') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(FLOOR_HTML);
      return;
    }
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
      const profile = r === repeats - 1;
      const floor = await pageFigures(browser, `${origin}/floor`, messages, false);
      const panel = await pageFigures(browser, `${origin}/panel`, messages, profile);
      runs.push({ panel: panel.figures, floor: floor.figures, profile: panel.profile });
    }
  } finally {
    await browser.close();
    await new Promise<void>(r => { server.closeAllConnections(); server.close(() => r()); });
    fs.rmSync(bundle, { recursive: true, force: true });
  }
  return runs;
}

type Browser = import('playwright-core').Browser;

/** One page (the panel or the floor): first paint, scrolling top to bottom, then a streamed reply. */
async function pageFigures(browser: Browser, url: string, messages: Message[], profile: boolean): Promise<{ figures: PageFigures; profile?: string }> {
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  try {
    await page.goto(url);
    await page.waitForFunction(() => window.__flightdeckTestTransport.posted.some(p => p.message?.type === 'subscribe_session'), null, { timeout: 20_000 });
    const requestId = await page.evaluate(() => window.__flightdeckTestTransport.posted.find(p => p.message?.type === 'subscribe_session')!.message!.requestId);
    const snapshot: ServerMessage = { type: 'session_snapshot', requestId, revision: 10, session: makeSession(), messages, hasMore: false };
    const cdp = profile ? await page.context().newCDPSession(page) : null;
    if (cdp) { await cdp.send('Profiler.enable'); await cdp.send('Profiler.start'); }
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
    const stream = await page.evaluate(async ({ seq, chars, step }) => {
      const frame = () => new Promise(res => requestAnimationFrame(() => res(null)));
      const s = document.querySelector('.transcript')!;
      s.scrollTop = s.scrollHeight;
      await frame();
      const post = (message: unknown) => window.postMessage({ channel: 'protocol', message }, '*');
      let revision = 11;
      post({ type: 'message_appended', sessionId: 'sess-1', revision, message: { id: 'live', sessionId: 'sess-1', seq, kind: 'agent', status: 'inProgress', text: '', createdAt: '2026-11-25T12:00:00.000Z', turnId: 'turn-1' } });
      await new Promise(res => setTimeout(res, 0));
      await frame();
      // Every row whose DOM changes while the reply streams, by its key (the streaming one is "live").
      const touched = new Set<string>();
      let others = 0;
      const observer = new MutationObserver(records => {
        for (const r of records) {
          const el = (r.target.nodeType === 1 ? r.target : r.target.parentElement) as unknown as { closest(s: string): { dataset: { key?: string } } | null } | null;
          const key = el?.closest('.vl-row')?.dataset.key;
          if (key && key !== 'live') touched.add(key);
        }
      });
      observer.observe(document.querySelector('.vl-canvas') as unknown as Node, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['class'] });
      const base = 'Streaming reply with **bold** words, `code`, and enough plain text to wrap over lines. ';
      let text = '';
      const times: number[] = [];
      while (text.length < chars) {
        text += base.repeat(Math.ceil(step / base.length)).slice(0, step);
        if (text.length % 2000 < step) text += '\n\n';
        const t0 = performance.now();
        post({ type: 'message_updated', sessionId: 'sess-1', revision: ++revision, message: { id: 'live', text } });
        await new Promise(res => setTimeout(res, 0));
        await frame();
        times.push(performance.now() - t0);
        others += touched.size;
        touched.clear();
      }
      observer.disconnect();
      times.sort((a, b) => a - b);
      return { deltaP50Ms: times[times.length >> 1], deltaP95Ms: times[Math.floor(times.length * 0.95)], otherRowsTouched: others };
    }, { seq: messages.length + 1, chars: STREAM_CHARS, step: DELTA_CHARS });
    let saved: string | undefined;
    if (cdp) {
      const { profile: p } = await cdp.send('Profiler.stop');
      saved = path.join(os.tmpdir(), `fd-bench-panel-${process.pid}.cpuprofile`);
      fs.writeFileSync(saved, JSON.stringify(p));
    }
    return { figures: { firstPaintMs, ...scroll, ...stream }, profile: saved };
  } finally {
    await page.close();
  }
}
