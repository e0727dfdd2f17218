// Issue 18's "two sessions in one checkout editing one file warn within a second in every client",
// black box: `flightdeck serve` (the product's wiring), two REAL Codex sessions (codex app-server,
// scripted fake provider on loopback) in one git checkout made here, both patching one file. A hub
// WebSocket client and the web client in headless Chromium each see the warning on both sessions
// within a second of the second edit landing on disk (timestamps, not sleeps); a commit clears it.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import type { ServerMessage, SessionConflict } from '../../src/engine/protocol';
import { type ClaudeSandbox, makeClaudeSandbox, REPO_ROOT, runClaude } from '../fixtures/claudeEnv';
import { type CodexHome, makeCodexHome } from '../fixtures/codexHome';
import { type FakeAnthropic, startFakeAnthropic } from '../fixtures/fakeAnthropic';
import { type FakeOpenAI, promptRouter, startFakeOpenAI } from '../fixtures/fakeOpenAI';
import { type ServeProcess, startServe, startServeForCodex, stopServe } from '../helpers/serveProcess';
import { cleanupTmpDirs, tmpDir, waitFor } from '../helpers/tmp';
import { connectWs, type TestWsClient } from '../helpers/wsClient';

// Browser globals of callbacks that run inside Chromium (page.evaluate); the root tsconfig has no DOM lib.
declare const document: any, window: any, MutationObserver: any;

const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd, encoding: 'utf8' });
const patch = (line: string) => `*** Begin Patch\n*** Update File: shared.txt\n@@\n line1\n+${line}\n*** End Patch\n`;

