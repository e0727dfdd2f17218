// History and search in the web client, in a real headless Chromium against a real hub and engine
// over a real SQLite store seeded by the real importer from the captured Codex rollouts and Claude
// transcripts (test/fixtures, copied from shared/samples): History by project then day, a past
// session's transcript paged from the store, search with filters and prefix as you type, a hit
// opened scrolled to and highlighted, and History following an import by itself.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { type Browser, type Page, chromium } from 'playwright-core';
import { importHistory } from '../../src/engine/history/importer';
import { FakeClock } from '../../src/engine/platform/clock';
import { world } from '../fixtures/history/world';
import { writePast } from '../fixtures/historyStore';
import { screenshotPath } from '../helpers/screenshots';
import { type Rig, startRig } from './hub-harness';

const REPO = path.resolve(__dirname, '../../..');
const WAIT = { timeout: 10_000 };
/** Sessions of the captures (ids are derived from their thread / session ids, stable across imports). */
const CODEX_HELLO = '01a05f4c-0d55-5f75-b82e-b4f649ea18db'; // exec-plain: "Say hello"
const CODEX_RESUMED = '61fc9db7-b272-51e0-e974-965f2921590f'; // "Resumed thread answer: I remember the earlier turn."
const CLAUDE_RESUMED = '5e5eb933-0539-5e77-7066-cf2934d5cf7c'; // "Resumed reply: I remember the earlier work."

// Browser globals of the callbacks that run inside Chromium; the root tsconfig has no DOM lib.
declare const document: any;

async function buildWeb(outdir: string): Promise<void> {
  await esbuild.build({
    entryPoints: { web: path.join(REPO, 'web/main.ts') }, bundle: true, platform: 'browser', format: 'iife',
    target: 'es2022', outdir, minify: true, logLevel: 'silent',
  });
}

/** True when the element is inside the transcript's visible area. */
function inView(page: Page, selector: string): Promise<boolean> {
  return page.$eval(selector, el => {
    const r = el.getBoundingClientRect(), v = el.closest('.transcript').getBoundingClientRect();
    return r.bottom > v.top && r.top < v.bottom;
  });
}

