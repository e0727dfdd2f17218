// How app-server notifications and server requests become engine state, fed directly (no process)
// into a real engine over SQLite with a fake clock: the parts the fake model cannot easily provoke
// (plan updates, web searches, MCP calls, process exit) and the malformed-input paths.
import * as assert from 'node:assert/strict';
import { AppServerClient } from '../../src/engine/codex/appServer/client';
import { DirectEvents } from '../../src/engine/codex/appServer/directEvents';
import { codexMessageId } from '../../src/engine/codex/appServer/directItems';
import { DirectState } from '../../src/engine/codex/appServer/directState';
import type { Session } from '../../src/engine/protocol';
import { makeEngine, type TestEngine } from '../helpers/engine';
import { cleanupTmpDirs } from '../helpers/tmp';

describe('codex direct: notifications → engine', () => {
  let t: TestEngine;
  let events: DirectEvents;
  let state: DirectState;
  let logs: { level: string; msg: string }[];
  let s: Session;
  const G = 1;
  const turn = (id: string, status = 'inProgress') => ({ id, status, error: null });
  const note = (method: string, params: unknown) => events.onNotification(method, params, G);
  const session = () => t.engine.requireSession(s.id);
  const msg = (itemId: string, turnId = 'tu1') => t.engine.getMessage(codexMessageId('th1', turnId, itemId));

  beforeEach(() => {
    t = makeEngine();
    logs = [];
    const log = (level: 'debug' | 'info' | 'warn' | 'error', m: string) => logs.push({ level, msg: m });
    const client = new AppServerClient({ binary: '/nonexistent/codex', env: {}, clock: t.clock, log, clientInfo: { name: 't', title: 't', version: '0' } });
    state = new DirectState();
    events = new DirectEvents(t.engine, state, client, log, t.clock);
    s = t.engine.createSession({ provider: 'codex', mode: 'direct', providerSessionId: 'th1', cwd: '/w' });
    state.track('th1', s.id).loadedGen = G;
    note('turn/started', { threadId: 'th1', turn: turn('tu1') });
  });
  afterEach(() => { t.close(); cleanupTmpDirs(); });

  it('a turn start makes the session work; deltas coalesce into one broadcast per 50 ms with the full text', () => {
    assert.equal(session().workStatus, 'working');
    assert.equal(session().currentTurnId, 'tu1');
    note('item/started', { threadId: 'th1', turnId: 'tu1', item: { type: 'agentMessage', id: 'msg_1', text: '' } });
    t.events.length = 0;
    for (const d of ['Hel', 'lo ', 'there']) note('item/agentMessage/delta', { threadId: 'th1', turnId: 'tu1', itemId: 'msg_1', delta: d });
    assert.equal(t.events.filter(e => e.type === 'message_updated').length, 0, 'nothing before the 50 ms tick');
    t.clock.advance(50);
    const updates = t.events.filter(e => e.type === 'message_updated');
    assert.equal(updates.length, 1);
    assert.equal(updates[0].type === 'message_updated' && updates[0].message.text, 'Hello there');
  });

  it('plan updates go into session state (as a delta) and into one transcript item per turn', () => {
    const plan = [{ step: 'Read the code', status: 'completed' }, { step: 'Fix it', status: 'inProgress' }];
    note('turn/plan/updated', { threadId: 'th1', turnId: 'tu1', explanation: 'Two steps', plan });
    note('turn/plan/updated', { threadId: 'th1', turnId: 'tu1', explanation: null, plan: [...plan.slice(0, 1), { step: 'Fix it', status: 'completed' }] });
    assert.deepEqual(session().plan.map(p => p.status), ['completed', 'completed']);
    assert.ok(t.events.some(e => e.type === 'session_delta' && e.changes.plan?.length === 2));
    const items = t.engine.getMessages(s.id).filter(m => m.kind === 'plan');
    assert.equal(items.length, 1, 'updated in place, not duplicated');
    assert.deepEqual(items[0].plan?.map(p => p.status), ['completed', 'completed']);
    assert.equal(items[0].text, '[x] Read the code\n[x] Fix it');
  });

  it('reasoning, web searches and MCP calls become transcript items; streamed command output survives a null aggregate', () => {
    note('item/started', { threadId: 'th1', turnId: 'tu1', item: { type: 'reasoning', id: 'rs_1', summary: [], content: [] } });
    note('item/reasoning/summaryTextDelta', { threadId: 'th1', turnId: 'tu1', itemId: 'rs_1', delta: 'Thinking about it' });
    note('item/completed', { threadId: 'th1', turnId: 'tu1', item: { type: 'reasoning', id: 'rs_1', summary: ['Thinking about it'], content: [] } });
    note('item/completed', { threadId: 'th1', turnId: 'tu1', item: { type: 'webSearch', id: 'ws_1', query: 'codex app-server', action: { type: 'search' } } });
    note('item/completed', {
      threadId: 'th1', turnId: 'tu1',
      item: { type: 'mcpToolCall', id: 'mcp_1', server: 'docs', tool: 'lookup', status: 'completed', arguments: { q: 1 }, result: { content: [{ type: 'text', text: 'found it' }] }, error: null },
    });
    const cmd = { type: 'commandExecution', id: 'call_1', command: 'ls', cwd: '/w', status: 'inProgress', commandActions: [] };
    note('item/started', { threadId: 'th1', turnId: 'tu1', item: cmd });
    note('item/commandExecution/outputDelta', { threadId: 'th1', turnId: 'tu1', itemId: 'call_1', delta: 'a.txt\n' });
    note('item/completed', { threadId: 'th1', turnId: 'tu1', item: { ...cmd, status: 'completed', exitCode: 0, aggregatedOutput: null } });
    t.engine.flushStream(s.id);
    assert.deepEqual([msg('rs_1')?.kind, msg('rs_1')?.text], ['reasoning', 'Thinking about it']);
    assert.deepEqual([msg('ws_1')?.kind, msg('ws_1')?.text], ['webSearch', 'codex app-server']);
    assert.deepEqual([msg('mcp_1')?.kind, msg('mcp_1')?.toolName, msg('mcp_1')?.output], ['mcpTool', 'docs/lookup', 'found it']);
    assert.deepEqual([msg('call_1')?.status, msg('call_1')?.exitCode, msg('call_1')?.output], ['completed', 0, 'a.txt\n']);
  });

  it('a failed turn shows its error, fails the items still streaming, and the session waits', () => {
    note('item/started', { threadId: 'th1', turnId: 'tu1', item: { type: 'agentMessage', id: 'msg_1', text: '' } });
    note('item/agentMessage/delta', { threadId: 'th1', turnId: 'tu1', itemId: 'msg_1', delta: 'partial' });
    note('turn/completed', { threadId: 'th1', turn: { id: 'tu1', status: 'failed', error: { message: 'stream disconnected before completion: boom' } } });
    assert.equal(session().workStatus, 'waiting');
    assert.equal(session().currentTurnId, null);
    assert.deepEqual([msg('msg_1')?.status, msg('msg_1')?.text], ['failed', 'partial']);
    const err = msg('error');
    assert.deepEqual([err?.kind, err?.isError, err?.text], ['error', true, 'stream disconnected before completion: boom']);
    note('turn/completed', { threadId: 'th1', turn: { id: 'tu1', status: 'failed', error: { message: 'again' } } });
    assert.equal(t.engine.getMessages(s.id).filter(m => m.kind === 'error').length, 1, 'a repeated completion is ignored');
  });

  it('an approval resolved elsewhere is withdrawn; one from a dead process is cleared at exit', () => {
    events.onServerRequest(0, 'item/commandExecution/requestApproval', { threadId: 'th1', turnId: 'tu1', itemId: 'call_1', command: 'rm -rf x' }, G);
    assert.equal(session().workStatus, 'needsApproval');
    const a = session().pendingApproval!;
    assert.deepEqual([a.kind, a.command, a.options.includes('approved_always')], ['exec', 'rm -rf x', false]);
    note('serverRequest/resolved', { threadId: 'th1', requestId: 0 });
    assert.equal(session().pendingApproval, null);
    assert.equal(state.requests.size, 0);

    events.onServerRequest(1, 'item/fileChange/requestApproval', { threadId: 'th1', turnId: 'tu1', itemId: 'call_2' }, G);
    assert.equal(session().pendingApprovals.length, 1);
    events.onProcessExit({ code: null, signal: 'SIGKILL' }, G);
    assert.equal(session().pendingApprovals.length, 0);
    assert.equal(session().workStatus, 'waiting');
    assert.match(msg('exit-1')?.text ?? '', /Codex stopped unexpectedly \(signal SIGKILL\)/);
    const st = state.threads.get('th1')!;
    assert.deepEqual([st.loadedGen, st.resumeAfterRestart, st.turnId], [null, true, null]);
  });

  it('rate limits apply when reported; an empty snapshot does not clear them', () => {
    note('account/rateLimits/updated', { rateLimits: { primary: { usedPercent: 55, windowDurationMins: 300, resetsAt: 1795700000 }, secondary: null } });
    note('account/rateLimits/updated', { rateLimits: { primary: null, secondary: null } });
    assert.deepEqual(session().rateLimits, { primary: { usedPercent: 55, windowMinutes: 300, resetsAt: new Date(1795700000 * 1000).toISOString() }, secondary: null });
  });

  it('logs and ignores what it cannot use: unknown (once), malformed, unknown items and threads, unhandled requests', () => {
    const before = session().revision;
    note('thread/realtime/started', {});
    note('thread/realtime/started', {});
    note('turn/started', { threadId: 7 });
    note('item/completed', { threadId: 'th1', turnId: 'tu1', item: { type: 'imageGeneration', id: 'img' } });
    note('turn/started', { threadId: 'other-thread', turn: turn('x') });
    events.onServerRequest(5, 'mcpServer/elicitation/request', {}, G);
    events.onServerRequest(6, 'item/commandExecution/requestApproval', { threadId: 'th1' }, G);
    assert.equal(logs.filter(l => l.msg.includes('thread/realtime/started')).length, 1);
    assert.ok(logs.some(l => l.level === 'error' && l.msg.includes('malformed turn/started')));
    assert.ok(logs.some(l => l.msg.includes('no transcript item for codex item type imageGeneration')));
    assert.ok(logs.some(l => l.msg.includes('declined mcpServer/elicitation/request')));
    assert.ok(logs.some(l => l.msg.includes('declined item/commandExecution/requestApproval: invalid params')));
    assert.equal(session().revision, before, 'none of it changed the session');
  });

  it('a thread-name event from Codex sets customName; the same name again changes nothing', () => {
    note('thread/name/updated', { threadId: 'th1', threadName: 'Named in Codex' });
    assert.equal(session().customName, 'Named in Codex');
    const rev = session().revision;
    note('thread/name/updated', { threadId: 'th1', threadName: 'Named in Codex' });
    assert.equal(session().revision, rev);
  });
});
