// The same hostile transcript rendered by both clients' markdown renderers in real Chromium (the
// session panel's webview/session/markdown.ts and the web client's web/markdown.ts, each
// bundled as its client bundles it): what survives must be the same, and none of it active.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { type Browser, chromium } from 'playwright-core';

const REPO = path.resolve(__dirname, '../../..');

const HOSTILE = [
  'Hello **there** [ok](https://example.com) and <script>alert(1)</script>',
  '<img src=x onerror="window.__pwned=1"> and ![img](https://evil.example/x.png)',
  '[click](javascript:window.__pwned=1) [data](data:text/html;base64,PHNjcmlwdD4=) [vb](vbscript:msgbox(1))',
  '<svg onload="window.__pwned=1"><circle/></svg> <iframe src="https://evil.example"></iframe>',
  '<form action="https://evil.example"><input name=a><button>go</button></form>',
  '<a href="https://ok.example" style="position:fixed" onclick="window.__pwned=1">styled</a>',
  '<math><mi>x</mi></math> <object data="x"></object> <embed src="x">',
  '```html\n<script>alert(1)</script>\n```',
  'mail me: <mailto:someone@example.com> or see [section](#top)',
];

async function bundle(entry: string): Promise<string> {
  const out = await esbuild.build({
    stdin: { contents: `import { renderMarkdown } from ${JSON.stringify(entry)}; (window as any).render = renderMarkdown;`, resolveDir: REPO, loader: 'ts' },
    bundle: true, platform: 'browser', format: 'iife', target: 'es2022', write: false, logLevel: 'silent',
  });
  return out.outputFiles[0].text;
}

describe('one markdown policy in the panel and the web client (Chromium)', function () {
  this.timeout(60_000);
  let browser: Browser;
  before(async () => {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  });
  after(async () => { await browser?.close(); });

  async function renderAll(entry: string): Promise<{ html: string[]; pwned: unknown }> {
    const page = await browser.newPage();
    await page.setContent('<!DOCTYPE html><html><body><div id="out"></div></body></html>');
    await page.addScriptTag({ content: await bundle(entry) });
    const html = await page.evaluate(texts => texts.map(t => {
      const out = (globalThis as any).document.getElementById('out');
      out.innerHTML = (globalThis as any).render(t); // as both clients do
      return out.innerHTML as string;
    }), HOSTILE);
    const pwned = await page.evaluate(() => (globalThis as any).__pwned);
    await page.close();
    return { html, pwned };
  }

  it('what survives is the same in both, and nothing of it can run, embed or style', async () => {
    const panel = await renderAll('./webview/session/markdown.ts');
    const web = await renderAll('./web/markdown.ts');
    // the web client opens links in a new tab: the only difference allowed
    const normal = (h: string) => h.replace(/ target="_blank"| rel="noopener noreferrer"/g, '');
    assert.deepEqual(web.html.map(normal), panel.html);
    for (const h of panel.html) {
      assert.doesNotMatch(h, /<(script|img|svg|math|iframe|form|input|button|object|embed|style)\b/i, h);
      // inside tags (escaped text may show the words, harmlessly)
      assert.doesNotMatch(h, /<[^>]*(\son\w+=|\sstyle=|="\s*(javascript|vbscript|data):)/i, h);
    }
    assert.equal(panel.pwned, undefined);
    assert.equal(web.pwned, undefined);
    assert.match(panel.html[0], /<strong>there<\/strong>/, 'markdown still renders');
    assert.match(panel.html[0], /href="https:\/\/example.com"/, 'web links stay');
    assert.match(panel.html[8], /href="mailto:someone@example.com"/, 'mail links stay');
  });
});
