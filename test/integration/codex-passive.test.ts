// The passive watcher against the REAL codex 0.169.0 (`codex exec`, and `codex app-server` as a
// client Flightdeck does not drive) talking to a scripted fake Responses API on 127.0.0.1, with
// chokidar as the only event source (the sweep is pushed out of the way) and a real SQLite store.
// Rollouts must be picked up while codex is still running.
import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { type CodexWatcher, createCodexWatcher } from '../../src/engine/codex/rollout/watcher';
import type { Message, Session } from '../../src/engine/protocol';
import { type Clock, type TimerHandle, systemClock } from '../../src/engine/platform/clock';
import { END_REASONS } from '../../src/engine/sessions/lifecycle';
import { attentionCount } from '../../src/engine/protocol/uiPolicy';
import { SessionEngine } from '../../src/engine/sessions/engine';
import type { LogFn } from '../../src/engine/platform/log';
import { openStore } from '../../src/engine/store/sqliteStore';
import type { Store } from '../../src/engine/store/types';
import { type CodexHome, codexBinaryForTests, makeCodexHome, makeWorkspace } from '../fixtures/codexHome';
import { type FakeOpenAI, promptRouter, startFakeOpenAI } from '../fixtures/fakeOpenAI';
import { cleanupTmpDirs, tmpDir, waitFor } from '../helpers/tmp';

/** The system clock, except that timers of a minute or more (the 120 s idle check) wait until the test fires them. */
class LongTimersByHand implements Clock {
  private long = new Set<() => void>();
  now(): number { return Date.now(); }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    if (ms < 60_000) return systemClock.setTimeout(fn, ms);
    this.long.add(fn);
    return { cancel: () => { this.long.delete(fn); } };
  }
  setInterval(fn: () => void, ms: number): TimerHandle { return systemClock.setInterval(fn, ms); }
  /** Runs every long timer now, as if their time had passed. */
  fire(): void {
    const due = [...this.long];
    this.long.clear();
    for (const fn of due) fn();
  }
}