describe('web client: History and search (headless Chromium, real importer and store)', function () {
  this.timeout(120_000);
  let rig: Rig;
  let browser: Browser;
  let page: Page;
  let webRoot: string;
  const problems: string[] = [];

  before(async () => {
    webRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-webhist-'));
    await buildWeb(webRoot);
    rig = await startRig({ webRoot }, new FakeClock(Date.parse('2026-12-03T12:00:00.000Z')));
    const w = world();
    const summary = await importHistory({ store: rig.store, log: () => {}, codexHome: w.codexHome, claudeHome: w.claudeHome });
    assert.equal(summary.counts.sessionsCreated, 9, JSON.stringify(summary.counts));
    // One long past session: its transcript needs paging (a snapshot holds the last 200 items).
    writePast(rig.store, [{
      id: 'big-1', provider: 'codex', cwd: '/home/dev/bigproj', at: Date.parse('2026-11-20T15:00:00.000Z'), prompt: 'the long one',
      messages: Array.from({ length: 450 }, (_, i) => ({ kind: i % 2 ? 'agent' as const : 'user' as const, text: i === 3 ? 'the platypusoid detail is here' : `line ${i} of the long session` })),
    }]);
    rig.store.flush();
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update'],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: 'UTC' });
    page = await context.newPage();
    page.on('console', m => { if (m.type() === 'error') problems.push(m.text()); });
    page.on('pageerror', e => problems.push(e.message));
    await page.goto(`${rig.hub.httpUrl}#token=${rig.token}`);
    await page.waitForSelector('.conn.online', WAIT);
  });
  after(async () => {
    await browser?.close();
    await rig?.close();
    fs.rmSync(webRoot, { recursive: true, force: true });
  });

  it('lists History by project then day, loaded when opened, with the counts of the store', async () => {
    assert.equal(await page.$('.history .project'), null, 'nothing asked before History is opened');
    await page.click('#history-toggle');
    await page.waitForSelector('.history .project', WAIT);
    const projects = await page.$$eval('.history .project', els => els.map(e => ({ cwd: e.getAttribute('data-cwd'), text: e.querySelector('.tree-toggle')!.textContent })));
    const expected = rig.engine.historyGroups({ scope: 'history', utcOffsetMinutes: 0 });
    assert.deepEqual(projects.map(p => p.cwd), expected.map(g => g.cwd ?? ''));
    assert.ok(expected.length >= 5, JSON.stringify(expected));
    const ws = expected.find(g => g.cwd === '/home/dev/codex-lab/ws')!;
    assert.ok(projects.find(p => p.cwd === ws.cwd)!.text!.endsWith(String(ws.count)));
    assert.equal(await page.textContent('.history h2 .n'), String(expected.reduce((n, g) => n + g.count, 0)));

    await page.click('.history .project[data-cwd="/home/dev/codex-lab/ws1"] > .tree-toggle');
    await page.waitForSelector('.history .project[data-cwd="/home/dev/codex-lab/ws1"] .day[data-day="2026-11-25"]', WAIT);
    await page.click('.history .project[data-cwd="/home/dev/codex-lab/ws1"] .day > .tree-toggle');
    await page.waitForSelector(`.history a.row[data-session="${CODEX_HELLO}"]`, WAIT);
  });

  it('opens a past session with its transcript from the store', async () => {
    await page.click(`.history a.row[data-session="${CODEX_HELLO}"]`);
    await page.waitForSelector('.msg.agent', WAIT);
    assert.equal(await page.textContent('.session-title h1'), 'Say hello');
    assert.match(await page.textContent('.transcript') ?? '', /Hello from the fake model/);
    assert.match(await page.textContent('.dock') ?? '', /ended/);
  });

  it('pages a long past session from the store: the last 200 items, then older ones on request', async () => {
    await page.click('.history .project[data-cwd="/home/dev/bigproj"] > .tree-toggle');
    await page.click('.history .project[data-cwd="/home/dev/bigproj"] .day > .tree-toggle');
    await page.click('.history a.row[data-session="big-1"]');
    await page.waitForSelector('.msg[data-id="big-1-m449"]', WAIT);
    assert.equal(await page.$$eval('#transcript .msg', els => els.length), 200);
    assert.ok(await inView(page, '.msg[data-id="big-1-m449"]'), 'opened at the newest item');
    await page.click('button.older');
    await page.waitForFunction(() => document.querySelectorAll('#transcript .msg').length > 200, undefined, WAIT);
    assert.ok(await page.$('.msg[data-id="big-1-m249"]'), 'the page before the snapshot');
  });

  it('searches with filters and a prefix as the user types; hits grouped by session with snippet, agent and project', async () => {
    const groups = () => page.$$eval('.hit-group', els => els.map(e => e.getAttribute('data-session')));
    await page.fill('#search', 'remember');
    await page.waitForFunction(() => document.querySelectorAll('.hit-group').length === 2, undefined, WAIT);
    assert.deepEqual((await groups()).sort(), [CLAUDE_RESUMED, CODEX_RESUMED].sort());
    assert.deepEqual(await page.$$eval('.hit mark', els => els.map(e => e.textContent!.toLowerCase())), ['remember', 'remember']);
    assert.match(await page.textContent(`.hit-group[data-session="${CLAUDE_RESUMED}"] h3 .meta`) ?? '', /^Claude Code · my\.proj_dir name$/);

    await page.selectOption('#search-agent', 'claude');
    await page.waitForFunction(() => document.querySelectorAll('.hit-group').length === 1, undefined, WAIT);
    assert.deepEqual(await groups(), [CLAUDE_RESUMED]);

    await page.selectOption('#search-role', 'prompts');
    await page.waitForSelector('#search-empty', WAIT);
    await page.selectOption('#search-role', 'all');
    await page.selectOption('#search-agent', '');

    // Typed letter by letter: the last word is a prefix ("rememb" finds "remember").
    await page.fill('#search', '');
    await page.type('#search', 'rememb', { delay: 20 });
    await page.waitForFunction(() => document.querySelectorAll('.hit-group').length === 2, undefined, WAIT);
    // A typed filter word works as the control does.
    await page.fill('#search', 'remember agent:codex');
    await page.waitForFunction(() => document.querySelectorAll('.hit-group').length === 1, undefined, WAIT);
    assert.deepEqual(await groups(), [CODEX_RESUMED]);
  });

  it('opens a hit scrolled to it and highlighted, paging back through the store when it is older than the snapshot', async () => {
    await page.fill('#search', 'remember agent:claude');
    await page.waitForSelector(`.hit-group[data-session="${CLAUDE_RESUMED}"]`, WAIT);
    assert.equal(await page.$$eval('.hit-group', els => els.length), 1);
    const messageId = await page.getAttribute('.hit', 'data-message');
    await page.click('.hit');
    await page.waitForSelector(`.msg.search-hit[data-id="${messageId}"]`, WAIT);
    assert.match(await page.textContent('.msg.search-hit') ?? '', /I remember the earlier work/);
    assert.equal(await page.$$eval('.msg.search-hit', els => els.length), 1, 'only the hit is highlighted');
    await page.screenshot({ path: screenshotPath('web-search-hit.png') });

    // The hit is item 3 of 450: the client pages back until it is loaded, then scrolls to it.
    await page.fill('#search', 'platypusoid');
    await page.waitForSelector('.hit[data-message="big-1-m3"]', WAIT);
    await page.click('.hit[data-message="big-1-m3"]');
    await page.waitForSelector('.msg.search-hit[data-id="big-1-m3"]', WAIT);
    await page.waitForFunction(() => {
      const el = document.querySelector('.msg.search-hit'), v = el.closest('.transcript').getBoundingClientRect(), r = el.getBoundingClientRect();
      return r.bottom > v.top && r.top < v.bottom;
    }, undefined, WAIT);
    assert.equal(await page.$$eval('#transcript .msg', els => els.length), 450);
  });

  it('History follows an import by itself (no reload)', async () => {
    await page.fill('#search', '');
    await page.waitForSelector('.history .project', WAIT);
    assert.equal(await page.$('.history .project[data-cwd="/home/dev/lateproj"]'), null);
    writePast(rig.store, [{ id: 'late-1', provider: 'claude', cwd: '/home/dev/lateproj', at: Date.parse('2026-11-30T10:00:00.000Z'), prompt: 'imported late' }]);
    rig.engine.bus.publish({ type: 'import_progress', progress: { phase: 'done', filesDone: 1, filesTotal: 1, bytesDone: 10, bytesTotal: 10, elapsedMs: 5, mbPerSec: 0 } });
    await page.waitForSelector('.history .project[data-cwd="/home/dev/lateproj"]', WAIT);
    assert.deepEqual(problems, [], 'no script errors or CSP violations');
  });
});