describe('conflict radar: two real Codex sessions in one checkout, every client warned within a second', function () {
  this.timeout(120_000);
  const router = promptRouter();
  let fake: FakeOpenAI;
  let home: CodexHome;
  let repo: string;
  let serveDir: string;
  let serve: ServeProcess | undefined;
  let client: TestWsClient | undefined;
  let browser: Browser | undefined;
  /** When each server message reached the hub client (ms since epoch). */
  const arrivals = new Map<ServerMessage, number>();

  before(async () => {
    router.on('edit as A', req => (req.step === 0 ? { steps: [{ type: 'patch', patch: patch('from A') }] } : { steps: [{ type: 'text', text: 'A done' }] }));
    router.on('edit as B', req => (req.step === 0 ? { steps: [{ type: 'patch', patch: patch('from B') }] } : { steps: [{ type: 'text', text: 'B done' }] }));
    fake = await startFakeOpenAI(router.handler);
    home = makeCodexHome(fake.port);
    repo = fs.realpathSync(tmpDir('fd-radar-checkout-'));
    git(repo, 'init', '-q', '-b', 'main');
    fs.writeFileSync(path.join(repo, 'shared.txt'), 'line1\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'init');
    serveDir = tmpDir('fd-radar-serve-');
    ({ serve, client } = await startServeForCodex(serveDir, home));
    client.ws.on('message', () => { const m = client!.received[client!.received.length - 1]; if (m) arrivals.set(m, Date.now()); });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update'],
    });
  });
  after(async () => {
    await browser?.close();
    client?.close();
    await stopServe(serve);
    await fake?.close();
    home?.cleanup();
    cleanupTmpDirs();
  });

  /** A session's conflicts as the hub client last heard them (snapshot/list, then every delta). */
  function conflictsSeen(sessionId: string): { conflicts: SessionConflict[]; at: number } {
    let out: { conflicts: SessionConflict[]; at: number } = { conflicts: [], at: 0 };
    for (const m of client!.received) {
      if (m.type === 'session_delta' && m.sessionId === sessionId && m.changes.conflicts !== undefined) out = { conflicts: m.changes.conflicts ?? [], at: arrivals.get(m)! };
    }
    return out;
  }
  /** The session's file change reported done to the hub client. */
  const editReported = (sessionId: string) => client!.waitFor(m => (m.type === 'message_updated' || m.type === 'message_appended') && m.sessionId === sessionId
    && m.message.status === 'completed' && !!m.message.changes?.length, 'the file change item', 60_000);

  async function startSession(prompt: string): Promise<string> {
    const created = await client!.request({ type: 'create_session', provider: 'codex', cwd: repo, autonomy: 'fullAuto' });
    assert.equal(created.type, 'result');
    const sessionId = (created as { sessionId: string }).sessionId;
    await client!.request({ type: 'subscribe_session', sessionId });
    await client!.request({ type: 'send_message', sessionId, text: prompt });
    return sessionId;
  }

  it('both sessions get the warning in the hub client and the web client within a second; a commit clears it', async () => {
    const c = client!;
    await c.request({ type: 'subscribe_list' });
    const token = fs.readFileSync(path.join(serveDir, 'data', 'token'), 'utf8').trim();
    const httpUrl = (c.ws.url as string).replace(/^ws:/, 'http:').replace(/\/ws$/, '/');
    const context = await browser!.newContext();
    await context.addInitScript(`localStorage.setItem('flightdeck.hubToken', ${JSON.stringify(token)})`);
    const page = await context.newPage();
    await page.goto(httpUrl);
    // The page stamps when each session's conflict badge first appears, and when it goes.
    await page.evaluate(() => {
      window.fdSeen = {};
      window.fdGone = {};
      const look = () => {
        const now = Date.now();
        const shown = new Set<string>();
        for (const el of document.querySelectorAll('[data-conflict]')) shown.add(el.getAttribute('data-conflict'));
        for (const id of shown) if (!window.fdSeen[id]) window.fdSeen[id] = now;
        for (const id of Object.keys(window.fdSeen)) if (!shown.has(id) && !window.fdGone[id]) window.fdGone[id] = now;
      };
      new MutationObserver(look).observe(document.body, { childList: true, subtree: true, attributes: true });
    });

    const file = path.join(repo, 'shared.txt');
    const a = await startSession('edit as A');
    await editReported(a);
    assert.match(fs.readFileSync(file, 'utf8'), /from A/);
    assert.deepEqual(conflictsSeen(a).conflicts, [], 'one session alone: no warning');

    const b = await startSession('edit as B');
    await waitFor(() => /from B/.test(fs.readFileSync(file, 'utf8')), 'the second edit on disk', 60_000);
    const editedAt = fs.statSync(file).mtimeMs;

    await c.waitFor(() => conflictsSeen(a).conflicts.length > 0 && conflictsSeen(b).conflicts.length > 0, 'both sessions warned on the hub', 10_000);
    assert.deepEqual(conflictsSeen(a).conflicts.map(x => [x.sessionId, x.files]), [[b, [file]]]);
    assert.deepEqual(conflictsSeen(b).conflicts.map(x => [x.sessionId, x.files]), [[a, [file]]]);
    for (const id of [a, b]) {
      const lag = conflictsSeen(id).at - editedAt;
      assert.ok(lag <= 1000, `hub client: warning on ${id} ${Math.round(lag)} ms after the edit`);
    }

    await page.waitForFunction(({ a, b }) => window.fdSeen[a] && window.fdSeen[b], { a, b }, { timeout: 10_000 });
    const seen = await page.evaluate(() => window.fdSeen) as Record<string, number>;
    for (const id of [a, b]) {
      const lag = seen[id] - editedAt;
      assert.ok(lag <= 1000, `web client: badge on ${id} ${Math.round(lag)} ms after the edit`);
    }
    if (process.env.FD_TEST_LOG) console.log(`lags (ms): hub ${[a, b].map(id => Math.round(conflictsSeen(id).at - editedAt))}, web ${[a, b].map(id => Math.round(seen[id] - editedAt))}`);
    assert.match((await page.getAttribute(`[data-conflict="${a}"]`, 'title'))!, /also edits shared\.txt in this checkout/);

    // Committed: no uncommitted change left in the file, so the warning goes everywhere.
    git(repo, 'commit', '-q', '-am', 'both edits');
    await c.waitFor(() => conflictsSeen(a).conflicts.length === 0 && conflictsSeen(b).conflicts.length === 0, 'the warning cleared after the commit', 15_000);
    await page.waitForFunction(({ a, b }) => window.fdGone[a] && window.fdGone[b], { a, b }, { timeout: 10_000 });
    await context.close();
  });
});

