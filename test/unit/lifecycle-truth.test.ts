// Lifecycle rules that keep what a session shows true (issue 15), with the injected clock and an
// injected view of which files processes hold open:
// - a running tool call (no output yet) keeps a passive Codex session working past 120 s idle;
// - an approval only its terminal can answer stays while the CLI runs and is cleared, with a reason
//   in the transcript, once nothing holds the rollout any more; it never counts as "needs you" then;
// - after a restart mid-turn a passive session follows its file instead of turning "waiting";
// - a `codex exec` turn that completed ends its session;
// - Claude approvals cannot outlive the hook request that held them (hook closed, engine restarted).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RolloutIngest } from '../../src/engine/codex/rollout/rolloutIngest';
import { HookSessions } from '../../src/engine/claude/hookSessions';
import type { HookPayload } from '../../src/engine/claude/hookPayload';
import { TranscriptTailer } from '../../src/engine/claude/transcriptTailer';
import type { Message, Session } from '../../src/engine/protocol';
import { attentionCount } from '../../src/engine/protocol/uiPolicy';
import { END_REASONS, LIFECYCLE } from '../../src/engine/sessions/lifecycle';
import { makeEngine, type TestEngine } from '../helpers/engine';
import { cleanupTmpDirs, tmpDir } from '../helpers/tmp';
import { L, line } from '../fixtures/rollouts/lines';

const THREAD = '01a2127c-0000-7000-8000-000000000001';
const TURN = 'turn-1';

describe('lifecycle truth: running calls, stuck approvals, restarts, exec runs', function () {
  this.timeout(10_000);
  let dir: string;
  let file: string;
  /** The files "processes" hold open; null = this platform cannot tell. */
  let held: Set<string> | null;
  let t: TestEngine;
  let ingest: RolloutIngest;

  const open = (from?: TestEngine) => {
    t = from ? from.restart() : makeEngine({ dir, openFiles: () => held });
    ingest = new RolloutIngest({ engine: t.engine, store: t.store, log: () => {}, maxLineBytes: 1 << 20, nameFor: () => null });
  };
  const append = (text: string) => { fs.appendFileSync(file, text); ingest.process(file); };
  const session = (): Session => t.engine.findByProviderId('codex', THREAD)!;
  const messages = (): Message[] => t.engine.getMessages(session().id, { limit: 1000 });
  const start = (execTurn = false) => L.meta(THREAD) + line('event_msg', {
    type: 'task_started', turn_id: TURN, model_context_window: 258400, turn_attribution: { turn_trigger: execTurn ? 'exec' : null },
  }) + L.turnContext(TURN, 'on-request', 'read-only') + L.user(TURN, 'Build it');
  const output = (callId: string, text: string) => line('response_item', {
    type: 'function_call_output', call_id: callId, output: text, internal_chat_message_metadata_passthrough: { turn_id: TURN },
  });

  beforeEach(() => {
    dir = tmpDir();
    file = path.join(dir, `rollout-2026-01-01T00-00-00-${THREAD}.jsonl`);
    fs.writeFileSync(file, '');
    held = new Set([file]);
    open();
  });
  afterEach(() => { t.close(); cleanupTmpDirs(); });

  it('a long command keeps the session working past 120 s idle, and it times out 120 s after its output', () => {
    append(start() + L.exec(TURN, 'call_long', 'npm run build'));
    assert.equal(session().workStatus, 'working');
    t.clock.advance(LIFECYCLE.passiveInactivityMs * 5);
    assert.equal(session().status, 'active', 'the command has no output yet: still running');
    assert.equal(session().workStatus, 'working');

    // Also when the platform cannot tell whether the process runs: the file says the call is open.
    held = null;
    t.clock.advance(LIFECYCLE.passiveInactivityMs * 2);
    assert.equal(session().workStatus, 'working');

    held = new Set();
    append(output('call_long', 'Process exited with code 0\nOutput:\nbuilt'));
    t.clock.advance(LIFECYCLE.passiveInactivityMs - 1);
    assert.equal(session().status, 'active');
    t.clock.advance(1);
    assert.equal(session().status, 'ended', 'the 120 s rule applies from the last completed item');
    assert.equal(session().endReason, END_REASONS.timeout);
  });

  it('a running command whose CLI is gone ends the session (the agent stopped)', () => {
    append(start() + L.exec(TURN, 'call_long', 'sleep 600'));
    held = new Set();
    t.clock.advance(LIFECYCLE.passiveInactivityMs);
    assert.equal(session().status, 'ended');
    assert.equal(session().endReason, END_REASONS.agentStopped);
  });

  it('a passive approval waits while its CLI runs; answered in the terminal it is cleared with that reason', () => {
    append(start() + L.exec(TURN, 'call_esc', 'echo x > /etc/y', true));
    assert.equal(session().workStatus, 'needsApproval');
    assert.deepEqual(session().pendingApproval?.options, []);
    t.clock.advance(LIFECYCLE.passiveInactivityMs * 10);
    assert.equal(session().workStatus, 'needsApproval', 'the CLI holds its rollout: still waiting in the terminal');
    assert.equal(attentionCount(t.engine.listSessions()), 1);

    append(output('call_esc', 'Process exited with code 0\nOutput:\n'));
    assert.equal(session().pendingApproval, null);
    assert.equal(session().workStatus, 'working');
    const note = messages().find(m => m.kind === 'system');
    assert.equal(note?.text, 'No longer waiting for approval (the terminal answered): echo x > /etc/y');
  });

  it('a passive approval whose CLI was killed is cleared ("the agent stopped") and never counted', () => {
    append(start() + L.exec(TURN, 'call_esc', 'echo x > /etc/y', true));
    assert.equal(attentionCount(t.engine.listSessions()), 1);
    held = new Set();
    t.clock.advance(LIFECYCLE.passiveInactivityMs);
    assert.equal(session().status, 'ended');
    assert.equal(session().endReason, END_REASONS.agentStopped);
    assert.deepEqual(session().pendingApprovals, []);
    assert.equal(attentionCount(t.engine.listSessions()), 0);
    assert.ok(messages().some(m => m.kind === 'system' && m.text === 'No longer waiting for approval (the agent stopped): echo x > /etc/y'));
  });

  it('startup cleanup: a restart finds the stuck approval of a killed CLI and clears it', () => {
    append(start() + L.exec(TURN, 'call_esc', 'echo x > /etc/y', true));
    const id = session().id;
    t.store.flush();
    held = new Set();
    t.clock.advance(LIFECYCLE.startupStalePassiveMs * 2);
    // The old engine was stopped before its idle check ran (say the machine slept): the new one checks at once.
    open(t);
    t.clock.advance(0);
    const s = t.engine.getSession(id)!;
    assert.equal(s.status, 'ended');
    assert.equal(s.endReason, END_REASONS.agentStopped);
    assert.equal(attentionCount(t.engine.listSessions()), 0);
  });

  it('after a restart mid-turn the session follows its file: still working while the turn is open', () => {
    append(start() + L.exec(TURN, 'call_long', 'npm test'));
    const id = session().id;
    open(t);
    assert.equal(t.engine.getSession(id)!.workStatus, 'working', 'not restored as "waiting": the file says the turn is open');
    t.clock.advance(LIFECYCLE.passiveInactivityMs * 3);
    assert.equal(t.engine.getSession(id)!.workStatus, 'working');
    ingest.process(file);
    append(output('call_long', 'Process exited with code 0\nOutput:\nok') + L.agent(TURN, 'Tests pass.') + L.taskComplete(TURN));
    assert.equal(t.engine.getSession(id)!.workStatus, 'waiting');
    assert.equal(t.engine.getSession(id)!.currentTurnId, null);
  });

  it('a `codex exec` turn that completed ends the session; `codex exec resume` reactivates it', () => {
    append(start(true) + L.agent(TURN, 'Done.') + L.taskComplete(TURN));
    assert.equal(session().status, 'ended', 'not "Waiting for you" for two minutes after the process exited');
    assert.equal(session().endReason, END_REASONS.execFinished);
    append(line('event_msg', { type: 'task_started', turn_id: 'turn-2', turn_attribution: { turn_trigger: 'exec' } }) + L.user('turn-2', 'And again'));
    assert.equal(session().status, 'active');
    assert.equal(session().workStatus, 'working');
    // A turn of an interactive client that resumed the thread is not an exec turn: it waits for the user.
    append(L.taskComplete('turn-2') + line('event_msg', { type: 'task_started', turn_id: 'turn-3', turn_attribution: { turn_trigger: null } })
      + L.user('turn-3', 'From the TUI') + L.taskComplete('turn-3'));
    assert.equal(session().status, 'active');
    assert.equal(session().workStatus, 'waiting');
  });
});

