// Transcript tailing on real captures (claude 2.1.328): items in order, tool results on their tool
// item with the error flag, usage counted once per API message, and the reader rules — persisted
// offset across restarts, partial last line, truncation, invalid and huge lines.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mapTranscriptLine } from '../../src/engine/claude/transcriptMapper';
import { TranscriptTailer } from '../../src/engine/claude/transcriptTailer';
import { FakeClock } from '../../src/engine/platform/clock';
import { SessionEngine } from '../../src/engine/sessions/engine';
import { openStore } from '../../src/engine/store/sqliteStore';
import type { Store } from '../../src/engine/store/types';
import { REPO_ROOT } from '../fixtures/claudeEnv';

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'claude', 'transcripts');
const MAIN = fs.readFileSync(path.join(FIXTURES, 'main-bash-write-edit-resume.jsonl'), 'utf8');
const REJECTED = fs.readFileSync(path.join(FIXTURES, 'tui-permission-rejected-by-keypress.jsonl'), 'utf8');
const COMPACT = fs.readFileSync(path.join(FIXTURES, 'subagent-and-compact-parent.jsonl'), 'utf8');
const PROMPT_LINE = MAIN.split('\n').find(l => l.includes('"type":"user"') && l.includes('"content":"use bash, write and edit"'))!;

