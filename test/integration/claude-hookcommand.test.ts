// The bundled hook command (dist/hook.js) and the loopback receiver, end to end with the real
// payloads captured from claude 2.1.328: decisions in Claude's format, a PermissionRequest arriving
// twice, the engine down or going away, and bad input that must be refused while the engine lives on.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { runHook } from '../../src/engine/claude/hookCommand';
import { createClaudeIntegration, type ClaudeIntegration } from '../../src/engine/claude/integration';
import { ENDPOINT_FILE_NAME, HOOK_PATH, LEADER_DIR_ENV, SOCKET_FILE_NAME, TOKEN_HEADER } from '../../src/engine/claude/hookWire';
import type { EngineEvent } from '../../src/engine/sessions/bus';
import { systemClock } from '../../src/engine/platform/clock';
import { SessionEngine } from '../../src/engine/sessions/engine';
import { openStore } from '../../src/engine/store/sqliteStore';
import type { Store } from '../../src/engine/store/types';
import { REPO_ROOT, buildHookScript, run, waitFor, type RunResult } from '../fixtures/claudeEnv';

const SAMPLES = path.join(REPO_ROOT, 'test', 'fixtures', 'claude');
const SESSION_ID = 'e8a949b0-8264-4a31-977e-9192bf42a92c';

function sample(name: string, transcriptPath: string): Record<string, unknown> {
  const p = JSON.parse(fs.readFileSync(path.join(SAMPLES, 'hooks', `${name}.json`), 'utf8'));
  return { ...p, session_id: SESSION_ID, transcript_path: transcriptPath };
}

