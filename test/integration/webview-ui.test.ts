// The session webview in a real Chromium, under the same strict CSP (nonce scripts, no inline
// styles) the VS Code panel host uses. The page talks to a test transport; the test plays the engine.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { ClientMessage, Message, ServerMessage, Session } from '../../src/engine/protocol';
import type { WebviewToHost } from '../../webview/session/envelope';
import { startPageServer, type PageServer } from '../fixtures/webview/pageServer';
import { screenshotPath } from '../helpers/screenshots';
import {
  LIMITER_CHANGE, ROUTES_CHANGE, SESSION_ID, everyKindMessages, makeApproval, makeMessage, makeQuestion, makeSession,
} from '../fixtures/webview/sessionFixtures';

const ROOT = path.resolve(__dirname, '../../..');
const WAIT = { timeout: 10_000 };

// Browser globals of the callbacks that run inside Chromium (page.evaluate); the root tsconfig has no DOM lib.
declare const window: any, document: any, requestAnimationFrame: (cb: () => void) => number, getComputedStyle: any;

/** One panel page and the engine side of its conversation. */
class Panel {
  revision = 10;
  constructor(readonly page: Page) {}

  async deliver(message: ServerMessage): Promise<void> {
    await this.page.evaluate(m => window.postMessage({ channel: 'protocol', message: m }, '*'), message as unknown as Record<string, unknown>);
  }

  async posted(): Promise<WebviewToHost[]> {
    return this.page.evaluate(() => window.__flightdeckTestTransport.posted);
  }

  /** Waits until the page sent the nth (1-based) protocol message of this type, and returns it. */
  async sent<T extends ClientMessage['type']>(type: T, nth = 1): Promise<Extract<ClientMessage, { type: T }>> {
    await this.page.waitForFunction(([t, n]) => window.__flightdeckTestTransport.posted
      .filter((p: WebviewToHost) => p.channel === 'protocol' && p.message.type === t).length >= n, [type, nth] as const, WAIT);
    const all = (await this.posted()).filter(p => p.channel === 'protocol' && p.message.type === type);
    return (all[nth - 1] as unknown as { message: Extract<ClientMessage, { type: T }> }).message;
  }

  async sentToHost(type: string): Promise<Record<string, unknown>> {
    await this.page.waitForFunction(t => window.__flightdeckTestTransport.posted
      .some((p: WebviewToHost) => p.channel === 'host' && p.type === t), type, WAIT);
    return (await this.posted()).find(p => p.channel === 'host' && p.type === type) as unknown as Record<string, unknown>;
  }

  /** Answers the page's subscribe_session with a snapshot. */
  async snapshot(session: Session, messages: Message[], hasMore = false): Promise<void> {
    const sub = await this.sent('subscribe_session');
    this.revision = session.revision;
    await this.deliver({ type: 'session_snapshot', requestId: sub.requestId, revision: session.revision, session, messages, hasMore });
    await this.page.waitForSelector('.session-header .name-button', WAIT);
  }

  async delta(changes: Partial<Session>): Promise<void> {
    this.revision++;
    await this.deliver({ type: 'session_delta', sessionId: SESSION_ID, revision: this.revision, listRevision: 1, changes });
  }

  async cspViolations(): Promise<string[]> { return this.page.evaluate(() => window.__cspViolations); }
}