describe('claude transcript tailer', () => {
  let dir: string;
  let clock: FakeClock;
  let store: Store;
  let engine: SessionEngine;
  let tailer: TranscriptTailer;
  let logs: string[];
  let file: string;

  function open(): void {
    store = openStore({ file: path.join(dir, 'fd.db'), clock });
    logs = [];
    const log = (level: string, msg: string) => { logs.push(`${level}: ${msg}`); };
    engine = new SessionEngine({ store, clock, log });
    engine.start();
    tailer = new TranscriptTailer({ engine, store, clock, log, watch: false });
  }
  function close(): void { tailer.stop(); engine.stop(); store.close(); }
  function session(): string {
    return engine.createSession({ provider: 'claude', mode: 'passive', providerSessionId: 'e8a949b0', cwd: '/p', sourcePath: file }).id;
  }

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-transcript-'));
    file = path.join(dir, 'session.jsonl');
    clock = new FakeClock();
    open();
  });
  afterEach(() => { close(); fs.rmSync(dir, { recursive: true, force: true }); });

  it('maps a real session: prompts, text, tool calls with their results, in transcript order', () => {
    fs.writeFileSync(file, MAIN);
    const sid = session();
    tailer.follow(sid, file);
    const ms = engine.getMessages(sid);
    assert.deepEqual(ms.map(m => m.kind), ['user', 'agent', 'command', 'agent', 'tool', 'tool', 'agent', 'user', 'agent', 'user', 'agent']);
    assert.equal(engine.getSession(sid)!.displayName, 'use bash, write and edit');
    const bash = ms[2];
    assert.equal(bash.id, 'claude:e8a949b0:tool:toolu_fake_0001_34319');
    assert.equal(bash.command, 'echo hello-from-bash && ls');
    assert.equal(bash.output, 'hello-from-bash\nnotes.md');
    assert.equal(bash.isError, false);
    assert.equal(bash.status, 'completed');
    assert.equal(ms[4].toolName, 'Write');
    assert.match(ms[4].output ?? '', /File created successfully/);
    assert.equal(ms[0].turnId, 'ad7db30f-42fe-42bb-9d38-63707933bb54');
    assert.match(ms[0].createdAt, /^2026-11-25T11:40:\d\d\.\d{3}Z$/);
    assert.equal(engine.getSession(sid)!.model, 'claude-opus-5-5');
  });

  it('reads a large tool result from its tool_result block, the same with or without toolUseResult, which is never parsed', () => {
    const output = 'line "one" \\ ✓ ,"toolUseResult":{\n'.repeat(300);
    const lines = MAIN.split('\n').filter(Boolean).map(l => JSON.parse(l) as Record<string, any>);
    const bashResult = lines.find(l => JSON.stringify(l).includes('"tool_use_id":"toolu_fake_0001_34319"'))!;
    bashResult.message.content[0].content = output;
    // a member no JSON parser accepts: read anyway, since nothing of it is read
    const text = (withMember: boolean) => lines.map(line => {
      const { toolUseResult: _t, ...l } = line;
      const s = JSON.stringify(l);
      return (withMember && line === bashResult ? s.replace(/\}$/, `,"toolUseResult":{stdout:${JSON.stringify(output)}}}`) : s) + '\n';
    }).join('');
    const read = (t: string, name: string): unknown[] => {
      const f = path.join(dir, name);
      fs.writeFileSync(f, t);
      const sid = session();
      tailer.follow(sid, f);
      const items = engine.getMessages(sid).map(({ sessionId: _s, ...m }) => m);
      close(); // a fresh store for the next read
      for (const f of fs.readdirSync(dir).filter(n => n.startsWith('fd.db'))) fs.rmSync(path.join(dir, f));
      open();
      return items;
    };
    const withMember = read(text(true), 'with.jsonl');
    assert.equal(logs.filter(l => l.includes('invalid JSON')).length, 0, logs.join('\n'));
    assert.deepEqual(withMember, read(text(false), 'without.jsonl'));
    assert.equal((withMember[2] as { output?: string }).output, output);
  });

  it('counts usage once per API message: the totals equal cost-state; context fill is the last turn', () => {
    fs.writeFileSync(file, MAIN);
    const sid = session();
    tailer.follow(sid, file);
    const u = engine.getSession(sid)!.tokenUsage;
    // cost-state.modelUsage: input 3050, cache creation 2480, cache read 26800, output 581.
    assert.deepEqual(u, { input: 3050 + 2480 + 26800, output: 581, cached: 26800, lastTurnInput: 8 + 5600, contextWindow: 200_000 });
    assert.equal(engine.getSession(sid)!.contextFill, 5608 / 200_000);
  });

  it('a rejected tool keeps its error flag and is marked declined; injected prompts are system items', () => {
    fs.writeFileSync(file, REJECTED);
    const sid = session();
    tailer.follow(sid, file);
    const ms = engine.getMessages(sid);
    const cmd = ms.find(m => m.kind === 'command')!;
    assert.equal(cmd.isError, true);
    assert.equal(cmd.status, 'declined');
    assert.match(cmd.output ?? '', /doesn't want to proceed/);
    assert.equal(ms.at(-1)!.kind, 'system');
    assert.match(ms.at(-1)!.text, /Request interrupted by user/);
    assert.equal(engine.getSession(sid)!.displayName, 'make the marker');
    assert.equal(engine.getSession(sid)!.workStatus, 'waiting', 'an interrupted turn has ended (no Stop hook comes)');
  });

  it('compaction summaries and slash-command lines never name a session; failed Bash keeps exit code', () => {
    fs.writeFileSync(file, COMPACT);
    const sid = session();
    tailer.follow(sid, file);
    const ms = engine.getMessages(sid);
    assert.equal(engine.getSession(sid)!.firstPrompt, 'do the event tour');
    assert.equal(ms.filter(m => m.kind === 'user').length, 1);
    assert.ok(ms.filter(m => m.kind === 'system').length >= 3);
    const failed = ms.find(m => m.kind === 'command' && m.isError)!;
    assert.equal(failed.exitCode, 3);
    assert.equal(failed.status, 'failed');
  });

  it('resumes from the persisted offset after a restart: no duplicates, no double-counted tokens, same ids', () => {
    const lines = MAIN.split('\n');
    const cut = lines.findIndex(l => l.includes('"apiBlockIndex":1')); // between the text and tool_use lines of one message
    fs.writeFileSync(file, lines.slice(0, cut).join('\n') + '\n');
    let sid = session();
    tailer.follow(sid, file);
    const firstIds = engine.getMessages(sid).map(m => m.id);
    close();
    fs.writeFileSync(file, MAIN);
    open();
    sid = engine.findByProviderId('claude', 'e8a949b0')!.id;
    tailer.follow(sid, file);
    const all = engine.getMessages(sid);
    assert.equal(all.length, 11);
    assert.deepEqual(all.slice(0, firstIds.length).map(m => m.id), firstIds);
    assert.equal(new Set(all.map(m => m.id)).size, all.length);
    assert.equal(engine.getSession(sid)!.tokenUsage.output, 581);
  });

  it('keeps a partial last line until its newline arrives', () => {
    const prompt = PROMPT_LINE;
    fs.writeFileSync(file, prompt.slice(0, 100));
    const sid = session();
    tailer.follow(sid, file);
    assert.equal(engine.getMessages(sid).length, 0);
    fs.appendFileSync(file, prompt.slice(100));
    tailer.readNow(sid);
    assert.equal(engine.getMessages(sid).length, 0);
    fs.appendFileSync(file, '\n');
    tailer.readNow(sid);
    assert.deepEqual(engine.getMessages(sid).map(m => m.text), ['use bash, write and edit']);
    assert.deepEqual(logs.filter(l => l.startsWith('warn')), []);
  });

  it('skips invalid and huge lines with a warning, restarts after truncation, and keeps going', () => {
    const prompt = (uuid: string, text: string) => JSON.stringify({ type: 'user', uuid, timestamp: '2026-01-01T00:00:00.000Z', message: { role: 'user', content: text } });
    fs.writeFileSync(file, [
      prompt('u1', 'first prompt'), '{"type":"user", truncated', Buffer.from([0xff, 0xfe]).toString('latin1'),
      JSON.stringify({ type: 'user', uuid: 'big', message: { role: 'user', content: 'x'.repeat(9 * 1024 * 1024) } }),
      prompt('u2', 'second prompt'), '',
    ].join('\n'));
    const sid = session();
    tailer.follow(sid, file);
    assert.deepEqual(engine.getMessages(sid).map(m => m.text), ['first prompt', 'second prompt']);
    assert.equal(logs.filter(l => l.includes('invalid JSON line')).length, 2);
    assert.ok(logs.some(l => /skipped a line of \d+ bytes/.test(l)));
    // Replaced by a shorter file: read again from the start; known ids update, new ones append.
    fs.writeFileSync(file, prompt('u3', 'third prompt') + '\n');
    tailer.readNow(sid);
    assert.deepEqual(engine.getMessages(sid).map(m => m.text), ['first prompt', 'second prompt', 'third prompt']);
    assert.ok(logs.some(l => l.includes('shrank or was replaced')));
  });

  it('the periodic sweep picks up appended lines without any hook event', () => {
    fs.writeFileSync(file, '');
    const sid = session();
    tailer.start();
    tailer.follow(sid, file);
    fs.appendFileSync(file, PROMPT_LINE + '\n');
    assert.equal(engine.getMessages(sid).length, 0);
    clock.advance(3_000);
    assert.equal(engine.getMessages(sid).length, 1);
  });

  it('an unreadable or odd transcript path is logged and ignored; the session carries on', () => {
    const sid = session();
    const asDir = path.join(dir, 'dir.jsonl');
    fs.mkdirSync(asDir);
    tailer.follow(sid, asDir);
    assert.ok(logs.some(l => l.startsWith('warn: claude transcript:') && l.includes('dir.jsonl is a directory, not a regular file')), logs.join('\n'));
    tailer.follow(sid, 'relative/x.jsonl');
    tailer.follow(sid, '/etc/passwd');
    assert.equal(logs.filter(l => l.includes('not an absolute .jsonl file')).length, 2);
    assert.equal(engine.getSession(sid)!.status, 'active');
  });

  it("adds a finished subagent's usage once (its own file), keeping the main agent's context fill", () => {
    fs.writeFileSync(file, COMPACT);
    const sid = session();
    tailer.follow(sid, file);
    const before = engine.getSession(sid)!.tokenUsage;
    const agentFile = path.join(dir, 'agent-a3a93b9dfb6dd0302.jsonl');
    fs.copyFileSync(path.join(FIXTURES, 'subagents-agent-a3a93b9dfb6dd0302.jsonl'), agentFile);
    tailer.countSubagentUsage(sid, agentFile);
    tailer.countSubagentUsage(sid, agentFile); // SubagentStop can repeat: nothing is counted twice
    const after = engine.getSession(sid)!.tokenUsage;
    assert.deepEqual(after, { ...before, input: before.input + 2223, output: before.output + 11 });
  });

  it('mapper ignores sidechain, bookkeeping and unknown lines', () => {
    const now = '2026-01-01T00:00:00.000Z';
    for (const line of [{ type: 'cost-state' }, { type: 'attachment', attachment: {} }, { type: 'user', uuid: 'x', isSidechain: true, message: { content: 'hi' } }, 42, null]) {
      assert.deepEqual(mapTranscriptLine(line, now, 'claude:s:').messages, []);
    }
    const thinking = mapTranscriptLine({ type: 'assistant', uuid: 't', message: { id: 'm', content: [{ type: 'thinking', thinking: 'hmm' }] } }, now, 'claude:s:');
    assert.equal(thinking.messages[0].kind, 'reasoning');
    assert.equal(thinking.messages[0].createdAt, now);
  });

  it('a usage record\'s time: Claude\'s ISO form as written, other date forms normalized, anything else none', () => {
    const at = (timestamp: unknown) => mapTranscriptLine({ type: 'assistant', uuid: 'u', timestamp, message: { id: 'm', content: [{ type: 'text', text: 'x' }], usage: { input_tokens: 1, output_tokens: 2 } } }, '2026-01-01T00:00:00.000Z', 'claude:s:').usage?.at;
    assert.equal(at('2026-12-01T10:00:00.123Z'), '2026-12-01T10:00:00.123Z');
    assert.equal(at('2026-12-01T10:00:00Z'), '2026-12-01T10:00:00.000Z');
    assert.equal(at('2026-12-01T11:00:00+01:00'), '2026-12-01T10:00:00.000Z');
    assert.equal(at('not a date'), null);
    assert.equal(at('9999-99-99T99:99:99.999Z'), null, 'shaped like ISO, not a date');
    assert.equal(at(undefined), null);
  });
});