describe('claude hook command and receiver', function () {
  this.timeout(30_000);
  let dir: string;
  let hookScript: string;
  let dataDir: string;
  let store: Store;
  let engine: SessionEngine;
  let claude: ClaudeIntegration;
  let logs: string[];
  let events: EngineEvent[];
  let transcript: string;
  /** An empty leader folder: the hook must never reach an engine running elsewhere on this machine. */
  let noLeader: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-hookcmd-'));
    noLeader = fs.mkdtempSync(path.join(dir, 'no-leader-'));
    hookScript = await buildHookScript(dir);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(dir, 'data-'));
    transcript = path.join(dataDir, `${SESSION_ID}.jsonl`);
    fs.writeFileSync(transcript, '');
    store = openStore({ file: path.join(dataDir, 'fd.db'), clock: systemClock });
    logs = [];
    events = [];
    const log = (level: string, msg: string) => { logs.push(`${level}: ${msg}`); };
    engine = new SessionEngine({ store, clock: systemClock, log });
    engine.start();
    engine.bus.subscribe(e => events.push(e));
    claude = createClaudeIntegration({ engine, store, dataDir, clock: systemClock, log, approvalTimeoutMs: 20_000 });
    engine.registerProvider(claude.controller);
    await claude.start();
  });
  afterEach(async () => {
    await claude.stop();
    engine.stop();
    store.close();
  });

  const hook = (payload: unknown, env: NodeJS.ProcessEnv = {}, dd = dataDir): Promise<RunResult> =>
    run(process.execPath, [hookScript, '--flightdeck-hook', dd], {
      cwd: dir, env: { PATH: process.env.PATH, [LEADER_DIR_ENV]: noLeader, ...env }, timeoutMs: 25_000,
      input: typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload),
    });

  /**
   * Runs the hook 3 times and returns the median time from the moment node hands over to the script
   * until exit (measured by a preload), so node's own start-up on a loaded machine does not count.
   * Every run must exit 0 with no output.
   */
  async function timedHookRuns(payload: unknown, dd: string): Promise<number> {
    const preload = path.join(dir, 'time-preload.js');
    fs.writeFileSync(preload, "const t0 = performance.now(); process.on('exit', () => require('fs').writeSync(2, `\\nFD_HOOK_MS ${performance.now() - t0}\\n`));\n");
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await run(process.execPath, ['--require', preload, hookScript, '--flightdeck-hook', dd], {
        cwd: dir, env: { PATH: process.env.PATH, [LEADER_DIR_ENV]: noLeader }, timeoutMs: 10_000, input: JSON.stringify(payload),
      });
      assert.equal(r.code, 0);
      assert.equal(r.stdout, '');
      const m = /FD_HOOK_MS ([\d.]+)/.exec(r.stderr);
      assert.ok(m, `no timing in stderr: ${r.stderr}`);
      times.push(Number(m[1]));
    }
    return times.sort((a, b) => a - b)[1];
  }

  it('writes the endpoint file with mode 0600 and listens on a 0600 Unix socket in the 0700 folder, not on TCP', () => {
    const file = path.join(dataDir, ENDPOINT_FILE_NAME);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const ep = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(ep.port, undefined);
    assert.equal(ep.socket, path.join(dataDir, SOCKET_FILE_NAME));
    assert.equal(ep.socket, claude.receiver.socketPath);
    assert.ok(fs.lstatSync(ep.socket).isSocket());
    assert.equal(fs.statSync(ep.socket).mode & 0o777, 0o600);
    assert.equal(fs.statSync(dataDir).mode & 0o777, 0o700);
    assert.ok(!logs.some(l => l.includes(ep.token)), 'the token is never logged');
  });

  it('real payloads: session by session_id, project dir as cwd, approval answered in Claude format, ended at SessionEnd', async () => {
    const projectDir = '/home/dev/claude-lab/tr/proj/my.proj_dir name';
    const env = { CLAUDE_PROJECT_DIR: projectDir };
    for (const name of ['SessionStart.startup', 'UserPromptSubmit', 'PreToolUse']) {
      const r = await hook(sample(name, transcript), env);
      assert.equal(r.code, 0);
      assert.equal(r.stdout, '', `${name} answers nothing`);
    }
    const s = engine.findByProviderId('claude', SESSION_ID)!;
    assert.equal(s.displayName, 'use bash, write and edit');
    assert.equal(s.cwd, projectDir);
    assert.equal(s.sourcePath, transcript);
    assert.equal(s.workStatus, 'working');

    // The captured PermissionRequest, made to follow the PreToolUse of the same call.
    const pre = sample('PreToolUse', transcript);
    const perm = { ...sample('PermissionRequest', transcript), tool_name: pre.tool_name, tool_input: pre.tool_input };
    const pending = hook(perm, env);
    const approval = await waitFor('approval raised', () => engine.getSession(s.id)!.pendingApproval);
    assert.equal(approval.approvalId, 'toolu_fake_0001_34319');
    assert.equal(approval.kind, 'exec');
    assert.equal(approval.command, 'echo hello-from-bash && ls');
    assert.equal(engine.getSession(s.id)!.workStatus, 'needsApproval');
    await engine.decideApproval(s.id, approval.approvalId, 'approved');
    const r = await pending;
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.stdout), { hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'allow' } } });
    assert.equal(engine.getSession(s.id)!.workStatus, 'working');
    await assert.rejects(engine.decideApproval(s.id, approval.approvalId, 'approved'), /no longer pending/);

    for (const name of ['PostToolUse', 'Stop']) assert.equal((await hook(sample(name, transcript), env)).code, 0);
    assert.equal(engine.getSession(s.id)!.workStatus, 'waiting');
    assert.equal((await hook(sample('SessionEnd.other', transcript), env)).code, 0);
    const ended = engine.getSession(s.id)!;
    assert.equal(ended.status, 'ended');
    assert.equal(ended.endReason, 'provider_ended');
    assert.equal(engine.listSessions().length, 1);
  });

  it('a PermissionRequest that arrives twice raises one approval; one decision answers both (deny, with the message)', async () => {
    await hook(sample('UserPromptSubmit', transcript));
    const perm = sample('PermissionRequest', transcript);
    const first = hook(perm);
    const second = hook(perm);
    const s = engine.findByProviderId('claude', SESSION_ID)!;
    const approval = await waitFor('approval raised', () => engine.getSession(s.id)!.pendingApproval);
    // Both hook processes hold a request open before the decision.
    await waitFor('both hooks waiting', () => claude.receiver.inFlight === 2);
    await engine.decideApproval(s.id, approval.approvalId, 'denied', { message: 'not today' });
    const expected = { hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'deny', message: 'not today' } } };
    for (const r of await Promise.all([first, second])) {
      assert.equal(r.code, 0);
      assert.deepEqual(JSON.parse(r.stdout), expected);
    }
    assert.equal(events.filter(e => e.type === 'approval_requested').length, 1);
    assert.equal(engine.getSession(s.id)!.workStatus, 'waiting');
  });

  it('installed with another folder: finds the engine in the leader folder', async () => {
    const other = fs.mkdtempSync(path.join(dir, 'other-'));
    const r = await hook(sample('UserPromptSubmit', transcript), { [LEADER_DIR_ENV]: dataDir }, other);
    assert.equal(r.code, 0);
    assert.equal(engine.findByProviderId('claude', SESSION_ID)?.firstPrompt, 'use bash, write and edit');
  });

  it('engine down (no endpoint file): exits 0 at once with no output', async () => {
    const empty = fs.mkdtempSync(path.join(dir, 'nodata-'));
    const inProcess = performance.now();
    const out: string[] = [];
    await runHook({ argv: ['--flightdeck-hook', empty], env: { [LEADER_DIR_ENV]: noLeader }, stdin: new PassThrough(), write: a => out.push(a) });
    assert.ok(performance.now() - inProcess < 100, 'the hook logic returns within 100 ms');
    assert.deepEqual(out, []);

    const ms = await timedHookRuns(sample('PreToolUse', transcript), empty);
    assert.ok(ms < 100, `the hook script ran ${ms.toFixed(0)} ms after node started it`);
  });

  it('engine crashed (endpoint file left behind, its process gone): exits 0 at once with no output', async () => {
    const stale = fs.mkdtempSync(path.join(dir, 'stale-'));
    const dead = await run(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { cwd: dir, env: {}, timeoutMs: 10_000 });
    writeEndpoint(stale, { pid: Number(dead.stdout) });
    const ms = await timedHookRuns(sample('PermissionRequest', transcript), stale);
    assert.ok(ms < 100, `the hook script ran ${ms.toFixed(0)} ms after node started it`);
  });

  it('endpoint file of a live process whose socket is gone: no wait, no output', async () => {
    const stale = fs.mkdtempSync(path.join(dir, 'stale-'));
    writeEndpoint(stale, { pid: process.pid });
    const ms = await timedHookRuns(sample('PermissionRequest', transcript), stale);
    assert.ok(ms < 1_000, `the hook script ran ${ms.toFixed(0)} ms (it must not wait for a decision)`);
  });

  it('the engine going away while a PermissionRequest waits: the hook ends with no answer (Claude prompts itself)', async () => {
    const pending = hook(sample('PermissionRequest', transcript));
    await waitFor('approval raised', () => engine.findByProviderId('claude', SESSION_ID)?.pendingApproval);
    const stoppedAt = performance.now();
    await claude.stop();
    const r = await pending;
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '');
    assert.ok(performance.now() - stoppedAt < 2_000, 'the hook ended promptly');
    assert.ok(!fs.existsSync(path.join(dataDir, ENDPOINT_FILE_NAME)), 'endpoint file removed on stop');
  });

  it('malformed, oversized and unauthenticated payloads are refused with a logged error; the engine keeps running', async () => {
    const token = claude.receiver.secretForTests;
    const socketPath = claude.receiver.socketPath;
    const cases: [string, number, Buffer | string, Record<string, string>][] = [
      ['no token', 401, '{}', {}],
      ['wrong token', 401, '{}', { [TOKEN_HEADER]: 'f'.repeat(64) }],
      ['browser origin', 403, '{}', { [TOKEN_HEADER]: token, origin: 'http://evil.example' }],
      ['invalid JSON', 400, '{"session_id": "a", ', { [TOKEN_HEADER]: token }],
      ['truncated line', 400, JSON.stringify(sample('Stop', transcript)).slice(0, 50), { [TOKEN_HEADER]: token }],
      ['invalid UTF-8', 400, Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), { [TOKEN_HEADER]: token }],
      ['schema: no session_id', 400, JSON.stringify({ hook_event_name: 'Stop' }), { [TOKEN_HEADER]: token }],
      ['schema: wrong type', 400, JSON.stringify({ hook_event_name: 'UserPromptSubmit', session_id: 'x', prompt: 42 }), { [TOKEN_HEADER]: token }],
      ['oversized', 413, Buffer.alloc(9 * 1024 * 1024, 0x20), { [TOKEN_HEADER]: token }],
    ];
    for (const [name, status, body, headers] of cases) {
      const got = await post(socketPath, body, headers);
      assert.equal(got, status, name);
    }
    assert.equal(logs.filter(l => l.startsWith('warn: claude: rejected hook request')).length, cases.length);
    assert.ok(logs.some(l => l.includes('not valid UTF-8')) && logs.some(l => l.includes('session_id')));
    assert.equal(engine.listSessions().length, 0, 'nothing was created from bad input');

    // Through the hook command: garbage and oversized stdin end quietly.
    for (const input of ['not json at all', Buffer.alloc(9 * 1024 * 1024, 0x61)]) {
      const r = await hook(input);
      assert.equal(r.code, 0);
      assert.equal(r.stdout, '');
    }
    // Still alive: a real payload is taken.
    assert.equal((await hook(sample('UserPromptSubmit', transcript))).code, 0);
    assert.equal(engine.findByProviderId('claude', SESSION_ID)?.firstPrompt, 'use bash, write and edit');
  });
});

function post(socketPath: string, body: Buffer | string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, path: HOOK_PATH, method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, res => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    // An oversized upload may be cut off by the server after it answered 413.
    req.on('error', e => (e as NodeJS.ErrnoException).code === 'EPIPE' || (e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e));
    req.end(body);
  });
}

function writeEndpoint(dataDir: string, e: { pid: number }): void {
  const endpoint = { version: 2, socket: path.join(dataDir, SOCKET_FILE_NAME), token: 'x'.repeat(64), permissionWaitMs: 600_000, ...e };
  fs.writeFileSync(path.join(dataDir, ENDPOINT_FILE_NAME), JSON.stringify(endpoint), { mode: 0o600 });
}