describe('session webview in Chromium', function () {
  this.timeout(60_000);
  let tmp: string;
  let server: PageServer;
  let browser: Browser;
  const pages: Page[] = [];
  const pageErrors: string[] = [];

  async function openPanel(theme: 'dark' | 'light' = 'dark', viewport = { width: 1000, height: 900 }): Promise<Panel> {
    const page = await browser.newPage({ viewport });
    pages.push(page);
    page.on('pageerror', e => pageErrors.push(e.message));
    await page.goto(server.pageUrl(SESSION_ID, theme));
    return new Panel(page);
  }

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-webview-'));
    execFileSync(process.execPath, [path.join(ROOT, 'webview/build.mjs'), '--outdir', tmp], { cwd: ROOT, stdio: 'inherit' });
    server = await startPageServer(tmp);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium', headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update'],
    });
  });

  afterEach(async () => {
    while (pages.length) await pages.pop()!.close();
    assert.deepEqual(pageErrors.splice(0), [], 'no uncaught errors in the page');
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('subscribes, then renders a snapshot with an item of every kind, the header and the turn changes', async () => {
    const p = await openPanel('dark', { width: 1000, height: 1400 });
    const sub = await p.sent('subscribe_session');
    assert.deepEqual({ ...sub, requestId: undefined }, { type: 'subscribe_session', sessionId: SESSION_ID, requestId: undefined });
    assert.equal((await p.posted())[0].channel, 'host', 'the page tells the host it is ready first');
    await p.snapshot(makeSession({ turnDiff: [LIMITER_CHANGE, ROUTES_CHANGE] }), everyKindMessages());
    const { page } = p;
    await page.waitForSelector('.vl-row.kind-system', WAIT);

    for (const kind of ['turn', 'user', 'reasoning', 'agent', 'plan', 'command', 'fileChange', 'webSearch', 'mcpTool', 'tool', 'toolResult', 'error', 'system']) {
      assert.ok(await page.$(`.vl-row.kind-${kind}`), `a ${kind} item is rendered`);
    }
    const text = (sel: string) => page.$eval(sel, el => (el).innerText.replace(/\s+/g, ' ').trim());
    assert.match(await text('.kind-user .bubble'), /^Add rate limiting/);
    assert.equal(await text('.kind-agent .markdown strong'), 'MAX_ATTEMPTS', 'agent text is markdown');
    assert.match(await text('.kind-agent .markdown pre code'), /WINDOW_MS/);
    assert.equal(await page.$eval('.kind-reasoning details', d => (d).open), false, 'reasoning starts collapsed');
    const commands = await page.$$eval('.kind-command .card', cards => cards.map(c => ({ failed: c.classList.contains('failed'), badge: c.querySelector('.badge')!.textContent })));
    assert.deepEqual(commands, [{ failed: false, badge: 'exit 0' }, { failed: true, badge: 'exit 1' }]);
    assert.equal(await page.$eval('.kind-command details', d => (d).open), false, 'command output starts folded');
    assert.equal(await page.$$eval('.kind-fileChange .diff-line.add', l => l.length), 2);
    assert.equal(await page.$$eval('.kind-fileChange .diff-line.del', l => l.length), 1);
    assert.deepEqual(await page.$$eval('.kind-plan .step', s => s.map(x => x.className.replace('step ', ''))), ['completed', 'inProgress', 'pending']);
    assert.equal(await text('.kind-turn'), 'Turn 1 · 1m 24s');
    assert.match(await text('.kind-error'), /Stream disconnected/);

    assert.equal(await text('.name-button'), 'Add rate limiting to the login endpoint');
    assert.match(await text('.header-facts'), /Codex.*Direct.*Model.*gpt-5-codex/is);
    assert.equal(await page.$eval('.autonomy select', s => (s).value), 'autoEdit');
    assert.equal(await page.$$eval('.autonomy option', o => o.map(x => x.textContent).join('|')), 'Suggest|Auto Edit|Full Auto|Full Access');
    assert.match(await text('.usage'), /Context 24% 182k in 9.1k out 120k cached 5h 32% weekly 11%/);
    assert.equal(await text('.status'), 'Working');

    // "Open diff" on a transcript card and in the turn's changes view go to the host.
    await page.click('.kind-fileChange .open-diff');
    assert.deepEqual(await p.sentToHost('openDiff'), { channel: 'host', type: 'openDiff', sessionId: SESSION_ID, messageId: 'k-fileChange-8', turnId: 'turn-1', path: 'src/auth/limiter.ts' });
    assert.equal(await page.$$eval('.changes .file-row', r => r.length), 2);
    await page.click('.changes .file-row:nth-child(2) .open-diff');
    await page.waitForFunction(() => window.__flightdeckTestTransport.posted.filter((x: WebviewToHost) => x.channel === 'host' && x.type === 'openDiff').length === 2, null, WAIT);
    const diffs = (await p.posted()).filter(x => x.channel === 'host' && x.type === 'openDiff');
    assert.deepEqual(diffs[1], { channel: 'host', type: 'openDiff', sessionId: SESSION_ID, messageId: null, turnId: 'turn-2', path: 'src/routes/login.ts' });
    assert.deepEqual(await p.cspViolations(), [], 'nothing the page does is blocked by the CSP');
  });

  it('approves with the approval id and version, stays disabled until the engine confirms, and re-enables on an error', async () => {
    const p = await openPanel();
    const approval = makeApproval();
    await p.snapshot(makeSession({ workStatus: 'needsApproval', pendingApproval: approval, pendingApprovals: [approval] }), everyKindMessages().slice(0, 4));
    const { page } = p;
    await page.waitForSelector('.approval-card', WAIT);
    assert.match(await page.$eval('.approval-command', e => e.textContent!), /rm -rf node_modules && npm ci/);
    assert.deepEqual(await page.$$eval('.approval-actions button', b => b.map(x => x.textContent)), ['Approve', 'Approve for session', 'Deny', 'Deny and stop'],
      'no "Always" unless the provider offers it');
    assert.match(await page.$eval('button[data-decision="approved"]', b => b.title), /\((Ctrl\+|⌘)Enter\)/);
    assert.match(await page.$eval('button[data-decision="denied"]', b => b.title), /\((Ctrl\+|⌘)Backspace\)/);

    await page.click('button[data-decision="approved"]');
    const sent = await p.sent('approve_tool');
    assert.deepEqual({ ...sent, requestId: undefined }, { type: 'approve_tool', sessionId: SESSION_ID, approvalId: 'ap-1', version: 2, decision: 'approved', requestId: undefined });
    const allDisabled = () => page.$$eval('.approval-actions button', b => b.every(x => (x).disabled));
    assert.equal(await allDisabled(), true);
    await page.keyboard.press('Control+Enter');
    await p.deliver({ type: 'result', ok: true, requestId: sent.requestId, sessionId: SESSION_ID });
    assert.equal(await allDisabled(), true, 'an ok answer is not the confirmation: the state change is');
    assert.equal((await p.posted()).filter(x => x.channel === 'protocol' && x.message.type === 'approve_tool').length, 1, 'no second decision while one is pending');

    await p.delta({ pendingApproval: null, pendingApprovals: [], workStatus: 'working' });
    await page.waitForSelector('.approval-card', { state: 'detached', ...WAIT });

    // A second approval, this one offering "Always"; decided by keyboard, answered with an error.
    const second = makeApproval({ approvalId: 'ap-2', version: 0, kind: 'fileChange', command: null, changes: [LIMITER_CHANGE], options: ['approved', 'approved_always', 'denied', 'abort'] });
    await p.delta({ pendingApproval: second, pendingApprovals: [second], workStatus: 'needsApproval' });
    await p.deliver({ type: 'approval_requested', sessionId: SESSION_ID, revision: p.revision, approval: second });
    await page.waitForSelector('.approval-card[data-approval-id="ap-2"] button[data-decision="approved_always"]', WAIT);
    assert.equal(await page.$$eval('.approval-card .diff-line.add', l => l.length), 2, 'the files to change are shown with their diff');
    await page.keyboard.press('Control+Backspace');
    const denied = await p.sent('approve_tool', 2);
    assert.equal(denied.decision, 'denied');
    assert.equal(denied.approvalId, 'ap-2');
    assert.equal(await allDisabled(), true);
    await p.deliver({ type: 'error', requestId: denied.requestId, code: 'stale_approval', message: 'approval ap-2 v0 was already decided' });
    await page.waitForSelector('.banner.error', WAIT);
    assert.match(await page.$eval('.banner.error', e => e.textContent!), /already decided/);
    assert.equal(await page.$$eval('.approval-actions button', b => b.every(x => !(x).disabled)), true, 'buttons come back after an error');
  });

  it('answers a question by question id, and drives the session: send, history, interrupt, rename, autonomy', async () => {
    const p = await openPanel();
    await p.snapshot(makeSession({ workStatus: 'needsAnswer', pendingQuestion: makeQuestion() }), []);
    const { page } = p;
    await page.click('.question-card input[value="Redis"]');
    await page.fill('.question-card input[name="note::text"]', 'Keep the limit per IP');
    await page.click('.question-card button[type="submit"]');
    const answer = await p.sent('answer_question');
    assert.equal(answer.questionId, 'q-1');
    assert.deepEqual(answer.answers, { store: 'Redis', note: 'Keep the limit per IP' });
    await p.delta({ pendingQuestion: null, workStatus: 'working' });
    await page.waitForSelector('.question-card', { state: 'detached', ...WAIT });

    await page.fill('.composer-input', 'Also cover the signup endpoint');
    await page.press('.composer-input', 'Enter');
    assert.equal((await p.sent('send_message')).text, 'Also cover the signup endpoint');
    assert.equal(await page.$eval('.composer-input', t => (t).value), '');
    await page.press('.composer-input', 'ArrowUp');
    assert.equal(await page.$eval('.composer-input', t => (t).value), 'Also cover the signup endpoint', 'Up recalls the last message');
    await page.press('.composer-input', 'ArrowDown');
    assert.equal(await page.$eval('.composer-input', t => (t).value), '');
    await page.press('.composer-input', 'Escape');
    await p.sent('interrupt_session');

    await page.click('.name-button');
    await page.fill('.name-input', 'Login limiter');
    await page.press('.name-input', 'Enter');
    assert.equal((await p.sent('rename_session')).name, 'Login limiter');

    await page.selectOption('.autonomy select', 'fullAuto');
    const config = await p.sent('update_session_config');
    assert.equal(config.autonomy, 'fullAuto');
  });

  it('lets the header change the model and its reasoning effort, from the models the app-server lists', async () => {
    const p = await openPanel();
    await p.snapshot(makeSession({ workStatus: 'waiting' }), []);
    const { page } = p;
    assert.equal(await page.$eval('.model-choice select', s => (s).value), 'gpt-5-codex', 'the current model before any list');
    assert.equal((await p.posted()).filter(x => x.channel === 'protocol' && x.message.type === 'list_models').length, 0,
      'no model list (no app-server started) just for drawing the header');
    await page.focus('.model-choice select');
    const ask = await p.sent('list_models');
    assert.equal(ask.provider, 'codex');
    await p.deliver({
      type: 'models_list', requestId: ask.requestId, provider: 'codex', models: [
        { id: 'gpt-5-codex', displayName: 'GPT-5 Codex', isDefault: true, efforts: [{ effort: 'low' }, { effort: 'medium' }, { effort: 'high' }], defaultEffort: 'medium' },
        { id: 'gpt-5-mini', displayName: 'GPT-5 mini', efforts: [] },
      ],
    });
    await page.waitForSelector('.model-choice option[value="gpt-5-mini"]', { state: 'attached', ...WAIT });
    assert.equal(await page.$eval('.model-choice select', s => (s).value), 'gpt-5-codex');
    assert.equal(await page.$eval('.effort-choice select', s => (s).value), 'medium', 'the model\'s default effort when none was chosen');
    await page.selectOption('.effort-choice select', 'high');
    assert.equal((await p.sent('update_session_config')).effort, 'high');
    await page.selectOption('.model-choice select', 'gpt-5-mini');
    assert.equal((await p.sent('update_session_config', 2)).model, 'gpt-5-mini');
    await p.delta({ model: 'gpt-5-mini' });
    await page.waitForSelector('.effort-choice', { state: 'detached', ...WAIT });
  });

  it('explains passive sessions and offers "Take over" for Codex ones', async () => {
    const p = await openPanel();
    await p.snapshot(makeSession({ mode: 'passive', workStatus: 'working' }), [makeMessage(1)]);
    const { page } = p;
    assert.equal(await page.$('.composer-input'), null, 'no message box for a passive session');
    assert.match(await page.$eval('.composer.passive', e => e.textContent!), /started outside Flightdeck/);
    assert.equal(await page.$eval('.autonomy select', s => (s).disabled), true);
    assert.match(await page.$eval('.autonomy', e => e.getAttribute('title')!), /Take it over to change this/, 'a disabled control says why');
    await page.click('.composer.passive button');
    assert.equal((await p.sent('takeover_session')).sessionId, SESSION_ID);
  });

  it('the header shows the branch and the worktree a session runs in (screenshot)', async () => {
    const p = await openPanel('dark', { width: 1000, height: 520 });
    const wt = '/work/acme-api-worktrees/add-rate-limiting-to-the-login-endpoint';
    await p.snapshot(makeSession({
      cwd: wt, projectName: 'add-rate-limiting-to-the-login-endpoint', gitBranch: 'add-rate-limiting-to-the-login-endpoint',
      worktree: { path: wt, mainRepoPath: '/work/acme-api', branch: 'add-rate-limiting-to-the-login-endpoint', baseRef: 'main', createdByFlightdeck: true },
    }), [makeMessage(1)]);
    const { page } = p;
    await page.waitForSelector('.session-header .branch.worktree', WAIT);
    assert.equal(await page.$eval('.branch.worktree', e => e.textContent!.trim()), '⎇ add-rate-limiting-to-the-login-endpoint · worktree');
    assert.equal(await page.$eval('.branch.worktree', e => e.getAttribute('title')!),
      `Worktree ${wt} of /work/acme-api (branch add-rate-limiting-to-the-login-endpoint, from main), created by Flightdeck`);
    // Outside a worktree the branch alone; removed (worktree cleared), the chip follows the delta.
    await p.delta({ worktree: null });
    await page.waitForFunction(() => document.querySelector('.session-header .branch')?.textContent?.trim() === '⎇ add-rate-limiting-to-the-login-endpoint', undefined, WAIT);
    assert.equal(await page.$$eval('.branch.worktree', els => els.length), 0);
    await p.delta({ worktree: { path: wt, mainRepoPath: '/work/acme-api', branch: 'add-rate-limiting-to-the-login-endpoint', baseRef: 'main', createdByFlightdeck: true } });
    await page.waitForSelector('.session-header .branch.worktree', WAIT);
    // A picture of the header alone (the README shows the workbench one, vscode-worktree.png, from test/host/shots.cjs).
    await page.evaluate(() => document.fonts.ready);
    await page.screenshot({ path: screenshotPath('worktree-session.png'), clip: { x: 0, y: 0, width: 1000, height: 124 } });
  });

  it('a remote session opened while its engine cannot be reached says so, and loads once the list says the engine is back', async () => {
    const p = await openPanel();
    const first = await p.sent('subscribe_session');
    await p.deliver({ type: 'error', requestId: first.requestId, code: 'unreachable', message: 'the remote engine "devbox" is not reachable now' });
    const { page } = p;
    await page.waitForSelector('.banner.unreachable', WAIT);
    assert.equal(await page.$eval('.banner.unreachable', e => e.textContent!.trim()), 'The remote engine "devbox" is not reachable now: its transcript loads here when that engine is reachable again.');
    assert.equal(await page.$eval('.session-name', e => e.textContent!.trim()), 'Session on an engine that cannot be reached', 'not "Loading session…" forever');
    assert.equal(await page.$('.banner.error'), null, 'not shown as a failure');
    // The list's reachability delta (posted to the page before any snapshot): subscribed again, in full.
    const host = { name: 'devbox', reachable: true };
    await p.deliver({ type: 'session_delta', sessionId: SESSION_ID, revision: 3, listRevision: 9, changes: { host } });
    const again = await p.sent('subscribe_session', 2);
    assert.equal(again.sinceRevision, undefined, 'a full snapshot: nothing of the transcript is held');
    await p.deliver({ type: 'session_snapshot', requestId: again.requestId, revision: 3, session: makeSession({ host, revision: 3 }), messages: [makeMessage(1)], hasMore: false });
    await page.waitForSelector('.session-header .name-button', WAIT);
    assert.equal(await page.$('.banner.unreachable'), null);
  });

  it('a passive approval offers no decision: it says the terminal waits, with Take over', async () => {
    const p = await openPanel();
    const approval = makeApproval({ approvalId: 'call_9', version: 0, options: [] });
    await p.snapshot(makeSession({ mode: 'passive', workStatus: 'needsApproval', pendingApproval: approval, pendingApprovals: [approval] }), [makeMessage(1)]);
    const { page } = p;
    await page.waitForSelector('.approval-card.in-terminal', WAIT);
    assert.equal(await page.$$eval('.approval-card button[data-decision]', b => b.length), 0, 'no Approve / Deny for an approval only the terminal can answer');
    assert.match(await page.$eval('.approval-notice', e => e.textContent!), /^Waiting for approval in its terminal/);
    assert.match(await page.$eval('.approval-command', e => e.textContent!), /rm -rf node_modules/, 'what waits is still shown');
    assert.equal(await page.$$eval('button', bs => bs.filter(b => b.textContent!.trim() === 'Take Over').length), 1, 'one Take Over: the card\'s, not a second one in the read-only notice');
    // The README shows this card (docs/screenshots/, copied by `npm run screenshots`).
    await page.evaluate(() => document.fonts.ready);
    await page.screenshot({ path: screenshotPath('session-panel-passive-approval.png') });
    await page.keyboard.press('Control+Enter');
    await page.click('.approval-card button[data-action="takeover"]');
    assert.equal((await p.sent('takeover_session')).sessionId, SESSION_ID);
    assert.equal((await p.posted()).filter(x => x.channel === 'protocol' && x.message.type === 'approve_tool').length, 0, 'Ctrl+Enter decides nothing');
  });

  it('cards tell the state: waiting for approval, a proposed edit, an interrupted reply, paths relative to the session folder', async () => {
    const p = await openPanel('dark', { width: 520, height: 900 });
    const deep = '/work/acme-api/services/billing/internal/ledger/reconciliation/calc.py';
    const cmd = makeMessage(2, { kind: 'command', text: 'rm -rf build', command: 'rm -rf build', status: 'inProgress' });
    const edit = makeMessage(3, { kind: 'fileChange', text: 'apply_patch', status: 'inProgress', changes: [{ path: deep, kind: 'update', diff: '@@ -1 +1 @@\n-a\n+b\n' }] });
    const approval = makeApproval({ approvalId: 'ap-c', itemId: cmd.id, options: ['approved', 'denied'] });
    const editApproval = makeApproval({ approvalId: 'ap-e', kind: 'fileChange', command: null, itemId: edit.id, options: ['approved', 'denied'] });
    const reply = makeMessage(4, { text: 'I was halfway through expla', status: 'interrupted' });
    await p.snapshot(makeSession({ workStatus: 'needsApproval', pendingApproval: approval, pendingApprovals: [approval, editApproval] }), [makeMessage(1), cmd, edit, reply]);
    const { page } = p;
    const text = (sel: string) => page.$eval(sel, el => (el).textContent!.replace(/\s+/g, ' ').trim());
    await page.waitForSelector('.kind-command .badge', WAIT);
    assert.equal(await text('.kind-command .badge'), 'waiting for approval', 'not "running…" before it may run');
    assert.equal(await text('.kind-fileChange .card-head .title'), 'Wants to edit a file');
    assert.equal(await text('.kind-fileChange .card-head .badge'), 'waiting for approval', 'no raw inProgress badge');
    assert.equal(await text('.kind-agent.vl-row:last-child .interrupted-marker, .vl-row .interrupted-marker'), 'Interrupted');

    // The path: relative to the session folder, cut at its start, with its slashes in place.
    assert.equal(await text('.kind-fileChange .file-path'), 'services/billing/internal/ledger/reconciliation/calc.py');
    const cut = await page.$eval('.kind-fileChange .file-path', el => {
      const box = el.getBoundingClientRect();
      // lit puts comment markers around its parts: the text node is the one of type 3.
      const node = [...el.querySelector('bdi')!.childNodes].find((x: any) => x.nodeType === 3)!;
      const range = document.createRange();
      const n = node.textContent!.length;
      range.setStart(node, n - 7); range.setEnd(node, n);
      const last = range.getBoundingClientRect();
      range.setStart(node, 0); range.setEnd(node, 8);
      const first = range.getBoundingClientRect();
      return { overflows: el.scrollWidth > el.clientWidth, lastVisible: last.left >= box.left - 1 && last.right <= box.right + 1, firstHidden: first.right <= box.left + 1 };
    });
    assert.deepEqual(cut, { overflows: true, lastVisible: true, firstHidden: true }, '"calc.py" stays visible at the end; the start is cut');

    // Approved: the command runs now, the edit is applied.
    await p.delta({ workStatus: 'working', pendingApproval: null, pendingApprovals: [] });
    await page.waitForFunction(() => document.querySelector('.kind-command .badge')?.textContent === 'running…', undefined, WAIT);
    assert.equal(await text('.kind-fileChange .card-head .title'), 'Editing a file');
  });

  it('reopened from its tab: draws the last state at once, at the bottom, before the engine answers', async () => {
    const first = await openPanel('dark', { width: 1000, height: 600 });
    const messages = Array.from({ length: 40 }, (_, i) => makeMessage(i + 1));
    await first.snapshot(makeSession({ workStatus: 'waiting' }), messages);
    const saved = await first.page.waitForFunction(() => window.__flightdeckTestTransport.saved?.last?.messages?.length ? window.__flightdeckTestTransport.saved : null, undefined, WAIT);
    const state = await saved.jsonValue();
    // The tab is hidden (VS Code drops the page) and shown again: a new page with the saved state.
    const page = await browser.newPage({ viewport: { width: 1000, height: 600 } });
    pages.push(page);
    page.on('pageerror', e => pageErrors.push(e.message));
    await page.addInitScript(s => { window.__flightdeckSavedState = s; }, state);
    await page.goto(server.pageUrl(SESSION_ID, 'dark'));
    const again = new Panel(page);
    await page.waitForSelector('.vl-row[data-key="m40"]', WAIT);
    assert.equal(await page.$eval('.session-header .name-button', e => e.textContent!.trim()), 'Add rate limiting to the login endpoint', 'the header is drawn too');
    assert.equal((await again.posted()).filter(x => x.channel === 'protocol' && x.message.type === 'subscribe_session').length, 1, 'it subscribes for the live state');
    const atBottom = () => page.$eval('.transcript', el => el.scrollTop + el.clientHeight >= el.scrollHeight - 2 && el.scrollHeight > el.clientHeight);
    await page.waitForFunction(() => { const el = document.querySelector('.transcript'); return el.scrollTop + el.clientHeight >= el.scrollHeight - 2; }, undefined, WAIT);
    // The live snapshot (one more item) replaces it, still at the bottom.
    await again.snapshot(makeSession({ workStatus: 'waiting' }), [...messages, makeMessage(41)]);
    await page.waitForSelector('.vl-row[data-key="m41"]', WAIT);
    await page.waitForFunction(() => { const el = document.querySelector('.transcript'); return el.scrollTop + el.clientHeight >= el.scrollHeight - 2; }, undefined, WAIT);
    assert.ok(await atBottom());
  });

  it('a new prompt is never hidden behind the approval card: the transcript ends above the dock', async () => {
    const p = await openPanel('dark', { width: 1000, height: 600 });
    await p.snapshot(makeSession({ workStatus: 'waiting' }), Array.from({ length: 30 }, (_, i) => makeMessage(i + 1)));
    const { page } = p;
    await page.waitForSelector('.vl-row[data-key="m30"]', WAIT);
    const approval = makeApproval();
    await p.delta({ workStatus: 'needsApproval', pendingApproval: approval, pendingApprovals: [approval] });
    await page.waitForSelector('.approval-card', WAIT);
    p.revision++;
    await p.deliver({ type: 'message_appended', sessionId: SESSION_ID, revision: p.revision, message: makeMessage(31, { kind: 'user', text: 'and keep the old limiter as a fallback' }) });
    await page.waitForSelector('.vl-row[data-key="m31"]', WAIT);
    await page.waitForFunction(() => {
      const row = document.querySelector('.vl-row[data-key="m31"]').getBoundingClientRect();
      const list = document.querySelector('.transcript').getBoundingClientRect();
      const card = document.querySelector('.approval-card').getBoundingClientRect();
      return row.bottom <= list.bottom + 1 && row.bottom <= card.top + 1 && row.top >= list.top;
    }, undefined, WAIT);
  });

  it('streams text into the same row, pages older items in, and resubscribes after a missed revision', async () => {
    const p = await openPanel();
    await p.snapshot(makeSession(), [makeMessage(50), makeMessage(51)], true);
    const { page } = p;
    // The transcript is shorter than the panel, so the page asks for the older page at once.
    const load = await p.sent('load_messages');
    assert.equal(load.beforeSeq, 50);
    await p.deliver({ type: 'messages_page', requestId: load.requestId, sessionId: SESSION_ID, messages: [makeMessage(48), makeMessage(49)], hasMore: false });
    await page.waitForSelector('.vl-row[data-key="m48"]', WAIT);
    assert.deepEqual(await page.$$eval('.vl-row', r => r.map(x => (x).dataset.key).sort()), ['m48', 'm49', 'm50', 'm51']);

    p.revision++;
    await p.deliver({ type: 'message_appended', sessionId: SESSION_ID, revision: p.revision, message: makeMessage(52, { text: 'Hel', status: 'inProgress' }) });
    await page.waitForSelector('.vl-row[data-key="m52"]', WAIT);
    await page.$eval('.vl-row[data-key="m52"]', el => { (el).marker = 1; });
    await page.$eval('.vl-row[data-key="m50"]', el => { (el).marker = 2; });
    for (const text of ['Hello, I am **looking**', 'Hello, I am **looking** at the limiter now.']) {
      p.revision++;
      await p.deliver({ type: 'message_updated', sessionId: SESSION_ID, revision: p.revision, message: { id: 'm52', text } });
    }
    await page.waitForFunction(() => document.querySelector('.vl-row[data-key="m52"]')?.textContent?.includes('limiter now.'), null, WAIT);
    assert.equal(await page.$eval('.vl-row[data-key="m52"] strong', e => e.textContent), 'looking');
    assert.equal(await page.$eval('.vl-row[data-key="m52"]', el => (el).marker), 1, 'the streaming row was updated in place');
    assert.equal(await page.$eval('.vl-row[data-key="m50"]', el => (el).marker), 2, 'other rows were not re-rendered');

    // A long reply renders per block while it streams: finished blocks keep their DOM, only the growing
    // last one is parsed again; a code fence with a blank line inside stays one block.
    const fenced = 'First paragraph, **done**.\n\n```ts\nconst a = 1;\n\nconst b = 2;\n```\n\nStill';
    p.revision++;
    await p.deliver({ type: 'message_updated', sessionId: SESSION_ID, revision: p.revision, message: { id: 'm52', text: fenced } });
    await page.waitForFunction(() => document.querySelector('.vl-row[data-key="m52"]')?.textContent?.includes('Still'), null, WAIT);
    await page.$eval('.vl-row[data-key="m52"] .markdown p', el => { (el).marker = 3; });
    await page.$eval('.vl-row[data-key="m52"] pre', el => { (el).marker = 4; });
    p.revision++;
    await p.deliver({ type: 'message_updated', sessionId: SESSION_ID, revision: p.revision, message: { id: 'm52', text: `${fenced} writing.` } });
    await page.waitForFunction(() => document.querySelector('.vl-row[data-key="m52"]')?.textContent?.includes('Still writing.'), null, WAIT);
    assert.equal(await page.$eval('.vl-row[data-key="m52"] .markdown p', el => (el).marker), 3, 'the finished paragraph was not re-rendered');
    assert.equal(await page.$eval('.vl-row[data-key="m52"] pre', el => (el).marker), 4, 'the finished code block was not re-rendered');
    assert.equal(await page.$$eval('.vl-row[data-key="m52"] pre', els => els.length), 1, 'the fence with a blank line inside is one block');
    assert.match(await page.$eval('.vl-row[data-key="m52"] pre', el => el.textContent), /const a = 1;\n\nconst b = 2;/);
    p.revision++;
    await p.deliver({ type: 'message_updated', sessionId: SESSION_ID, revision: p.revision, message: { id: 'm52', text: `${fenced} writing. Done.`, status: 'completed' } });
    await page.waitForFunction(() => document.querySelector('.vl-row[data-key="m52"]')?.textContent?.includes('Done.'), null, WAIT);
    assert.equal(await page.$$eval('.vl-row[data-key="m52"] .markdown p', els => els.length), 2, 'the finished reply is rendered whole');

    const before = p.revision;
    await p.deliver({ type: 'message_appended', sessionId: SESSION_ID, revision: before + 2, message: makeMessage(53) });
    const resub = await p.sent('subscribe_session', 2);
    assert.equal(resub.sinceRevision, before, 'asks for a replay from the last revision it holds');
    assert.equal(await page.$('.vl-row[data-key="m53"]'), null, 'an event after a gap is not applied');
  });

  it('shows a review sent to the agent as ONE card: title, file:line and the comment of each (issue 18)', async () => {
    const p = await openPanel('dark', { width: 900, height: 520 });
    const review = [
      { path: 'src/limiter.ts', line: 14, body: 'Keep the old limiter as a fallback when Redis is down.' },
      { path: 'src/routes.ts', line: 7, side: 'original' as const, body: 'Why was the auth check removed here?\nEvery route below needs it.' },
    ];
    const text = 'Review comments on your changes (2 comments); please address each:\n\n- src/limiter.ts:14 — …';
    await p.snapshot(makeSession(), [makeMessage(1, { kind: 'user', text: 'Add rate limiting to the API' }), makeMessage(2), makeMessage(3, { kind: 'user', text, review })]);
    const { page } = p;
    await page.waitForSelector('.vl-row[data-key="m3"] .review-card', WAIT);
    const card = await page.$eval('.vl-row[data-key="m3"]', r => ({
      head: r.querySelector('.review-head').textContent.trim(),
      where: [...r.querySelectorAll('.review-where')].map((e: any) => e.textContent),
      bodies: [...r.querySelectorAll('.review-body')].map((e: any) => e.textContent),
      bubbles: r.querySelectorAll('.bubble').length, imgs: r.querySelectorAll('img').length,
    }));
    assert.deepEqual(card, {
      head: 'Review · 2 comments', where: ['src/limiter.ts:14', 'src/routes.ts:7 (before)'],
      bodies: [review[0].body, review[1].body], bubbles: 0, imgs: 0,
    });
    assert.equal(await page.$$eval('.review-card', c => c.length), 1, 'one card, not the message text as a second bubble');
    await page.screenshot({ path: screenshotPath('session-panel-review.png') });
  });

  it('a conflict (radar, issue 18) shows a banner naming the other session and files; its button opens that session; it goes when cleared', async () => {
    const p = await openPanel('dark', { width: 900, height: 520 });
    const cwd = makeSession().cwd!;
    await p.snapshot(makeSession(), [makeMessage(1, { kind: 'user', text: 'Add rate limiting to the API' }), makeMessage(2)]);
    const { page } = p;
    assert.equal(await page.$$eval('.banner.conflict', b => b.length), 0);
    await p.delta({ conflicts: [{ sessionId: 'other-1', displayName: 'Refactor the auth middleware', files: [`${cwd}/src/limiter.ts`, `${cwd}/src/routes.ts`] }] });
    await page.waitForSelector('.banner.conflict', WAIT);
    assert.equal((await page.textContent('.banner.conflict span'))!.replace(/\s+/g, ' ').trim(),
      '⚠ “Refactor the auth middleware” also edits src/limiter.ts, src/routes.ts in this checkout');
    assert.equal(await page.getAttribute('.banner.conflict', 'role'), 'alert');
    await page.screenshot({ path: screenshotPath('session-panel-conflict.png') });
    await page.click('.banner.conflict button');
    assert.deepEqual(await p.sentToHost('openSession'), { channel: 'host', type: 'openSession', sessionId: 'other-1' });
    await p.delta({ conflicts: null });
    await page.waitForSelector('.banner.conflict', { state: 'detached', ...WAIT });
    assert.deepEqual(await p.cspViolations(), []);
  });

  it('never executes script from agent text, event handlers or javascript: links', async () => {
    const p = await openPanel();
    const evil = 'Look: <img src=x onerror=window.__pwned=1> <script>window.__pwned=1</script> [x](javascript:window.__pwned=1) '
      + '<a href="javascript:window.__pwned=1">y</a> [docs](https://example.com/docs)';
    await p.snapshot(makeSession(), [makeMessage(1, { kind: 'agent', text: evil }), makeMessage(2, { kind: 'user', text: evil }), makeMessage(3, { kind: 'command', command: evil, output: evil })]);
    const { page } = p;
    await page.waitForSelector('.vl-row[data-key="m1"] .markdown a', WAIT);
    const transcript = await page.$eval('.transcript', t => ({
      scripts: t.querySelectorAll('script').length,
      imgs: t.querySelectorAll('img').length,
      handlers: [...t.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
      jsLinks: [...t.querySelectorAll('[href]')].filter(a => /^\s*javascript:/i.test(a.getAttribute('href')!)).length,
    }));
    assert.deepEqual(transcript, { scripts: 0, imgs: 0, handlers: 0, jsLinks: 0 });
    // Click everything that looks like a link, including the text of the refused ones.
    for (const a of await page.$$('.transcript a')) await a.click();
    await page.click('.vl-row[data-key="m1"] .markdown p', { position: { x: 5, y: 5 } });
    await page.getByText('javascript:window.__pwned=1', { exact: false }).first().click();
    const link = await p.sentToHost('openLink');
    assert.deepEqual(link, { channel: 'host', type: 'openLink', href: 'https://example.com/docs' });
    assert.equal(new URL(page.url()).pathname, '/panel', 'a link click never navigates the webview');
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.deepEqual(await p.cspViolations(), [], 'sanitizing removed it before the CSP had to block anything');
  });

  it('opens a (past) session scrolled to the end, and a search hit scrolls to its item and highlights only it', async () => {
    const p = await openPanel('dark', { width: 1000, height: 700 });
    await p.snapshot(makeSession({ status: 'ended', workStatus: 'idle' }), Array.from({ length: 300 }, (_, i) => makeMessage(i + 1)));
    const { page } = p;
    await page.waitForSelector('.vl-row[data-key="m300"]', WAIT);
    const atEnd = () => page.evaluate(() => { const s = document.querySelector('.transcript'); return s.scrollHeight - s.scrollTop - s.clientHeight; });
    // Settled (the dock's height is known after the first frames): the newest item at the bottom.
    await page.waitForFunction(() => { const s = document.querySelector('.transcript'); return s.scrollHeight - s.scrollTop - s.clientHeight <= 2; }, undefined, { timeout: 3_000 })
      .catch(async () => assert.fail(`not at the end: ${await atEnd()} px above it`));
    const visible = (key: string) => page.evaluate(k => {
      const el = document.querySelector(`.vl-row[data-key="${k}"]`);
      if (!el) return false;
      const r = el.getBoundingClientRect(), v = document.querySelector('.transcript').getBoundingClientRect();
      return r.bottom > v.top && r.top < v.bottom;
    }, key);
    const highlighted = () => page.$$eval('.vl-row.search-hit', els => els.map((e: any) => e.getAttribute('data-key')));

    // What the host posts when the panel opens for a search hit (sessionPanelHost → revealMessage).
    await page.evaluate(() => window.postMessage({ channel: 'host', type: 'revealMessage', messageId: 'm5' }, '*'));
    await page.waitForSelector('.vl-row.search-hit[data-key="m5"]', WAIT);
    await page.waitForFunction(() => {
      const el = document.querySelector('.vl-row.search-hit'), v = document.querySelector('.transcript').getBoundingClientRect(), r = el.getBoundingClientRect();
      return r.bottom > v.top && r.top < v.bottom;
    }, undefined, WAIT);
    assert.deepEqual(await highlighted(), ['m5']);
    assert.equal(await visible('m300'), false, 'scrolled away from the end');

    await page.evaluate(() => window.postMessage({ channel: 'host', type: 'revealMessage', messageId: 'm250' }, '*'));
    await page.waitForSelector('.vl-row.search-hit[data-key="m250"]', WAIT);
    assert.ok(await visible('m250'));
    assert.deepEqual(await highlighted(), ['m250'], 'the previous hit is no longer highlighted');
  });

  it('keeps 10,000 items virtualized: few DOM rows, reaches the last item (first paint and scroll frames are reported, not asserted: npm run bench holds the goals)', async () => {
    const p = await openPanel('dark', { width: 1000, height: 900 });
    const sub = await p.sent('subscribe_session');
    const { page } = p;
    // The items are made inside the page from one template (handing 10,000 objects over CDP takes
    // seconds); the page receives them through postMessage like a real snapshot.
    const firstPaintMs = await page.evaluate(async ({ template, session, requestId }) => {
      const kinds = ['user', 'agent', 'command', 'agent', 'reasoning', 'tool'];
      const messages = Array.from({ length: 10_000 }, (_, i) => ({
        ...template, id: `m${i + 1}`, seq: i + 1, kind: kinds[i % kinds.length],
        text: i % 7 === 0 ? `Item ${i + 1}: ${'a longer paragraph of agent text that wraps over several lines. '.repeat(4)}` : `Item ${i + 1} with **markdown**`,
        command: `npm test -- --grep item-${i + 1}`, exitCode: i % 11 === 0 ? 1 : 0, output: 'ok',
      }));
      const t0 = performance.now();
      window.postMessage({ channel: 'protocol', message: { type: 'session_snapshot', requestId, revision: 10, session, messages, hasMore: false } }, '*');
      while (!document.querySelector('.vl-row')) await new Promise(r => setTimeout(r, 0));
      await new Promise(r => requestAnimationFrame(() => r(null)));
      return performance.now() - t0;
    }, { template: makeMessage(0), session: makeSession(), requestId: sub.requestId });
    assert.ok(await page.$('.vl-row[data-key="m10000"]'), 'the panel opens at the newest item');

    // Scroll from the top down in big steps, one per frame, as a fast wheel would; then jump to the end.
    const scroll = await page.evaluate(async () => {
      const s = document.querySelector('.transcript');
      const frame = () => new Promise(r => requestAnimationFrame(() => r(null)));
      s.scrollTop = 0;
      await frame();
      const frames: number[] = [];
      let last = performance.now();
      const t0 = last;
      let maxRows = 0;
      for (let i = 0; i < 30; i++) {
        s.scrollTop += 2000;
        await frame();
        const now = performance.now();
        frames.push(now - last);
        last = now;
        maxRows = Math.max(maxRows, document.querySelectorAll('.vl-row').length);
      }
      const ms = performance.now() - t0;
      s.scrollTop = s.scrollHeight;
      frames.sort((a, b) => a - b);
      return { frames: frames.length, ms, medianFrameMs: frames[frames.length >> 1], p95FrameMs: frames[Math.floor(frames.length * 0.95)], maxRows };
    });
    console.log(`      10,000 items: first paint ${firstPaintMs.toFixed(0)} ms; scrolled ${scroll.frames} frames of 2,000 px / ${scroll.ms.toFixed(0)} ms `
      + `(median frame ${scroll.medianFrameMs.toFixed(1)} ms, p95 ${scroll.p95FrameMs.toFixed(1)} ms), at most ${scroll.maxRows} rows in the DOM`);
    assert.ok(scroll.maxRows < 200, `the DOM holds far fewer than 10,000 rows (${scroll.maxRows})`);
    await page.waitForFunction(() => {
      const s = document.querySelector('.transcript')!.getBoundingClientRect();
      const last = document.querySelector('.vl-row[data-key="m10000"]')?.getBoundingClientRect();
      return !!last && last.bottom <= s.bottom + 1 && last.top >= s.top - 1 && last.height > 0;
    }, null, WAIT);
  });

  for (const theme of ['dark', 'light'] as const) {
    it(`renders a readable ${theme} theme with an approval pending (screenshot)`, async () => {
      const p = await openPanel(theme, { width: 900, height: 1100 });
      const approval = makeApproval({ approvalId: 'ap-shot', reason: 'Reinstall dependencies so the new limiter package is picked up' });
      const items = everyKindMessages().filter(m => !['webSearch', 'toolResult', 'system', 'error', 'mcpTool'].includes(m.kind) && m.exitCode !== 1);
      items.push(makeMessage(40, { kind: 'agent', text: 'Tests pass. Before I finish I want to **reinstall the dependencies** to be sure the lockfile is consistent.' }));
      await p.snapshot(makeSession({
        customName: 'Login rate limiting', displayName: 'Login rate limiting', workStatus: 'needsApproval',
        pendingApproval: approval, pendingApprovals: [approval], turnDiff: [LIMITER_CHANGE, ROUTES_CHANGE],
      }), items);
      const { page } = p;
      await page.waitForSelector('.approval-card', WAIT);
      await page.click('.kind-command:not(:has(.failed)) summary');
      await page.waitForSelector('.kind-command details[open]', WAIT);
      await page.evaluate(() => document.fonts.ready);
      assert.deepEqual(await p.cspViolations(), []);
      const background = await page.$eval('body', b => getComputedStyle(b).backgroundColor);
      assert.equal(background, theme === 'dark' ? 'rgb(31, 31, 31)' : 'rgb(255, 255, 255)', 'the theme variables reach the page');
      const file = screenshotPath(`session-panel-${theme}.png`);
      await page.screenshot({ path: file });
      assert.ok(fs.statSync(file).size > 20_000);
    });
  }
});
