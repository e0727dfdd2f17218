// The web client in a real headless Chromium against a real hub: the browser subprotocol flow, the
// Origin check, login with the token kept in storage, the session list with attention first, an
// approval from the page applied once, a phone-sized layout, and the screenshot in docs/.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { type Browser, type Page, chromium } from 'playwright-core';
import type { ApprovalDecision, PendingApproval, Session } from '../../src/engine/protocol';
import { FakeClock, iso } from '../../src/engine/platform/clock';
import { EngineError } from '../../src/engine/sessions/errors';
import type { ProviderController } from '../../src/engine/sessions/provider';
import { screenshotPath } from '../helpers/screenshots';
import { type Rig, startRig } from './hub-harness';

const REPO = path.resolve(__dirname, '../../..');
// Browser globals of callbacks that run inside Chromium (page.evaluate); the root tsconfig has no DOM lib.
declare const document: any, getComputedStyle: any;

/** Bundles the current web client source (the same way esbuild.mjs does) into `outdir`. */
async function buildWeb(outdir: string): Promise<void> {
  await esbuild.build({
    entryPoints: { web: path.join(REPO, 'web/main.ts') }, bundle: true, platform: 'browser', format: 'iife',
    target: 'es2022', outdir, minify: true, logLevel: 'silent',
  });
}

class Approvals implements ProviderController {
  calls: { approvalId: string; decision: ApprovalDecision }[] = [];
  constructor(private ids: Set<string>) {}
  handles(s: Session): boolean { return this.ids.has(s.id); }
  async decideApproval(_s: Session, a: PendingApproval, decision: ApprovalDecision): Promise<void> {
    this.calls.push({ approvalId: a.approvalId, decision });
  }
}

/** A few sessions as a user would have them: one waiting for an approval, others working, idle, ended. */
function seed(rig: Rig): { approval: Session; ctl: Approvals } {
  const { engine, clock } = rig;
  const at = () => iso(clock.now());
  const ended = engine.createSession({ provider: 'claude', mode: 'passive', cwd: '/home/dev/docs-site', firstPrompt: 'Proofread the getting started guide' });
  engine.apply(ended.id, { type: 'ended', reason: 'user' });
  clock.advance(40 * 60_000);
  const working = engine.createSession({ provider: 'claude', mode: 'direct', cwd: '/home/dev/mobile-app', firstPrompt: 'Migrate the settings screen to the new design system' });
  engine.apply(working.id, { type: 'turnStarted', turnId: 't1' });
  clock.advance(10 * 60_000);
  const waiting = engine.createSession({ provider: 'codex', mode: 'passive', cwd: '/home/dev/api', firstPrompt: 'Add pagination to GET /orders' });
  engine.apply(waiting.id, { type: 'workStatus', workStatus: 'waiting' });
  clock.advance(60_000);

  const s = engine.createSession({ provider: 'codex', mode: 'direct', cwd: '/home/dev/flightdeck', model: 'gpt-5.1-codex' });
  engine.appendMessage(s.id, { id: 'u1', kind: 'user', text: 'The auth tests are flaky on CI. Find out why and fix them.', createdAt: at() });
  engine.apply(s.id, { type: 'turnStarted', turnId: 't1' });
  engine.appendMessage(s.id, { id: 'a1', kind: 'agent', createdAt: at(), text: 'Looking at `test/auth.test.ts` first. The flaky case is **token expiry**: it compares against `Date.now()` while the server uses its own clock.' });
  engine.appendMessage(s.id, {
    id: 'c1', kind: 'command', command: 'npm test -- --grep "token expiry"', cwd: '/home/dev/flightdeck', exitCode: 1, status: 'completed', createdAt: at(),
    text: '', output: '  auth\n    1) rejects an expired token\n\n  0 passing (41ms)\n  1 failing\n\n  AssertionError: expected 401, got 200',
  });
  engine.appendMessage(s.id, {
    id: 'f1', kind: 'fileChange', status: 'completed', createdAt: at(), text: '',
    changes: [{ path: 'test/auth.test.ts', kind: 'update', diff: '@@ -12,3 +12,3 @@\n-  const now = Date.now();\n+  const now = clock.now();\n' }],
  });
  engine.appendMessage(s.id, { id: 'a2', kind: 'agent', createdAt: at(), text: 'The test now uses the injected clock. I would like to run the whole suite to be sure:\n\n- unit tests\n- the auth integration tests' });
  engine.apply(s.id, { type: 'turnTokens', input: 61_000, output: 2_300, cached: 40_000 });
  engine.apply(s.id, {
    type: 'approvalRequested',
    approval: {
      approvalId: 'ap-web', version: 0, kind: 'exec', command: 'npm test', cwd: '/home/dev/flightdeck', reason: 'Run the full test suite to confirm the fix',
      options: ['approved', 'approved_for_session', 'denied', 'abort'], requestedAt: at(),
    },
  });
  const ctl = new Approvals(new Set([s.id]));
  engine.registerProvider(ctl);
  return { approval: engine.requireSession(s.id), ctl };
}