describe('conflict radar: a real Claude Code Write and a real Codex patch on one file', function () {
  this.timeout(120_000);
  const router = promptRouter();
  let openai: FakeOpenAI;
  let anthropic: FakeAnthropic;
  let home: CodexHome;
  let sandbox: ClaudeSandbox;
  let serve: ServeProcess | undefined;
  let client: TestWsClient | undefined;
  let release: () => void = () => {};
  const arrivals = new Map<ServerMessage, number>();

  before(async () => {
    if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'hook.js'))) throw new Error('dist/hook.js missing: run `node esbuild.mjs` first');
    sandbox = makeClaudeSandbox('fd-radar-claude-');
    const repo = sandbox.project;
    git(repo, 'init', '-q', '-b', 'main');
    fs.writeFileSync(path.join(repo, 'shared.txt'), 'line1\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'init');
    router.on('edit as codex', req => (req.step === 0 ? { steps: [{ type: 'patch', patch: patch('from codex') }] } : { steps: [{ type: 'text', text: 'codex done' }] }));
    openai = await startFakeOpenAI(router.handler);
    home = makeCodexHome(openai.port);
    // Claude writes the file, then its next reply is held open: the session stays live meanwhile.
    const held = new Promise<void>(r => { release = r; });
    anthropic = await startFakeAnthropic([
      { blocks: [{ type: 'text', text: 'Writing it.' }, { type: 'tool_use', name: 'Write', input: { file_path: path.join(repo, 'shared.txt'), content: 'line1\nfrom claude\n' } }], usage: { input: 300, output: 20 } },
      { blocks: [{ type: 'text', text: 'Done writing the file.' }], pause: { afterText: 'Done', until: held }, usage: { input: 400, output: 5 } },
    ]);
    serve = startServe(['--port', '0', '--data-dir', sandbox.dataDir, '--codex-home', home.dir, '--claude-home', sandbox.claudeHome, '--install-claude-hooks'],
      { ...home.env, HOME: sandbox.home, FLIGHTDECK_LEADER_DIR: path.join(sandbox.root, 'run') });
    const m = await serve.waitForLine(/WebSocket (ws:\/\/\S+)\)/);
    client = await connectWs(m[1], fs.readFileSync(path.join(sandbox.dataDir, 'token'), 'utf8').trim());
    client.ws.on('message', () => { const last = client!.received[client!.received.length - 1]; if (last) arrivals.set(last, Date.now()); });
  });
  after(async () => {
    release();
    client?.close();
    await stopServe(serve);
    await openai?.close();
    await anthropic?.close();
    home?.cleanup();
    sandbox?.cleanup();
  });

  const conflictsOf = (sessionId: string) => {
    let out: { conflicts: SessionConflict[]; at: number } = { conflicts: [], at: 0 };
    for (const m of client!.received) if (m.type === 'session_delta' && m.sessionId === sessionId && m.changes.conflicts !== undefined) out = { conflicts: m.changes.conflicts ?? [], at: arrivals.get(m)! };
    return out;
  };

  it('both are warned within a second of the Write; the warning goes when the Claude session ends', async () => {
    const c = client!;
    await c.request({ type: 'subscribe_list' });
    const file = path.join(sandbox.project, 'shared.txt');
    const created = await c.request({ type: 'create_session', provider: 'codex', cwd: sandbox.project, autonomy: 'fullAuto' });
    const codexId = (created as { sessionId: string }).sessionId;
    await c.request({ type: 'send_message', sessionId: codexId, text: 'edit as codex' });
    await waitFor(() => /from codex/.test(fs.readFileSync(file, 'utf8')), 'the Codex edit on disk', 60_000);

    const run = runClaude(['-p', 'write the shared file', '--permission-mode', 'acceptEdits'], sandbox, anthropic.url, 90_000);
    try {
      await waitFor(() => /from claude/.test(fs.readFileSync(file, 'utf8')), 'the Claude Write on disk', 60_000);
      const writtenAt = fs.statSync(file).mtimeMs;
      await c.waitFor(() => conflictsOf(codexId).conflicts.length > 0, 'the Codex session warned', 10_000);
      const [other] = conflictsOf(codexId).conflicts;
      const claudeId = other.sessionId;
      assert.deepEqual(other.files, [file]);
      assert.equal(other.displayName, 'write the shared file');
      await c.waitFor(() => conflictsOf(claudeId).conflicts.length > 0, 'the Claude session warned', 10_000);
      assert.deepEqual(conflictsOf(claudeId).conflicts.map(x => [x.sessionId, x.files]), [[codexId, [file]]]);
      for (const id of [codexId, claudeId]) {
        const lag = conflictsOf(id).at - writtenAt;
        assert.ok(lag <= 1000, `warning on ${id} ${Math.round(lag)} ms after the Write`);
      }
      if (process.env.FD_TEST_LOG) console.log(`claude lags (ms): ${[codexId, claudeId].map(id => Math.round(conflictsOf(id).at - writtenAt))}`);
      release();
      const r = await run;
      assert.equal(r.code, 0, `claude failed: ${r.stderr}`);
      await c.waitFor(m => m.type === 'session_ended' && m.sessionId === claudeId, 'the Claude session to end', 30_000);
      await c.waitFor(() => conflictsOf(codexId).conflicts.length === 0, 'the warning gone with the Claude session', 10_000);
    } finally {
      release();
      await run.catch(() => {});
    }
  });
});
