// Claude session lifecycle from hook events, on a fake clock: work status through a turn, approvals
// and questions (held, decided, timed out, answered elsewhere), liveness after the last event, and
// the startup rules.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HookSessions, TOOL_LINE_WAIT_MS } from '../../src/engine/claude/hookSessions';
import type { HookAnswer, HookPayload } from '../../src/engine/claude/hookPayload';
import { TranscriptTailer } from '../../src/engine/claude/transcriptTailer';
import type { EngineEvent } from '../../src/engine/sessions/bus';
import { FakeClock } from '../../src/engine/platform/clock';
import { SessionEngine } from '../../src/engine/sessions/engine';
import { LIFECYCLE } from '../../src/engine/sessions/lifecycle';
import type { ProviderController } from '../../src/engine/sessions/provider';
import { openStore } from '../../src/engine/store/sqliteStore';
import type { Store } from '../../src/engine/store/types';
import { REPO_ROOT } from '../fixtures/claudeEnv';

const SID = 'claude-session-1';
const BASH = { command: 'touch marker.txt', description: 'Create marker' };
const QUESTION_INPUT = {
  questions: [{ question: 'Which color?', header: 'Color', multiSelect: false, options: [{ label: 'Red' }, { label: 'Blue', description: 'calm' }] }],
};

