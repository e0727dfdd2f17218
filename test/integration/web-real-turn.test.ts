// The web client on a phone-sized page against a REAL Codex turn: the real codex app-server (driven by
// the scripted fake Responses API), the engine, the hub and headless Chromium. A user answers the
// agent's question from the question card (single-select, answered the panel's way) and interrupts a
// running turn from the page; the page shows the turn's changed files and offers "Steer" while it works.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { type Browser, type Page, chromium } from 'playwright-core';
import { attachReplay } from '../../src/engine/clients/connection';
import { type HubHandle, startHub } from '../../src/engine/hub/server';
import { generateToken } from '../../src/engine/hub/token';
import type { Session } from '../../src/engine/protocol';
import { type CodexWorld, type DirectHarness, sessionReads, startCodexWorld, startDirectHarness, stopCodexWorld } from '../fixtures/codexDirect';
import { codexBinaryForTests } from '../fixtures/codexHome';
import { promptRouter } from '../fixtures/fakeOpenAI';
import { tmpDir, waitFor } from '../helpers/tmp';

const REPO = path.resolve(__dirname, '../../..');
declare const document: any;

describe('web client against a real Codex turn (headless Chromium)', function () {
  this.timeout(120_000);
  const router = promptRouter();
  let world: CodexWorld;
  let h: DirectHarness;
  let hub: HubHandle;
  let browser: Browser;
  let webRoot: string;
  const token = generateToken();

  before(async () => {
    webRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-web-real-'));
    await esbuild.build({
      entryPoints: { web: path.join(REPO, 'web/main.ts') }, bundle: true, platform: 'browser', format: 'iife', target: 'es2022', outdir: webRoot, minify: true, logLevel: 'silent',
    });
    world = await startCodexWorld(router.handler);
    h = await startDirectHarness({ dbDir: tmpDir('fd-web-real-db-'), codexHome: world.home.dir, env: world.home.env, codexPath: codexBinaryForTests() });
    hub = await startHub({ engine: h.engine, replay: attachReplay(h.engine), port: 0, token, version: 't', webRoot, log: () => {} });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update'],
    });
  });
  after(async () => {
    await browser?.close();
    await hub?.close();
    await stopCodexWorld(world ?? {}, h);
    fs.rmSync(webRoot, { recursive: true, force: true });
  });

  const { session, messages, agentTexts } = sessionReads(() => h);

  async function openOnPhone(s: Session): Promise<{ page: Page; close(): Promise<void> }> {
    const context = await browser.newContext({ viewport: { width: 390, height: 800 } });
    await context.addInitScript(`localStorage.setItem('flightdeck.hubToken', ${JSON.stringify(token)})`);
    const page = await context.newPage();
    await page.goto(`${hub.httpUrl}#/s/${encodeURIComponent(s.id)}`);
    return { page, close: () => context.close() };
  }

  it('answers the agent\'s question from the question card: a picked option reaches Codex as the answer', async () => {
    router.on('pick a color', req => (req.step === 0
      ? { steps: [{ type: 'ask', questions: [{ id: 'color', header: 'Color', question: 'Which color?', options: [{ label: 'red', description: 'warm' }, { label: 'blue', description: 'cool' }] }] }] }
      : { steps: [{ type: 'text', text: `answer: ${req.lastOutput?.output}` }] }));
    const s = await h.engine.createFromClient({ provider: 'codex', cwd: world.ws.dir, autonomy: 'autoEdit' });
    await h.engine.updateConfig(s.id, { planMode: true });
    const { page, close } = await openOnPhone(s);
    try {
      await page.waitForSelector('#composer', { timeout: 15_000 });
      await page.fill('#composer', 'pick a color');
      await page.click('#send');
      await page.waitForSelector('section.question button.option', { timeout: 30_000 });
      assert.equal(session(s.id).workStatus, 'needsAnswer');
      await page.click('section.question button.option:has-text("blue")');
      await page.click('#answer');
      await waitFor(() => session(s.id).currentTurnId === null && agentTexts(s.id).length === 1, 'the turn to end after the answer', 30_000);
      assert.deepEqual(JSON.parse(agentTexts(s.id)[0].slice('answer: '.length)), { answers: { color: { answers: ['blue'] } } });
      await page.waitForFunction(() => !document.querySelector('section.question'), undefined, { timeout: 10_000 });
    } finally {
      await close();
    }
  });

  it('interrupts a running turn from the page: Steer and Interrupt while it works, the partial reply kept and marked', async () => {
    const text = Array.from({ length: 80 }, (_, i) => `slow${i}`).join(' ');
    router.on('edit then go slowly', req => (req.step === 0
      ? { steps: [{ type: 'patch', patch: '*** Begin Patch\n*** Add File: notes.txt\n+one\n+two\n*** End Patch\n' }] }
      : { steps: [{ type: 'text', text, chunks: 80, delayMs: 100 }] }));
    const s = await h.engine.createFromClient({ provider: 'codex', cwd: world.ws.dir, autonomy: 'fullAuto' });
    const { page, close } = await openOnPhone(s);
    try {
      await page.waitForSelector('#composer', { timeout: 15_000 });
      await page.fill('#composer', 'edit then go slowly');
      await page.click('#send');
      await page.waitForSelector('#interrupt', { timeout: 30_000 });
      await waitFor(() => messages(s.id).find(m => m.kind === 'agent' && m.text.length > 0), 'some streamed text', 30_000);
      assert.equal((await page.textContent('#send'))?.trim(), 'Steer', 'a send while the turn works steers it');
      await page.waitForSelector('#turn-changes', { timeout: 10_000 });
      assert.match((await page.textContent('#turn-changes summary'))!.replace(/\s+/g, ' '), /Changes in this turn 1 file \+2 −0/);
      await page.click('#interrupt');
      await waitFor(() => session(s.id).currentTurnId === null, 'the interrupted turn to end', 30_000);
      const agent = messages(s.id).find(m => m.kind === 'agent')!;
      assert.equal(agent.status, 'interrupted');
      assert.ok(agent.text.length < text.length && text.startsWith(agent.text), 'the partial text is kept');
      await page.waitForSelector(`[data-id="${agent.id}"] .interrupted-marker`, { timeout: 10_000 });
      await page.waitForFunction(() => !document.querySelector('#interrupt'), undefined, { timeout: 10_000 });
    } finally {
      await close();
    }
  });
});
