// The real `claude` binary (2.1.328) against a scripted fake Messages API on 127.0.0.1, with
// Flightdeck's hooks installed in a temp HOME: sessions appear through the hooks, transcripts are
// tailed live, and a PermissionRequest is decided in Flightdeck (allow, then deny).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createClaudeIntegration, type ClaudeIntegration } from '../../src/engine/claude/integration';
import { buildHookCommand, installClaudeHooks } from '../../src/engine/claude/installer';
import type { EngineEvent } from '../../src/engine/sessions/bus';
import { systemClock } from '../../src/engine/platform/clock';
import { SessionEngine } from '../../src/engine/sessions/engine';
import { openStore } from '../../src/engine/store/sqliteStore';
import type { Store } from '../../src/engine/store/types';
import { buildHookScript, type ClaudeSandbox, makeClaudeSandbox, runClaude, waitFor } from '../fixtures/claudeEnv';
import { type FakeAnthropic, type FakeTurn, startFakeAnthropic } from '../fixtures/fakeAnthropic';

const MARKER_COMMAND = 'touch marker.txt && echo RAN-MARKER';

const SCRIPT: FakeTurn[] = [
  {
    blocks: [{ type: 'text', text: 'Making the marker.' }, { type: 'tool_use', name: 'Bash', input: { command: MARKER_COMMAND, description: 'Create marker' } }],
    usage: { input: 120, cacheCreation: 50, cacheRead: 1000, output: 35 },
  },
  { blocks: [{ type: 'text', text: 'Marker step finished.' }], usage: { input: 200, output: 10 } },
];

interface World {
  sandbox: ClaudeSandbox;
  store: Store;
  engine: SessionEngine;
  claude: ClaudeIntegration;
  fake: FakeAnthropic;
  events: EngineEvent[];
  logs: string[];
}