describe('codex passive watcher with the real codex (exec, app-server)', function () {
  this.timeout(60_000);
  const router = promptRouter();
  let fake: FakeOpenAI;
  let home: CodexHome;
  let ws: { dir: string; cleanup(): void };
  let dbDir: string;
  let engine: SessionEngine;
  let store: Store;
  let watcher: CodexWatcher;
  let logs: string[];
  let clock: Clock = systemClock;
  const children = new Set<ChildProcess>();
  const log: LogFn = (level, msg) => { logs.push(`${level}: ${msg}`); };

  /**
   * A client we do not control (like the Codex VS Code extension or a terminal): raw JSON-RPC to the
   * real app-server, which starts a thread with on-request approvals and a turn with `prompt`.
   */
  async function terminalLikeTurn(prompt: string) {
    const server = spawn(codexBinaryForTests(), ['app-server'], { cwd: ws.dir, env: { ...process.env, ...home.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(server);
    const exited = new Promise<void>(resolve => server.on('exit', () => { children.delete(server); resolve(); }));
    server.stderr!.resume();
    const inbox: Record<string, unknown>[] = [];
    readline.createInterface({ input: server.stdout! }).on('line', l => { try { inbox.push(JSON.parse(l)); } catch { /* not ours to check */ } });
    const send = (m: object) => server.stdin!.write(JSON.stringify(m) + '\n');
    const reply = (id: number) => waitFor(() => inbox.find(m => m.id === id && !('method' in m)) as { result?: Record<string, unknown> } | undefined, `reply ${id}`, 20_000);
    send({ method: 'initialize', id: 0, params: { clientInfo: { name: 'terminal-like', title: 'x', version: '0' }, capabilities: { experimentalApi: false } } });
    await reply(0);
    send({ method: 'initialized' });
    send({ method: 'thread/start', id: 1, params: { cwd: ws.dir, approvalPolicy: 'on-request', sandbox: 'read-only' } });
    const threadId = ((await reply(1)).result!.thread as { id: string }).id;
    send({ method: 'turn/start', id: 2, params: { threadId, input: [{ type: 'text', text: prompt, text_elements: [] }] } });
    return { server, exited, inbox, send, threadId };
  }

  async function open(): Promise<void> {
    store = openStore({ file: path.join(dbDir, 'flightdeck.db'), clock });
    engine = new SessionEngine({ store, clock, log });
    engine.start();
    // The production settings: file events, and the 3 s catch-up sweep for the writes chokidar
    // drops (it throttles events of one file within a few ms, so the last append of a burst can go
    // unreported — seen here under load; SPEC §2 has the sweep for exactly that).
    watcher = createCodexWatcher({ engine, store, codexHome: home.dir, clock, log });
    await watcher.start();
    await watcher.ready;
  }
  async function close(): Promise<void> {
    await watcher.stop();
    engine.stop();
    store.close();
  }

  function codexExec(args: string[], env: Record<string, string> = {}, started: (c: ChildProcess) => void = () => {}): Promise<{ code: number | null; stderr: string }> {
    const child = spawn(codexBinaryForTests(), ['exec', '--skip-git-repo-check', ...args], {
      cwd: ws.dir, env: { ...process.env, ...home.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    started(child);
    let stderr = '';
    child.stderr!.on('data', d => { stderr += d; });
    child.stdout!.resume();
    return new Promise(resolve => child.on('exit', code => { children.delete(child); resolve({ code, stderr }); }));
  }

  const sessionFor = (threadId: string | null): Session | undefined => (threadId ? engine.findByProviderId('codex', threadId) : undefined);
  const messagesOf = (s: Session): Message[] => engine.getMessages(s.id, { limit: 1000 });
  const texts = (ms: Message[], kind: Message['kind']) => ms.filter(m => m.kind === kind).map(m => m.text);

  before(async () => { fake = await startFakeOpenAI(router.handler); });
  after(async () => { await fake.close(); });
  beforeEach(async () => {
    logs = [];
    home = makeCodexHome(fake.port);
    ws = makeWorkspace();
    dbDir = tmpDir();
    await open();
  });
  afterEach(async () => {
    for (const c of children) c.kill('SIGKILL');
    await close();
    clock = systemClock;
    home.cleanup();
    ws.cleanup();
    cleanupTmpDirs();
  });

  it('follows a live codex exec run: named from the first real prompt, messages match the run', async () => {
    let seenWhileRunning = false;
    router.on('List the files (passive)', async req => {
      if (req.step === 0) {
        return { steps: [{ type: 'reasoning', text: 'Looking at the workspace.' }, { type: 'text', text: 'Let me look.' }, { type: 'exec', cmd: 'ls -1' }] };
      }
      // Codex waits for this answer: the watcher must already show the turn so far, from file events alone.
      await waitFor(() => {
        const s = sessionFor(req.threadId);
        return s && messagesOf(s).some(m => m.kind === 'command' && m.text === 'ls -1');
      }, 'the watcher to show the command while codex runs', 20_000);
      seenWhileRunning = true;
      return { steps: [{ type: 'text', text: 'Found README.md.' }], usage: { input: 1234, cached: 100, output: 7 } };
    });

    const run = await codexExec(['List the files (passive)']);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(seenWhileRunning);
    const threadId = fake.requests.find(r => r.prompt === 'List the files (passive)')!.threadId!;
    const s = await waitFor(() => {
      const x = sessionFor(threadId);
      return x && texts(messagesOf(x), 'agent').includes('Found README.md.') && x.currentTurnId === null ? x : undefined;
    }, 'the end of the run in the engine', 20_000);

    assert.equal(s.mode, 'passive');
    assert.equal(s.firstPrompt, 'List the files (passive)');
    assert.equal(s.displayName, 'List the files (passive)');
    assert.equal(s.model, 'gpt-5.5');
    assert.equal(s.approvalPolicy, 'never');
    assert.equal(s.sandboxMode, 'read-only');
    assert.equal(fs.realpathSync(s.cwd!), fs.realpathSync(ws.dir));
    assert.ok(s.sourcePath && s.sourcePath.startsWith(path.join(home.dir, 'sessions')) && s.sourcePath.endsWith(`${threadId}.jsonl`));
    assert.equal(s.tokenUsage.lastTurnInput, 1234);
    // The exec process exited with its turn: done, not "Waiting for you" until the idle timeout.
    const done = await waitFor(() => { const x = sessionFor(threadId); return x?.status === 'ended' ? x : undefined; }, 'the exec session ended', 20_000);
    assert.equal(done.endReason, END_REASONS.execFinished);

    const ms = messagesOf(s);
    assert.deepEqual(texts(ms, 'user'), ['List the files (passive)'], 'bootstrap payloads are not messages');
    assert.deepEqual(texts(ms, 'agent'), ['Let me look.', 'Found README.md.']);
    assert.deepEqual(texts(ms, 'reasoning'), ['Looking at the workspace.']);
    const cmd = ms.find(m => m.kind === 'command')!;
    assert.equal(cmd.exitCode, 0);
    assert.equal(cmd.status, 'completed');
    assert.ok(cmd.output?.includes('README.md'), `command output: ${cmd.output}`);
    assert.deepEqual(ms.filter(m => m.kind === 'turn').map(m => m.status), ['completed']);
    assert.equal(new Set(ms.map(m => m.id)).size, ms.length);
    store.flush();
    assert.equal(store.getOffset(s.sourcePath!)?.offset, fs.statSync(s.sourcePath!).size, 'read to the end, offset persisted');
    assert.ok(!logs.some(l => l.startsWith('error')), logs.join('\n'));
  });

  it('shows needs-approval while another client of codex holds an approval, and clears it once answered', async () => {
    router.on('Escalate please', req => (req.step === 0
      ? { steps: [{ type: 'exec', cmd: 'echo escalated > out.txt', escalated: true, justification: 'Write outside the sandbox' }] }
      : { steps: [{ type: 'text', text: 'Declined, fine.' }] }));
    const { server, exited, inbox, send, threadId } = await terminalLikeTurn('Escalate please');
    const request = await waitFor(() => inbox.find(m => m.method === 'item/commandExecution/requestApproval') as { id: number } | undefined, 'the approval request', 20_000);

    const waiting = await waitFor(() => { const x = sessionFor(threadId); return x?.workStatus === 'needsApproval' ? x : undefined; }, 'needsApproval from the rollout', 20_000);
    assert.equal(waiting.pendingApproval?.command, 'echo escalated > out.txt');
    assert.equal(waiting.pendingApproval?.reason, 'Write outside the sandbox');

    send({ id: request.id, result: { decision: 'decline' } });
    await waitFor(() => {
      const x = sessionFor(threadId)!;
      return x.pendingApproval === null && texts(messagesOf(x), 'agent').includes('Declined, fine.');
    }, 'the approval cleared and the turn finished', 20_000);
    assert.equal(messagesOf(sessionFor(threadId)!).find(m => m.kind === 'command')?.status, 'declined');
    server.stdin!.end();
    await exited;
  });

  it('starts watching a CODEX_HOME that appears after the watcher started', async () => {
    await close();
    const late = path.join(tmpDir(), 'codex-home-created-later');
    store = openStore({ file: path.join(dbDir, 'flightdeck.db'), clock: systemClock });
    engine = new SessionEngine({ store, clock: systemClock, log });
    engine.start();
    watcher = createCodexWatcher({ engine, store, codexHome: late, clock: systemClock, log, sweepMs: 200 });
    await watcher.start();
    await watcher.ready;
    assert.ok(logs.some(l => l.includes('does not exist yet')));
    fs.cpSync(home.dir, late, { recursive: true });
    router.on('Late home', () => ({ steps: [{ type: 'text', text: 'found you' }] }));
    const run = await codexExec(['Late home'], { CODEX_HOME: late });
    assert.equal(run.code, 0, run.stderr);
    await waitFor(() => engine.listSessions().find(x => x.firstPrompt === 'Late home' && texts(messagesOf(x), 'agent').includes('found you')), 'the session from the late home', 20_000);
  });

  it('is restart-stable, and a later `codex exec resume` is picked up live in the same session', async () => {
    router.on('Remember the number 42', () => ({ steps: [{ type: 'text', text: 'Noted.' }] }));
    router.on('What was the number?', () => ({ steps: [{ type: 'text', text: 'It was 42.' }] }));
    const first = await codexExec(['Remember the number 42']);
    assert.equal(first.code, 0, first.stderr);
    const threadId = fake.requests.find(r => r.prompt === 'Remember the number 42')!.threadId!;
    const s = await waitFor(() => {
      const x = sessionFor(threadId);
      return x && texts(messagesOf(x), 'agent').includes('Noted.') ? x : undefined;
    }, 'the first run in the engine', 20_000);
    const idsBefore = messagesOf(s).map(m => m.id);

    await close();
    await open();
    assert.equal(engine.listSessions().filter(x => x.providerSessionId === threadId).length, 1);
    assert.deepEqual(messagesOf(s).map(m => m.id), idsBefore, 'the seed read nothing twice');

    const second = await codexExec(['resume', threadId, 'What was the number?']);
    assert.equal(second.code, 0, second.stderr);
    await waitFor(() => texts(messagesOf(s), 'agent').includes('It was 42.'), 'the resumed turn in the engine', 20_000);
    const after = engine.getSession(s.id)!;
    assert.equal(after.firstPrompt, 'Remember the number 42');
    assert.deepEqual(texts(messagesOf(after), 'user'), ['Remember the number 42', 'What was the number?']);
    assert.equal(engine.listSessions().filter(x => x.providerSessionId === threadId).length, 1);

    await close();
    await open();
    assert.equal(engine.getSession(s.id)?.status, 'ended', 'the resumed exec run finished too');
    assert.equal(engine.getSession(s.id)?.endReason, END_REASONS.execFinished);
    assert.equal(messagesOf(s).length, messagesOf(after).length);
  });

  it('a running command keeps the session working past the idle time; once its CLI is killed the session ends', async () => {
    await close();
    const hand = new LongTimersByHand();
    clock = hand;
    await open();
    let cli: ChildProcess | undefined;
    router.on('Run the long job', req => (req.step === 0 ? { steps: [{ type: 'exec', cmd: 'sleep 120' }] } : { steps: [{ type: 'text', text: 'never' }] }));
    const run = codexExec(['Run the long job'], {}, c => { cli = c; });
    const s = await waitFor(() => engine.listSessions().find(x => x.firstPrompt === 'Run the long job'
      && messagesOf(x).some(m => m.kind === 'command' && m.status === 'inProgress')), 'the running command in the engine', 20_000);
    hand.fire();
    assert.equal(engine.getSession(s.id)!.status, 'active', 'the command has no output yet: the session works');
    assert.equal(engine.getSession(s.id)!.workStatus, 'working');

    cli!.kill('SIGKILL');
    await run;
    hand.fire();
    const ended = engine.getSession(s.id)!;
    assert.equal(ended.status, 'ended', 'nothing holds the rollout any more: the agent stopped');
    assert.equal(ended.endReason, END_REASONS.agentStopped);
  });

  it('a passive approval whose codex was killed is cleared with "the agent stopped" and leaves the count', async () => {
    await close();
    const hand = new LongTimersByHand();
    clock = hand;
    await open();
    router.on('Escalate and die', () => ({ steps: [{ type: 'exec', cmd: 'echo x > out.txt', escalated: true, justification: 'Write outside the sandbox' }] }));
    const { server, exited, threadId } = await terminalLikeTurn('Escalate and die');
    const waiting = await waitFor(() => { const x = sessionFor(threadId); return x?.workStatus === 'needsApproval' ? x : undefined; }, 'needsApproval from the rollout', 20_000);
    assert.deepEqual(waiting.pendingApproval?.options, [], 'answered only where codex runs');
    hand.fire();
    assert.equal(sessionFor(threadId)!.workStatus, 'needsApproval', 'codex still runs: still waiting in its terminal');
    assert.equal(attentionCount(engine.listSessions()), 1);

    server.kill('SIGKILL');
    await exited;
    hand.fire();
    const s = sessionFor(threadId)!;
    assert.deepEqual(s.pendingApprovals, []);
    assert.equal(s.endReason, END_REASONS.agentStopped);
    assert.equal(attentionCount(engine.listSessions()), 0);
    assert.ok(messagesOf(s).some(m => m.kind === 'system' && m.text.startsWith('No longer waiting for approval (the agent stopped)')));
  });
});