async function wsFromPage(page: Page, url: string, protocols: string[]): Promise<string> {
  return page.evaluate(({ url, protocols }) => new Promise<string>(resolve => {
    const ws = new WebSocket(url, protocols);
    ws.onopen = () => { resolve(`open:${ws.protocol}`); ws.close(); };
    ws.onerror = () => resolve('refused');
  }), { url, protocols });
}

describe('hub web client (headless Chromium)', function () {
  this.timeout(90_000);
  let rig: Rig;
  let browser: Browser;
  let webRoot: string;

  before(async () => {
    webRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-web-'));
    await buildWeb(webRoot);
    rig = await startRig({ webRoot }, new FakeClock(Date.now() - 60 * 60_000));
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update'],
    });
  });
  after(async () => {
    await browser?.close();
    await rig?.close();
    fs.rmSync(webRoot, { recursive: true, force: true });
  });

  async function freshRig(): Promise<Rig> {
    await rig.close();
    rig = await startRig({ webRoot }, new FakeClock(Date.now() - 60 * 60_000));
    return rig;
  }

  it('connects with the bearer subprotocol from a real browser; a wrong token or a foreign origin is refused', async () => {
    await freshRig();
    const page = await browser.newPage();
    try {
      await page.goto(rig.hub.httpUrl + 'health');
      assert.equal(await wsFromPage(page, rig.hub.url, ['flightdeck.v1', `bearer.${rig.token}`]), 'open:flightdeck.v1');
      assert.equal(await wsFromPage(page, rig.hub.url, ['flightdeck.v1', 'bearer.wrongwrongwrongwrongwrong']), 'refused');
      assert.equal(await wsFromPage(page, rig.hub.url, ['flightdeck.v1']), 'refused');
      // The same token from a page of another origin (the browser sends its Origin): refused.
      const other = http.createServer((_req, res) => res.end('<!doctype html><title>elsewhere</title>'));
      await new Promise<void>(resolve => other.listen(0, '127.0.0.1', resolve));
      try {
        await page.goto(`http://127.0.0.1:${(other.address() as { port: number }).port}/`);
        assert.equal(await wsFromPage(page, rig.hub.url, ['flightdeck.v1', `bearer.${rig.token}`]), 'refused');
      } finally {
        other.closeAllConnections();
        await new Promise(resolve => other.close(resolve));
      }
    } finally {
      await page.close();
    }
    assert.ok(rig.logs.some(l => /origin .*not on the allow list/.test(l)), rig.logs.join('\n'));
  });

  it('logs in once, lists sessions with attention first, approves; the decision reaches the engine once', async () => {
    await freshRig();
    const { approval, ctl } = seed(rig);
    const context = await browser.newContext({ viewport: { width: 1280, height: 760 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', m => { if (m.type() === 'error') problems.push(m.text()); });
    page.on('pageerror', e => problems.push(e.message));
    try {
      const res = await page.goto(rig.hub.httpUrl);
      assert.match(res?.headers()['content-security-policy'] ?? '', /script-src 'self'/);
      await page.fill('#token', 'not-the-token-at-all-really');
      await page.click('#connect');
      await page.waitForSelector('.form-error', { timeout: 10_000 });
      await page.fill('#token', rig.token);
      await page.click('#connect');
      await page.waitForSelector('.row', { timeout: 10_000 });
      problems.length = 0; // the refused wrong token above logs a WebSocket error by design
      const order = await page.$$eval('.row', rows => rows.map(r => r.getAttribute('data-session')));
      assert.equal(order.length, 4);
      assert.equal(order[0], approval.id, 'the session that needs approval comes first');
      assert.equal(await page.textContent('.count'), '1');

      await page.click(`.row[data-session="${approval.id}"]`);
      await page.waitForSelector('.approval button[data-decision="approved"]', { timeout: 10_000 });
      await page.waitForSelector('.msg[data-id="a2"]', { timeout: 10_000 }); // the snapshot's transcript
      assert.match(await page.textContent('.approval') ?? '', /npm test/);
      assert.match(await page.textContent('.transcript') ?? '', /token expiry/);
      assert.equal(await page.$$eval('.md strong', els => els.length) > 0, true, 'agent markdown rendered');
      await page.screenshot({ path: screenshotPath('web-client.png') });

      await page.click('.approval button[data-decision="approved"]');
      await page.waitForSelector('.approval', { state: 'detached', timeout: 10_000 });
      assert.deepEqual(ctl.calls, [{ approvalId: 'ap-web', decision: 'approved' }]);
      const now = rig.engine.requireSession(approval.id);
      assert.equal(now.pendingApproval, null);
      assert.equal(now.workStatus, 'working');

      // The token is kept: a reload goes straight to the list.
      await page.reload();
      await page.waitForSelector('.row', { timeout: 10_000 });
      assert.equal(await page.$('#token'), null);
      assert.deepEqual(problems, [], 'no script errors or CSP violations');
    } finally {
      await context.close();
    }
  });

  it('shows the branch and worktree of a session in a git worktree, in its row and its view', async () => {
    await freshRig();
    const wt = '/home/dev/api-worktrees/add-pagination';
    const s = rig.engine.createSession({ provider: 'codex', mode: 'passive', providerSessionId: 'thread-wt', cwd: wt, firstPrompt: 'Add pagination' });
    rig.engine.apply(s.id, { type: 'metadata', gitBranch: 'add-pagination', worktree: { path: wt, mainRepoPath: '/home/dev/api', branch: 'add-pagination', baseRef: 'main', createdByFlightdeck: true } });
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    const page = await context.newPage();
    try {
      await page.goto(`${rig.hub.httpUrl}#token=${rig.token}`);
      const chip = `.row[data-session="${s.id}"] .branch.worktree`;
      await page.waitForSelector(chip, { timeout: 10_000 });
      assert.equal((await page.textContent(chip))?.trim(), '⎇ add-pagination · worktree');
      assert.match(await page.getAttribute(chip, 'title') ?? '', /^Worktree \/home\/dev\/api-worktrees\/add-pagination of \/home\/dev\/api \(branch add-pagination, from main\)/);
      await page.click(`.row[data-session="${s.id}"]`);
      await page.waitForSelector('.session-head .branch.worktree', { timeout: 10_000 });
      // Removed (the engine clears worktree): the branch alone, live.
      rig.engine.apply(s.id, { type: 'metadata', worktree: null });
      await page.waitForFunction(() => (globalThis as any).document.querySelector('.session-head .branch')?.textContent?.trim() === '⎇ add-pagination', undefined, { timeout: 10_000 });
    } finally {
      await context.close();
    }
  });

  it('shows a watched (passive) session read-only with Take Over, and every server error to the user', async () => {
    await freshRig();
    const { engine } = rig;
    const watched = engine.createSession({ provider: 'codex', mode: 'passive', providerSessionId: 'thread-w', cwd: '/home/dev/api', firstPrompt: 'Add pagination to GET /orders' });
    engine.apply(watched.id, { type: 'turnStarted', turnId: 't1' });
    const asked: string[] = [];
    let refuse = true;
    engine.registerProvider({
      handles: x => x.id === watched.id,
      takeover: async x => {
        asked.push(x.id);
        if (refuse) throw new EngineError('conflict', 'another Codex process may still be writing this session');
        engine.apply(x.id, { type: 'modeChanged', mode: 'direct' });
      },
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 760 } });
    await context.addInitScript(`localStorage.setItem('flightdeck.hubToken', ${JSON.stringify(rig.token)})`);
    const page = await context.newPage();
    try {
      await page.goto(`${rig.hub.httpUrl}#/s/${encodeURIComponent(watched.id)}`);
      await page.waitForSelector('.read-only', { timeout: 10_000 });
      assert.equal(await page.$('#composer'), null, 'no message box on a watched session');
      assert.match(await page.textContent('.read-only') ?? '', /Read-only: this session was started outside Flightdeck/);
      assert.match(await page.textContent('.session-head') ?? '', /Passive/);
      await page.click('#take-over');
      await page.waitForSelector('.toast:has-text("another Codex process may still be writing")', { timeout: 10_000 });
      refuse = false;
      await page.click('#take-over');
      await page.waitForSelector('#composer', { timeout: 10_000 });
      assert.deepEqual(asked, [watched.id, watched.id]);
    } finally {
      await context.close();
    }
  });

  it('change cards: paths relative to the session folder cut at their start, states in words, "Interrupted" under a cut reply', async () => {
    await freshRig();
    const { engine, clock } = rig;
    const at = () => iso(clock.now());
    const cwd = '/work/acme-api';
    const deep = `${cwd}/services/billing/internal/ledger/reconciliation/calc.py`;
    const s = engine.createSession({ provider: 'codex', mode: 'direct', cwd, firstPrompt: 'Fix the ledger' });
    engine.apply(s.id, { type: 'turnStarted', turnId: 't1' });
    engine.appendMessage(s.id, { id: 'r1', kind: 'agent', createdAt: at(), text: 'I was halfway through expla', status: 'interrupted', turnId: 't1' });
    engine.appendMessage(s.id, { id: 'cmd', kind: 'command', createdAt: at(), text: 'rm -rf build', command: 'rm -rf build', status: 'inProgress', turnId: 't1' });
    engine.appendMessage(s.id, {
      id: 'edit', kind: 'fileChange', createdAt: at(), text: 'apply_patch', status: 'inProgress', turnId: 't1',
      changes: [{ path: deep, kind: 'update', diff: '@@ -1 +1 @@\n-a\n+b\n' }],
    });
    engine.apply(s.id, {
      type: 'approvalRequested',
      approval: { approvalId: 'ap-e', version: 0, kind: 'fileChange', itemId: 'edit', options: ['approved', 'denied'], requestedAt: at() },
    });
    const context = await browser.newContext({ viewport: { width: 400, height: 760 } });
    await context.addInitScript(`localStorage.setItem('flightdeck.hubToken', ${JSON.stringify(rig.token)})`);
    const page = await context.newPage();
    try {
      await page.goto(`${rig.hub.httpUrl}#/s/${encodeURIComponent(s.id)}`);
      await page.waitForSelector('[data-id="edit"] summary', { timeout: 10_000 });
      const text = (sel: string) => page.$eval(sel, el => (el.textContent ?? '').replace(/\s+/g, ' ').trim());
      assert.equal(await text('[data-id="r1"] .interrupted-marker'), 'Interrupted');
      assert.equal(await text('[data-id="cmd"] .chip'), 'running…', 'a command no approval holds is running');
      assert.equal(await text('[data-id="edit"] .change-title'), 'Wants to edit a file', 'no raw inProgress, no "Edited" before the approval');
      assert.equal(await text('[data-id="edit"] summary .chip'), 'waiting for approval');
      assert.equal(await text('[data-id="edit"] summary .path'), 'services/billing/internal/ledger/reconciliation/calc.py', 'relative to the session folder, no trailing slash');
      const styles = await page.$eval('[data-id="edit"] summary .path', el => [el, ...el.querySelectorAll('*')].map(x => getComputedStyle(x).direction));
      assert.ok(styles.every(d => d === 'ltr'), `no right-to-left trick: ${styles}`);
      const cut = await page.$eval('[data-id="edit"] summary .path', el => {
        const box = el.getBoundingClientRect();
        const node = el.querySelector('.path-text')!.firstChild!;
        const range = document.createRange();
        const n = node.textContent!.length;
        range.setStart(node, n - 7); range.setEnd(node, n);
        const last = range.getBoundingClientRect();
        range.setStart(node, 0); range.setEnd(node, 8);
        const first = range.getBoundingClientRect();
        return { overflows: (el.firstElementChild as any).offsetWidth > el.clientWidth, lastVisible: last.left >= box.left - 1 && last.right <= box.right + 1, firstHidden: first.right <= box.left + 1 };
      });
      assert.deepEqual(cut, { overflows: true, lastVisible: true, firstHidden: true }, '"calc.py" stays visible at the end; the start is cut');
      // Approved: the edit is being applied.
      engine.apply(s.id, { type: 'approvalCleared', approvalId: 'ap-e' });
      await page.waitForFunction(() => document.querySelector('[data-id="edit"] .change-title')?.textContent === 'Editing a file', undefined, { timeout: 10_000 });
    } finally {
      await context.close();
    }
  });

  it('a review sent to the agent is one card: title, file:line and comment each (issue 18)', async () => {
    await freshRig();
    const { engine, clock } = rig;
    const s = engine.createSession({ provider: 'codex', mode: 'direct', cwd: '/work/acme-api', firstPrompt: 'Fix the ledger' });
    const review = [{ path: 'src/ledger.py', line: 12, body: 'Round before summing, not after.' }, { path: 'src/calc.py', line: 3, side: 'original' as const, body: 'Keep this guard' }];
    engine.appendMessage(s.id, { id: 'rev', kind: 'user', createdAt: iso(clock.now()), text: 'Review comments on your changes (2 comments) …', review });
    const context = await browser.newContext({ viewport: { width: 400, height: 760 } });
    await context.addInitScript(`localStorage.setItem('flightdeck.hubToken', ${JSON.stringify(rig.token)})`);
    const page = await context.newPage();
    try {
      await page.goto(`${rig.hub.httpUrl}#/s/${encodeURIComponent(s.id)}`);
      await page.waitForSelector('[data-id="rev"] .review-card', { timeout: 10_000 });
      const card = await page.$eval('[data-id="rev"]', el => ({
        head: el.querySelector('.review-head')!.textContent,
        where: [...el.querySelectorAll('.review-where')].map(e => e.textContent),
        bodies: [...el.querySelectorAll('.review-body')].map(e => e.textContent),
        bubbles: el.querySelectorAll('.bubble').length,
      }));
      assert.deepEqual(card, {
        head: 'Review · 2 comments', where: ['src/ledger.py:12', 'src/calc.py:3 (before)'], bodies: [review[0].body, review[1].body], bubbles: 0,
      });
    } finally {
      await context.close();
    }
  });

  it('fits a phone screen: one column, no sideways scrolling; send, interrupt and answering a question reach the engine', async () => {
    await freshRig();
    const { approval } = seed(rig);
    const sent: string[] = [];
    let wake = () => {};
    const sentTwo = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only got ${JSON.stringify(sent)}`)), 15_000);
      wake = () => { if (sent.length >= 2) { clearTimeout(timer); resolve(); } };
    });
    const answered: unknown[] = [];
    let answeredWake = () => {};
    rig.engine.registerProvider({
      handles: s => s.id === approval.id,
      sendMessage: async (_s, text) => { sent.push(text); wake(); },
      interrupt: async () => { sent.push('<interrupt>'); wake(); },
      answerQuestion: async (_s, questionId, answers) => { answered.push({ questionId, answers }); answeredWake(); },
    });
    rig.engine.apply(approval.id, { type: 'approvalCleared' });
    rig.engine.apply(approval.id, { type: 'workStatus', workStatus: 'working' });
    const context = await browser.newContext({ viewport: { width: 390, height: 800 }, isMobile: true, hasTouch: true });
    await context.addInitScript(`localStorage.setItem('flightdeck.hubToken', ${JSON.stringify(rig.token)})`);
    const page = await context.newPage();
    try {
      await page.goto(rig.hub.httpUrl);
      await page.waitForSelector('.row', { timeout: 10_000 });
      const overflow = () => page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      assert.equal(await overflow(), 0);
      await page.click(`.row[data-session="${approval.id}"]`);
      await page.waitForSelector('#composer', { timeout: 10_000 });
      assert.equal(await page.isVisible('.list'), false, 'the list steps aside for the session on a phone');
      assert.equal(await overflow(), 0);
      await page.fill('#composer', 'Also run the linter');
      await page.click('#send');
      // Cleared once the hub answered (a string predicate would be eval'd, which the page's CSP forbids).
      await page.waitForSelector('#composer:placeholder-shown', { timeout: 10_000 });
      await page.click('#interrupt');
      await sentTwo;
      assert.deepEqual(sent, ['Also run the linter', '<interrupt>']);

      // A question from the agent, answered from the phone by option and free text.
      const gotAnswer = new Promise<void>(resolve => { answeredWake = resolve; });
      rig.engine.apply(approval.id, {
        type: 'questionAsked',
        question: {
          questionId: 'q-web', requestedAt: iso(rig.clock.now()), questions: [
            { id: 'db', question: 'Which database should the cache use?', options: [{ label: 'SQLite' }, { label: 'Redis' }] },
            { id: 'note', question: 'Anything else?', allowFreeText: true },
          ],
        },
      });
      await page.click('button.option:has-text("Redis")', { timeout: 10_000 });
      await page.fill('input[data-question="note"]', 'Keep it local');
      await page.click('#answer');
      await gotAnswer;
      assert.deepEqual(answered, [{ questionId: 'q-web', answers: { db: 'Redis', note: 'Keep it local' } }]);
      await page.waitForSelector('.question', { state: 'detached', timeout: 10_000 });
      assert.equal(rig.engine.requireSession(approval.id).pendingQuestion, null);
    } finally {
      await context.close();
    }
  });
});