describe('claude hooks against the real binary', function () {
  this.timeout(90_000);
  let hookDir: string;
  let hookScript: string;
  let w: World | null = null;

  before(async () => {
    hookDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-hookjs-'));
    hookScript = await buildHookScript(hookDir);
  });
  after(() => fs.rmSync(hookDir, { recursive: true, force: true }));

  afterEach(async () => {
    if (!w) return;
    await w.claude.stop();
    w.engine.stop();
    w.store.close();
    await w.fake.close();
    w.sandbox.cleanup();
    w = null;
  });

  async function setup(onApproval: (e: Extract<EngineEvent, { type: 'approval_requested' }>, world: World) => void, approvalTimeoutMs = 60_000): Promise<World> {
    const sandbox = makeClaudeSandbox();
    const store = openStore({ file: path.join(sandbox.root, 'fd.db'), clock: systemClock });
    const logs: string[] = [];
    const log = (level: string, msg: string) => { logs.push(`${level}: ${msg}`); };
    const engine = new SessionEngine({ store, clock: systemClock, log });
    engine.start();
    const claude = createClaudeIntegration({ engine, store, dataDir: sandbox.dataDir, clock: systemClock, log, approvalTimeoutMs });
    engine.registerProvider(claude.controller);
    await claude.start();
    const fake = await startFakeAnthropic(SCRIPT);
    const world: World = { sandbox, store, engine, claude, fake, events: [], logs };
    engine.bus.subscribe(e => {
      world.events.push(e);
      if (e.type === 'approval_requested') onApproval(e, world);
    });
    // The user's own settings and hook, which the install must keep working.
    fs.mkdirSync(sandbox.claudeHome, { recursive: true });
    fs.writeFileSync(path.join(sandbox.claudeHome, 'settings.json'), JSON.stringify({
      includeCoAuthoredBy: false,
      hooks: { Stop: [{ matcher: '*', hooks: [{ type: 'command', command: `echo user-hook-ran >> "${sandbox.root}/user-hook.log"` }] }] },
    }));
    installClaudeHooks({ claudeHome: sandbox.claudeHome, hookCommand: buildHookCommand({ hookScript, dataDir: sandbox.dataDir }) });
    w = world;
    return world;
  }

  it('claude -p with a tool call: session via hooks, named from the prompt, live transcript in order, tokens, approved in Flightdeck, ended at SessionEnd', async () => {
    const world = await setup((e, wd) => {
      void wd.engine.decideApproval(e.sessionId, e.approval.approvalId, 'approved').catch(err => wd.logs.push(`decide failed: ${err}`));
    });
    const r = await runClaude(['-p', 'make the marker please'], world.sandbox, world.fake.url);
    assert.equal(r.code, 0, `claude failed: ${r.stderr}\n${world.logs.join('\n')}`);
    assert.ok(fs.existsSync(path.join(world.sandbox.project, 'marker.txt')), 'the approved command ran');
    assert.ok(fs.existsSync(path.join(world.sandbox.root, 'user-hook.log')), "the user's own hook still runs");

    const [session] = world.engine.listSessions();
    await waitFor('session ended', () => world.engine.getSession(session.id)?.status === 'ended');
    const s = world.engine.getSession(session.id)!;
    assert.equal(s.provider, 'claude');
    assert.match(s.providerSessionId ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(s.displayName, 'make the marker please');
    assert.equal(s.cwd, world.sandbox.project);
    assert.equal(s.endReason, 'provider_ended');
    assert.ok(s.sourcePath?.endsWith(`${s.providerSessionId}.jsonl`));
    assert.equal(s.model, 'claude-fake-1');
    // One count per API message (1170 + 200 read, 35 + 10 written), context fill from the last turn only.
    assert.deepEqual(
      { input: s.tokenUsage.input, output: s.tokenUsage.output, cached: s.tokenUsage.cached, last: s.tokenUsage.lastTurnInput },
      { input: 1370, output: 45, cached: 1000, last: 200 },
    );

    const messages = world.engine.getMessages(s.id);
    assert.deepEqual(messages.map(m => m.kind), ['user', 'agent', 'command', 'agent']);
    assert.equal(messages[0].text, 'make the marker please');
    const cmd = messages[2];
    assert.equal(cmd.command, MARKER_COMMAND);
    assert.equal(cmd.isError, false);
    assert.equal(cmd.status, 'completed');
    assert.match(cmd.output ?? '', /RAN-MARKER/);
    assert.deepEqual(messages.map(m => m.seq), [...messages.map(m => m.seq)].sort((a, b) => a - b));

    // Live: every item was published before the session ended, in transcript order.
    const endedAt = world.events.findIndex(e => e.type === 'session_ended');
    const appended = world.events.map((e, i) => ({ e, i })).filter(x => x.e.type === 'message_appended');
    assert.ok(appended.length === 4 && appended.every(x => x.i < endedAt), 'items arrived before SessionEnd');
    const approvalAt = world.events.findIndex(e => e.type === 'approval_requested');
    const toolAppendedAt = appended.find(x => x.e.type === 'message_appended' && x.e.message.kind === 'command')!.i;
    assert.ok(toolAppendedAt < approvalAt, 'the tool call is in the transcript before its approval is raised');
    assert.ok(world.events.some(e => e.type === 'session_delta' && e.changes.workStatus === 'needsApproval'));
    assert.equal(world.fake.toolResults()[0].is_error, false);
  });

  it('a permission request denied in Flightdeck: the tool does not run and the model gets the message', async () => {
    const world = await setup((e, wd) => {
      void wd.engine.decideApproval(e.sessionId, e.approval.approvalId, 'denied', { message: 'Flightdeck: user said no' })
        .catch(err => wd.logs.push(`decide failed: ${err}`));
    });
    const r = await runClaude(['-p', 'make the marker please'], world.sandbox, world.fake.url);
    assert.equal(r.code, 0, `claude failed: ${r.stderr}\n${world.logs.join('\n')}`);
    assert.ok(!fs.existsSync(path.join(world.sandbox.project, 'marker.txt')), 'the denied command did not run');
    const [result] = world.fake.toolResults();
    assert.equal(result.content, 'Flightdeck: user said no');
    assert.equal(result.is_error, true);

    const [s] = world.engine.listSessions();
    await waitFor('session ended', () => world.engine.getSession(s.id)?.status === 'ended');
    const cmd = world.engine.getMessages(s.id).find(m => m.kind === 'command')!;
    assert.equal(cmd.isError, true);
    assert.equal(cmd.output, 'Flightdeck: user said no');
    assert.equal(world.engine.getSession(s.id)!.pendingApprovals.length, 0);
  });

  it('nobody decides in Flightdeck: after the approval timeout Claude falls back to its own flow', async () => {
    // When the permission request reached Flightdeck (through the hook), by the wall clock.
    const requests: { command: string | null; at: number; version: number; options: string[] }[] = [];
    const world = await setup(e => { requests.push({ command: e.approval.command ?? null, at: Date.now(), version: e.approval.version, options: e.approval.options }); }, 1_000);
    const r = await runClaude(['-p', 'make the marker please'], world.sandbox, world.fake.url);
    const exitedAt = Date.now();
    assert.equal(r.code, 0, `claude failed: ${r.stderr}\n${world.logs.join('\n')}`);
    // The hooks work: the request was raised in Flightdeck and held there for the timeout before
    // Claude's own flow answered (a broken hook would fall back at once, with no request here).
    assert.deepEqual(requests.filter(x => x.version === 0).map(x => x.command), [MARKER_COMMAND], 'the permission request reached Flightdeck once');
    // After the wait it was re-issued offering nothing: only Claude's own flow can answer it now.
    assert.deepEqual(requests.filter(x => x.version > 0).map(x => x.options), [[]]);
    assert.ok(exitedAt - requests[0].at >= 900, `Claude went on only after the ${1_000} ms wait (went on after ${exitedAt - requests[0].at} ms)`);
    assert.ok(world.events.some(e => e.type === 'session_delta' && e.changes.workStatus === 'needsApproval'), 'the session waited for approval in Flightdeck');
    assert.ok(!fs.existsSync(path.join(world.sandbox.project, 'marker.txt')), 'nobody approved, so it did not run');
    const [result] = world.fake.toolResults();
    // -p has no prompt of its own: Claude's default answer is its "needs approval" denial.
    assert.match(String(result.content), /approval|permission/i);
    assert.equal(result.is_error, true);
    const [s] = world.engine.listSessions();
    await waitFor('session ended', () => world.engine.getSession(s.id)?.status === 'ended');
    assert.equal(world.engine.getSession(s.id)!.pendingApprovals.length, 0);
  });
});
