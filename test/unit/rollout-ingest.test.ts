// Real rollout captures (Codex 0.169.0) read into a real engine over a real SQLite file.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Message, Session } from '../../src/engine/protocol';
import type { LogFn } from '../../src/engine/platform/log';
import { LIFECYCLE } from '../../src/engine/sessions/lifecycle';
import { RolloutIngest } from '../../src/engine/codex/rollout/rolloutIngest';
import { parseToolOutput } from '../../src/engine/codex/rollout/rolloutFields';
import { makeEngine, type TestEngine } from '../helpers/engine';
import { cleanupTmpDirs, tmpDir } from '../helpers/tmp';
import { L, sample, threadOfSample } from '../fixtures/rollouts/lines';

describe('rollout ingest (real captures)', function () {
  this.timeout(10_000);
  let t: TestEngine;
  let dir: string;
  let logs: string[];
  const log: LogFn = (level, msg) => { logs.push(`${level}: ${msg}`); };
  const ingestFor = (e: TestEngine) => new RolloutIngest({ engine: e.engine, store: e.store, log, maxLineBytes: 1024 * 1024, nameFor: () => null });

  beforeEach(() => { dir = tmpDir(); t = makeEngine(); logs = []; });
  afterEach(() => { t.close(); cleanupTmpDirs(); });

  function copySample(name: string, text = sample(name)): { file: string; thread: string } {
    const thread = threadOfSample(text);
    const file = path.join(dir, `rollout-2026-11-25T11-34-39-${thread}.jsonl`);
    fs.writeFileSync(file, text);
    return { file, thread };
  }
  const sessionOf = (e: TestEngine, thread: string): Session => {
    const s = e.engine.findByProviderId('codex', thread);
    assert.ok(s, `a session for ${thread}`);
    return s;
  };
  const messagesOf = (e: TestEngine, s: Session): Message[] => e.engine.getMessages(s.id, { limit: 1000 });

  it('maps an exec session that was later resumed: prompts, answers, command, turns, usage, metadata', () => {
    const { file, thread } = copySample('exec-shell-then-resumed-by-app-server.rollout.jsonl');
    const res = ingestFor(t).process(file);
    assert.equal(res.invalidJson, 0);
    const s = sessionOf(t, thread);
    assert.equal(s.mode, 'passive');
    assert.equal(s.sourcePath, file);
    assert.equal(s.cwd, '/home/dev/codex-lab/ws');
    assert.equal(s.model, 'gpt-5.5');
    assert.equal(s.approvalPolicy, 'never');
    assert.equal(s.sandboxMode, 'read-only');
    assert.equal(s.firstPrompt, 'List the files');
    assert.equal(s.createdAt, '2026-11-25T11:34:39.176Z');
    assert.equal(s.tokenUsage.contextWindow, 258400);
    assert.ok(s.tokenUsage.input > 8147, 'totals of the last token_count');

    const ms = messagesOf(t, s);
    const kinds = ms.map(m => m.kind === 'user' || m.kind === 'agent' || m.kind === 'command' ? `${m.kind}:${m.text}` : m.kind);
    assert.deepEqual(kinds, [
      'turn', 'user:List the files', 'agent:Let me list the files.', 'command:ls -1', 'agent:The repo has README.md and AGENTS.md.',
      'turn', 'user:Follow-up from Flightdeck after takeover', 'agent:Resumed thread answer: I remember the earlier turn.',
    ]);
    const cmd = ms.find(m => m.kind === 'command')!;
    assert.equal(cmd.exitCode, 0);
    assert.equal(cmd.status, 'completed');
    assert.equal(cmd.cwd, '/home/dev/codex-lab/ws');
    assert.ok(cmd.output?.includes('AGENTS.md\nREADME.md'), 'aggregated output, not the wrapped tool output');
    assert.ok(!cmd.output?.includes('Chunk ID'));
    assert.ok(ms.filter(m => m.kind === 'turn').every(m => m.status === 'completed'));
    assert.equal(new Set(ms.map(m => m.id)).size, ms.length);
    assert.equal(s.workStatus, 'waiting');
  });

  it('maps reasoning summaries once although both forms are in the file', () => {
    const { file, thread } = copySample('exec-json-shell-reasoning.rollout.jsonl');
    ingestFor(t).process(file);
    const ms = messagesOf(t, sessionOf(t, thread));
    const reasoning = ms.filter(m => m.kind === 'reasoning');
    assert.deepEqual(reasoning.map(m => m.text), ['Thinking about listing files.']);
  });

  it('maps patches with per-file diffs, a declined patch, and the turn diff', () => {
    const { file, thread } = copySample('app-server-patch.rollout.jsonl');
    ingestFor(t).process(file);
    const s = sessionOf(t, thread);
    const patches = messagesOf(t, s).filter(m => m.kind === 'fileChange');
    assert.equal(patches.length, 2);
    assert.equal(patches[0].status, 'completed');
    assert.deepEqual(patches[0].changes?.map(c => [c.path, c.kind]), [['/home/dev/codex-lab/ws/hello.txt', 'add']]);
    assert.ok(patches[0].changes?.[0].diff.includes('+hello from apply_patch'));
    assert.equal(patches[1].status, 'declined');
    assert.ok(patches[1].changes?.[0].diff.includes('+# demo (patched)'));
    assert.ok(patches[1].toolInput?.includes('*** Update File: README.md'));
    assert.deepEqual(s.turnDiff, [], 'the last turn changed nothing (its patch was declined)');
    assert.equal(s.pendingApproval, null, 'every patch was answered');
  });

  it('maps commands that were approved, declined and cancelled; the cancelled turn is interrupted', () => {
    const { file, thread } = copySample('app-server-approval.rollout.jsonl');
    ingestFor(t).process(file);
    const s = sessionOf(t, thread);
    const ms = messagesOf(t, s);
    const cmds = ms.filter(m => m.kind === 'command');
    assert.equal(cmds[0].status, 'completed');
    assert.equal(cmds[1].status, 'declined');
    assert.equal(cmds[1].isError, true);
    const turns = ms.filter(m => m.kind === 'turn');
    assert.equal(turns[turns.length - 1].status, 'interrupted');
    assert.equal(s.pendingApproval, null);
    assert.equal(s.workStatus, 'waiting');
  });

  it('shows a waiting approval when the rollout stops at an escalated command, and clears it when the command completes', () => {
    const text = sample('app-server-approval.rollout.jsonl');
    const lines = text.split('\n');
    const cut = lines.findIndex(l => l.includes('"call_id":"call_13"') && l.includes('"function_call"')) + 1;
    const { file, thread } = copySample('app-server-approval.rollout.jsonl', lines.slice(0, cut).join('\n') + '\n');
    const ingest = ingestFor(t);
    ingest.process(file);
    let s = sessionOf(t, thread);
    assert.equal(s.workStatus, 'needsApproval');
    assert.equal(s.pendingApproval?.approvalId, 'call_13');
    assert.equal(s.pendingApproval?.command, 'echo approved-run > approved.txt');
    assert.equal(s.pendingApproval?.reason, 'Need to write outside the sandbox');
    assert.deepEqual(s.pendingApproval?.options, [], 'read-only: decisions are made in the terminal');
    assert.ok(t.events.some(e => e.type === 'approval_requested'));
    t.clock.advance(LIFECYCLE.passiveInactivityMs * 2);
    s = sessionOf(t, thread);
    assert.equal(s.status, 'active', 'a session waiting for approval does not time out');
    fs.appendFileSync(file, lines.slice(cut).join('\n'));
    ingest.process(file);
    s = sessionOf(t, thread);
    assert.equal(s.pendingApproval, null);
    assert.notEqual(s.workStatus, 'needsApproval');
  });

  it('does not raise approvals that were answered within the same read', () => {
    const { file } = copySample('app-server-approval.rollout.jsonl');
    ingestFor(t).process(file);
    assert.equal(t.events.filter(e => e.type === 'approval_requested').length, 0);
  });

  it('maps an interrupted exec (SIGINT): the <turn_aborted> bootstrap is no message and no name', () => {
    const { file, thread } = copySample('exec-sigint.rollout.jsonl');
    ingestFor(t).process(file);
    const s = sessionOf(t, thread);
    assert.equal(s.firstPrompt, 'slow essay then SIGINT 2');
    const ms = messagesOf(t, s);
    assert.deepEqual(ms.filter(m => m.kind === 'user').map(m => m.text), ['slow essay then SIGINT 2']);
    assert.equal(ms.find(m => m.kind === 'turn')?.status, 'interrupted');
  });

  it('maps failed turns to error items with the provider message', () => {
    const { file, thread } = copySample('app-server-provider-errors.rollout.jsonl');
    ingestFor(t).process(file);
    const ms = messagesOf(t, sessionOf(t, thread));
    const errors = ms.filter(m => m.kind === 'error');
    assert.ok(errors.length >= 2);
    assert.ok(errors[0].text.includes('high demand'));
    assert.ok(ms.filter(m => m.kind === 'turn').some(m => m.status === 'failed'));
  });

  it('gives the same message ids after a restart mid-file and after reading the file again from 0', () => {
    const text = sample('exec-shell-then-resumed-by-app-server.rollout.jsonl');
    const lines = text.split('\n');
    const half = lines.slice(0, 15).join('\n') + '\n';
    const { file, thread } = copySample('exec-shell-then-resumed-by-app-server.rollout.jsonl', half);
    ingestFor(t).process(file);
    t = t.restart();
    fs.appendFileSync(file, lines.slice(15).join('\n'));
    ingestFor(t).process(file);
    const s = sessionOf(t, thread);
    const afterRestart = messagesOf(t, s).map(m => m.id);
    assert.equal(afterRestart.length, 8);

    // The offset is lost (a new store row would start at 0): everything is read again, nothing doubles.
    t.store.setOffset({ path: file, sessionId: s.id, providerSessionId: thread, offset: 0 });
    t.store.flush();
    t = t.restart();
    ingestFor(t).process(file);
    assert.deepEqual(messagesOf(t, s).map(m => m.id), afterRestart);
    assert.equal(sessionOf(t, thread).id, s.id);
  });

  it('persists the offset with the lines read before it', () => {
    const { file } = copySample('exec-plain.rollout.jsonl');
    ingestFor(t).process(file);
    t.store.flush();
    assert.equal(t.store.getOffset(file)?.offset, fs.statSync(file).size);
  });

  it('skips lines that are not JSON, counts and logs them, and reads on', () => {
    const thread = '0000aaaa-0000-7000-8000-000000000001';
    const file = path.join(dir, `rollout-x-${thread}.jsonl`);
    fs.writeFileSync(file, L.meta(thread) + '{not json\n' + '\u0000\u0001garbage\n' + L.user('t1', 'a real prompt') + '{"type":42}\n');
    const res = ingestFor(t).process(file);
    assert.equal(res.invalidJson, 2);
    assert.equal(res.invalidPayload, 1);
    assert.ok(logs.some(l => l.startsWith('warn') && l.includes('2 line(s) that are not JSON')));
    assert.equal(sessionOf(t, thread).firstPrompt, 'a real prompt');
  });

  it('maps plan updates and a question to the user (needs answer until its output arrives)', () => {
    const thread = '0000aaaa-0000-7000-8000-000000000002';
    const file = path.join(dir, `rollout-x-${thread}.jsonl`);
    const call = (callId: string, name: string, args: object) => JSON.stringify({
      type: 'response_item', payload: { type: 'function_call', call_id: callId, name, arguments: JSON.stringify(args), internal_chat_message_metadata_passthrough: { turn_id: 't1' } },
    }) + '\n';
    const output = (callId: string, out: string) => JSON.stringify({
      type: 'response_item', payload: { type: 'function_call_output', call_id: callId, output: out, internal_chat_message_metadata_passthrough: { turn_id: 't1' } },
    }) + '\n';
    fs.writeFileSync(file, L.meta(thread) + L.taskStarted('t1') + L.user('t1', 'plan it')
      + call('c1', 'update_plan', { explanation: 'First steps', plan: [{ step: 'Read', status: 'completed' }, { step: 'Write', status: 'in_progress' }, { step: 'Test', status: 'pending' }] })
      + output('c1', 'Plan updated')
      + call('c2', 'request_user_input', { questions: [{ id: 'lang', header: 'Language', question: 'Which language?', options: [{ label: 'TS', description: 'TypeScript' }] }] }));
    ingestFor(t).process(file);
    let s = sessionOf(t, thread);
    assert.deepEqual(s.plan, [{ step: 'Read', status: 'completed' }, { step: 'Write', status: 'inProgress' }, { step: 'Test', status: 'pending' }]);
    assert.equal(messagesOf(t, s).find(m => m.kind === 'plan')?.plan?.length, 3);
    assert.equal(s.workStatus, 'needsAnswer');
    assert.equal(s.pendingQuestion?.questionId, 'c2');
    assert.equal(s.pendingQuestion?.questions[0].question, 'Which language?');
    // The answer arrives after a restart: the new reader never saw the question's call line.
    t = t.restart();
    fs.appendFileSync(file, output('c2', '{"answers":{"lang":"TS"}}'));
    ingestFor(t).process(file);
    s = sessionOf(t, thread);
    assert.equal(s.pendingQuestion, null);
    assert.equal(s.workStatus, 'working');
  });

  it('reads Codex tool-output wrappers', () => {
    assert.deepEqual(parseToolOutput('Chunk ID: 1\nWall time: 1 seconds\nProcess exited with code 2\nOriginal token count: 3\nOutput:\nboom\n'), { output: 'boom\n', exitCode: 2, declined: false });
    assert.deepEqual(parseToolOutput('Exit code: 0\nWall time: 0.3 seconds\nOutput:\nSuccess.\n'), { output: 'Success.\n', exitCode: 0, declined: false });
    assert.equal(parseToolOutput('exec_command failed: CreateProcess { message: "Rejected(\\"rejected by user\\")" }').declined, true);
  });
});