describe('claude session lifecycle from hooks', () => {
  let dir: string;
  let clock: FakeClock;
  let store: Store;
  let engine: SessionEngine;
  let tailer: TranscriptTailer;
  let hooks: HookSessions;
  let events: EngineEvent[];
  let unregister: () => void;

  function open(opts: { approvalsFromFlightdeck?: boolean } = {}): void {
    store = openStore({ file: path.join(dir, 'fd.db'), clock });
    engine = new SessionEngine({ store, clock });
    engine.start();
    events = [];
    engine.bus.subscribe(e => events.push(e));
    tailer = new TranscriptTailer({ engine, store, clock, log: () => {}, watch: false });
    hooks = new HookSessions({
      engine, clock, log: () => {}, tailer, approvalsFromFlightdeck: opts.approvalsFromFlightdeck ?? true, approvalTimeoutMs: 600_000,
    });
    const controller: ProviderController = {
      handles: s => s.provider === 'claude',
      decideApproval: async (s, a, _d, message) => hooks.decide(s, a.approvalId, { behavior: 'deny', message: message ?? 'no' }),
      answerQuestion: async (s, q, answers) => hooks.answer(s, q, answers),
    };
    unregister = engine.registerProvider(controller);
    hooks.start();
  }
  function close(): void { unregister(); hooks.stop(); tailer.stop(); engine.stop(); store.close(); }

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-claude-life-'));
    clock = new FakeClock();
  });
  afterEach(() => { close(); fs.rmSync(dir, { recursive: true, force: true }); });

  const send = (p: Record<string, unknown>, signal = new AbortController().signal): Promise<HookAnswer> =>
    hooks.handle({ session_id: SID, cwd: '/work/proj', ...p } as HookPayload, { projectDir: null, signal });
  const session = () => engine.findByProviderId('claude', SID)!;

  it('follows a turn: waiting → working → needsApproval → working → waiting → ended', async () => {
    open({ approvalsFromFlightdeck: false });
    await send({ hook_event_name: 'SessionStart', source: 'startup', model: 'claude-opus-5-5' });
    assert.equal(session().workStatus, 'waiting');
    assert.equal(session().model, 'claude-opus-5-5');
    assert.equal(session().projectName, 'proj');
    await send({ hook_event_name: 'UserPromptSubmit', prompt: '  fix   the\nbug  ', permission_mode: 'acceptEdits' });
    assert.equal(session().workStatus, 'working');
    assert.equal(session().approvalPolicy, 'acceptEdits');
    assert.equal(session().displayName, 'fix the bug');
    await send({ hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: BASH, tool_use_id: 'toolu_1' });
    // With approvals from Flightdeck off, the request is shown but the hook answers at once.
    assert.equal(await send({ hook_event_name: 'PermissionRequest', tool_name: 'Bash', tool_input: { description: 'Create marker', command: 'touch marker.txt' } }), null);
    assert.equal(session().workStatus, 'needsApproval');
    assert.equal(session().pendingApproval?.approvalId, 'toolu_1', 'paired with its PreToolUse by deep-equal input');
    assert.deepEqual(session().pendingApproval?.options, [], 'nothing to decide here: every client says to answer in the terminal');
    await assert.rejects(engine.decideApproval(session().id, 'toolu_1', 'denied'), /not offered/);
    await send({ hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_input: BASH, tool_use_id: 'toolu_1' });
    assert.equal(session().workStatus, 'working');
    assert.equal(session().pendingApprovals.length, 0, 'answered in the terminal');
    await send({ hook_event_name: 'Stop', stop_hook_active: false });
    assert.equal(session().workStatus, 'waiting');
    await send({ hook_event_name: 'SessionEnd', reason: 'prompt_input_exit' });
    assert.equal(session().status, 'ended');
    assert.equal(session().endReason, 'provider_ended');
  });

  it('a synthetic <task-notification> prompt never names the session', async () => {
    open();
    await send({ hook_event_name: 'UserPromptSubmit', prompt: '<task-notification>\n<task-id>a1</task-id> done</task-notification>' });
    assert.equal(session().firstPrompt, null);
    assert.equal(session().workStatus, 'working');
  });

  it('AskUserQuestion: needs-answer; answered in Flightdeck through the held PermissionRequest', async () => {
    open();
    await send({ hook_event_name: 'UserPromptSubmit', prompt: 'pick a color' });
    await send({ hook_event_name: 'PreToolUse', tool_name: 'AskUserQuestion', tool_input: QUESTION_INPUT, tool_use_id: 'toolu_q' });
    const q = session().pendingQuestion!;
    assert.equal(session().workStatus, 'needsAnswer');
    assert.equal(q.questionId, 'toolu_q');
    assert.deepEqual(q.questions[0].options, [{ label: 'Red', description: null }, { label: 'Blue', description: 'calm' }]);
    // Not held yet: Flightdeck says where to answer.
    await assert.rejects(engine.answerQuestion(session().id, 'toolu_q', { q0: 'Blue' }), /answer it there/);
    const held = send({ hook_event_name: 'PermissionRequest', tool_name: 'AskUserQuestion', tool_input: QUESTION_INPUT });
    assert.equal(events.filter(e => e.type === 'approval_requested').length, 0, 'a question is not an approval');
    await engine.answerQuestion(session().id, 'toolu_q', { q0: 'Blue' });
    assert.deepEqual(await held, {
      hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'allow', updatedInput: { ...QUESTION_INPUT, answers: { 'Which color?': 'Blue' } } } },
    });
    assert.equal(session().pendingQuestion, null);
    assert.equal(session().workStatus, 'working');
  });

  it('a question answered in the terminal is cleared by its PostToolUse', async () => {
    open();
    await send({ hook_event_name: 'PreToolUse', tool_name: 'AskUserQuestion', tool_input: QUESTION_INPUT, tool_use_id: 'toolu_q' });
    await send({ hook_event_name: 'PostToolUse', tool_name: 'AskUserQuestion', tool_input: QUESTION_INPUT, tool_use_id: 'toolu_q' });
    assert.equal(session().pendingQuestion, null);
    assert.equal(session().workStatus, 'working');
  });

  it('nobody decides: after the approval timeout the hook answers nothing (Claude prompts) and a late decision is refused', async () => {
    open();
    await send({ hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: BASH, tool_use_id: 'toolu_1' });
    let answered: HookAnswer | undefined;
    void send({ hook_event_name: 'PermissionRequest', tool_name: 'Bash', tool_input: BASH }).then(a => { answered = a; });
    clock.advance(600_000 - 1);
    await Promise.resolve();
    assert.equal(answered, undefined, 'still waiting just before the timeout');
    clock.advance(1);
    await new Promise(r => setImmediate(r));
    assert.equal(answered, null);
    assert.equal(session().workStatus, 'needsApproval', 'still needs an answer, in the terminal');
    assert.deepEqual(session().pendingApproval?.options, [], 're-issued offering nothing here: Claude asks in its terminal');
    assert.equal(session().pendingApproval?.version, 1);
    await assert.rejects(engine.decideApproval(session().id, 'toolu_1', 'denied'), /not offered/);
  });

  it('the hook killed by Claude (answered in the terminal) clears the pending approval', async () => {
    open();
    await send({ hook_event_name: 'UserPromptSubmit', prompt: 'go' });
    const ac = new AbortController();
    const held = send({ hook_event_name: 'PermissionRequest', tool_name: 'Bash', tool_input: BASH }, ac.signal);
    assert.equal(session().workStatus, 'needsApproval');
    assert.match(session().pendingApproval!.approvalId, /^permission-/, 'no PreToolUse seen: an id of its own');
    ac.abort();
    assert.equal(await held, null);
    assert.equal(session().pendingApprovals.length, 0);
    assert.equal(session().workStatus, 'working');
  });

  it('a PermissionRequest repeated after its decision gets the same answer and raises nothing new', async () => {
    open();
    await send({ hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: BASH, tool_use_id: 'toolu_1' });
    const first = send({ hook_event_name: 'PermissionRequest', tool_name: 'Bash', tool_input: BASH });
    await engine.decideApproval(session().id, 'toolu_1', 'denied', { message: 'nope' });
    const expected = { hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'deny', message: 'nope' } } };
    assert.deepEqual(await first, expected);
    assert.deepEqual(await send({ hook_event_name: 'PermissionRequest', tool_name: 'Bash', tool_input: BASH }), expected);
    assert.equal(events.filter(e => e.type === 'approval_requested').length, 1);
  });

  it('an approval is raised after its tool call: a request that comes before Claude wrote the call waits for the line (up to TOOL_LINE_WAIT_MS)', async () => {
    open({ approvalsFromFlightdeck: false });
    // A real transcript (claude 2.1.328) up to its first tool call; the tailer does not watch the file here.
    const lines = fs.readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'claude', 'transcripts', 'main-bash-write-edit-resume.jsonl'), 'utf8').split('\n');
    const toolLine = lines.findIndex(l => l.includes('"toolu_fake_0001_34319"'));
    const transcript = path.join(dir, 'transcript.jsonl');
    const sid = String(JSON.parse(lines[0]).sessionId);
    fs.writeFileSync(transcript, lines.slice(0, 3).join('\n') + '\n');
    const hook = (p: Record<string, unknown>) => hooks.handle({ session_id: sid, cwd: '/work/proj', transcript_path: transcript, ...p } as HookPayload, { projectDir: null, signal: new AbortController().signal });
    await hook({ hook_event_name: 'UserPromptSubmit', prompt: 'use bash, write and edit' });
    const input = { command: 'echo hello-from-bash && ls', description: 'Say hello' };
    await hook({ hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: input, tool_use_id: 'toolu_fake_0001_34319' });
    const asked = hook({ hook_event_name: 'PermissionRequest', tool_name: 'Bash', tool_input: input });
    await pass(100);
    assert.equal(session2().pendingApproval, null, 'not raised while the call is not in the transcript');
    fs.appendFileSync(transcript, lines.slice(3, toolLine + 1).join('\n') + '\n');
    await pass(TOOL_LINE_WAIT_MS);
    assert.equal(await asked, null);
    const at = (match: (e: EngineEvent) => boolean) => events.findIndex(match);
    const toolAt = at(e => e.type === 'message_appended' && e.message.kind === 'command');
    const approvalAt = at(e => e.type === 'approval_requested');
    assert.ok(toolAt >= 0 && approvalAt > toolAt, `the command item (${toolAt}) before the approval (${approvalAt})`);
    const commandId = engine.getMessages(session2().id).find(m => m.kind === 'command')?.id;
    assert.equal(session2().pendingApproval?.itemId, commandId, 'the card points at that item');

    // A call whose line never comes (or comes late) does not hold its card back for longer than the bound.
    const later = { command: 'ls -la', description: 'List' };
    await hook({ hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_input: input, tool_use_id: 'toolu_fake_0001_34319' });
    await hook({ hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: later, tool_use_id: 'toolu_never_written' });
    const unwritten = hook({ hook_event_name: 'PermissionRequest', tool_name: 'Bash', tool_input: later });
    await pass(TOOL_LINE_WAIT_MS - 40);
    assert.equal(session2().pendingApproval, null);
    await pass(60);
    assert.equal(await unwritten, null);
    assert.equal(session2().pendingApproval?.approvalId, 'toolu_never_written', 'raised at the bound');

    // A subagent's call (agent_id): its line goes to the subagent's transcript, so nothing waits for it.
    const sub = { command: 'touch sub-marker.txt', description: 'Sub marker' };
    await hook({ hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: sub, tool_use_id: 'toolu_sub', agent_id: 'ab69d200b5fb7a053' });
    void hook({ hook_event_name: 'PermissionRequest', tool_name: 'Bash', tool_input: sub, agent_id: 'ab69d200b5fb7a053' });
    assert.ok(session2().pendingApprovals.some(a => a.approvalId === 'toolu_sub'), 'raised in the same turn');
    function session2() { return engine.findByProviderId('claude', sid)!; }
    /** The clock moved in steps, the waiting hook's continuations run between them. */
    async function pass(ms: number) {
      for (let t = 0; t < ms; t += 10) { clock.advance(10); await new Promise(r => setImmediate(r)); }
    }
  });

  it('live for 300 s after the last hook event, then ended (timeout); the next event revives it', async () => {
    open();
    await send({ hook_event_name: 'UserPromptSubmit', prompt: 'long task' });
    clock.advance(LIFECYCLE.claudeLiveMs - 1);
    await send({ hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: BASH, tool_use_id: 't2' });
    clock.advance(LIFECYCLE.claudeLiveMs - 1);
    assert.equal(session().status, 'active');
    clock.advance(1);
    assert.equal(session().status, 'ended');
    assert.equal(session().endReason, 'timeout');
    await send({ hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_input: BASH, tool_use_id: 't2' });
    assert.equal(session().status, 'active');
    assert.equal(session().workStatus, 'working');
  });

  it('a session waiting for an approval is not timed out', async () => {
    open({ approvalsFromFlightdeck: false });
    await send({ hook_event_name: 'PermissionRequest', tool_name: 'Bash', tool_input: BASH });
    clock.advance(LIFECYCLE.claudeLiveMs * 3);
    assert.equal(session().status, 'active');
    assert.equal(session().workStatus, 'needsApproval');
  });

  it('restart: an empty shell is ended (startup_empty_shell); a named session keeps the rest of its live window', async () => {
    open();
    await send({ hook_event_name: 'SessionStart', source: 'startup' });
    await hooks.handle({ session_id: 'named', hook_event_name: 'UserPromptSubmit', prompt: 'real work' } as HookPayload, { projectDir: null, signal: new AbortController().signal });
    const emptyId = session().id;
    const namedId = engine.findByProviderId('claude', 'named')!.id;
    close();
    clock.advance(LIFECYCLE.claudeLiveMs + 1_000);
    open();
    assert.equal(engine.getSession(emptyId)!.endReason, 'startup_empty_shell');
    assert.equal(engine.getSession(namedId)!.status, 'active');
    assert.equal(engine.getSession(namedId)!.workStatus, 'waiting', 'not restored as working');
    clock.advance(0);
    assert.equal(engine.getSession(namedId)!.endReason, 'timeout', 'its 300 s were already over');
    // Restart again: the outcome does not change.
    close();
    open();
    assert.equal(engine.getSession(emptyId)!.endReason, 'startup_empty_shell');
    assert.equal(engine.getSession(namedId)!.endReason, 'timeout');
  });
});