describe('lifecycle truth: Claude approvals do not outlive their hook request', function () {
  this.timeout(10_000);
  let t: TestEngine;
  let hooks: HookSessions;
  const BASH = { command: 'touch marker.txt', description: 'Create marker' };
  const open = (from?: TestEngine) => {
    t = from ? from.restart() : makeEngine();
    const tailer = new TranscriptTailer({ engine: t.engine, store: t.store, clock: t.clock, log: () => {}, watch: false });
    hooks = new HookSessions({ engine: t.engine, clock: t.clock, log: () => {}, tailer, approvalsFromFlightdeck: true, approvalTimeoutMs: 600_000 });
    hooks.start();
  };
  const send = (p: Record<string, unknown>, signal = new AbortController().signal) =>
    hooks.handle({ session_id: 'claude-1', cwd: '/w/proj', ...p } as HookPayload, { projectDir: '/w/proj', signal });
  const session = () => t.engine.findByProviderId('claude', 'claude-1')!;
  const notes = () => t.engine.getMessages(session().id, { limit: 100 }).filter(m => m.kind === 'system').map(m => m.text);

  beforeEach(() => open());
  afterEach(() => { hooks.stop(); t.close(); cleanupTmpDirs(); });

  it('the hook connection closed: cleared with a visible reason', async () => {
    await send({ hook_event_name: 'UserPromptSubmit', prompt: 'go' });
    const ac = new AbortController();
    const held = send({ hook_event_name: 'PermissionRequest', tool_name: 'Bash', tool_input: BASH }, ac.signal);
    assert.equal(attentionCount(t.engine.listSessions()), 1);
    ac.abort();
    await held;
    assert.equal(attentionCount(t.engine.listSessions()), 0);
    assert.deepEqual(notes(), ['No longer waiting for approval (answered in its terminal, or Claude stopped): touch marker.txt (in /w/proj)']);
  });

  it('a restart clears Claude approvals: the hook request that held them closed with the old engine', async () => {
    await send({ hook_event_name: 'UserPromptSubmit', prompt: 'go' });
    void send({ hook_event_name: 'PermissionRequest', tool_name: 'Bash', tool_input: BASH });
    assert.equal(session().workStatus, 'needsApproval');
    hooks.stop();
    open(t);
    assert.deepEqual(session().pendingApprovals, []);
    assert.notEqual(session().workStatus, 'needsApproval');
    assert.equal(attentionCount(t.engine.listSessions()), 0);
    assert.match(notes().join('\n'), /No longer waiting for approval \(Flightdeck restarted while Claude waited; Claude asks in its terminal\): touch marker.txt/);
  });
});
