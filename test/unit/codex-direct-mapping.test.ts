// Pure parts of the Codex direct connector, checked against real app-server captures
// (test/fixtures/codex-app-server/, copied from shared/samples/codex/app-server/).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveCodexBinary } from '../../src/engine/codex/appServer/binary';
import { CommandApprovalParams, Notifications, ThreadItem } from '../../src/engine/codex/appServer/schemas';
import { commandApproval, fileChangeApproval, toCodexDecision, userInputQuestion, userInputResponse } from '../../src/engine/codex/appServer/directApprovals';
import { turnDiffChanges } from '../../src/engine/codex/appServer/directDiff';
import { codexMessageId, messageFromItem } from '../../src/engine/codex/appServer/directItems';

interface Captured { dir: string; msg: { method?: string; id?: number; params?: Record<string, unknown>; result?: unknown } }

const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'codex-app-server');
function capture(name: string): Captured[] {
  return fs.readFileSync(path.join(FIXTURES, name), 'utf8').trim().split('\n').map(l => JSON.parse(l));
}
const ctx = { threadId: 'th', turnId: 'tu', createdAt: '2026-11-25T00:00:00.000Z' };

describe('codex direct: items, approvals, diffs', () => {
  const approvalCapture = capture('app-server-approval.jsonl');
  const patchCapture = capture('app-server-patch.jsonl');

  it('every item notification of the captures validates and maps (or is knowingly skipped)', () => {
    const kinds = new Set<string>();
    for (const c of [...approvalCapture, ...patchCapture]) {
      if (c.msg.method !== 'item/started' && c.msg.method !== 'item/completed') continue;
      const p = Notifications['item/completed'].parse(c.msg.params);
      const m = messageFromItem(p.item, { ...ctx, turnId: p.turnId });
      assert.ok(m.ok, `${p.item.type}: ${m.ok ? '' : m.reason}`);
      kinds.add(m.message.kind);
    }
    assert.deepEqual([...kinds].sort(), ['agent', 'command', 'fileChange', 'user']);
  });

  it('command items keep exit code, output and the error flag; declined ones are errors', () => {
    const done = approvalCapture.find(c => c.msg.method === 'item/completed' && (c.msg.params?.item as { type: string }).type === 'commandExecution');
    const item = ThreadItem.parse((done!.msg.params as { item: unknown }).item);
    const m = messageFromItem(item, ctx);
    assert.ok(m.ok);
    assert.equal(m.message.id, codexMessageId('th', 'tu', 'call_13'));
    assert.equal(m.message.kind, 'command');
    assert.equal(m.message.exitCode, 0);
    assert.equal(m.message.isError, false);
    assert.equal(m.message.durationMs, 3829);
    const declined = messageFromItem(ThreadItem.parse({ ...item, status: 'declined', exitCode: null }), ctx);
    assert.ok(declined.ok);
    assert.equal(declined.message.status, 'declined');
    assert.equal(declined.message.isError, true);
    const failed = messageFromItem(ThreadItem.parse({ ...item, exitCode: 2 }), ctx);
    assert.ok(failed.ok && failed.message.isError === true, 'a non-zero exit code is an error');
  });

  it('unknown item types and invalid items are reported, not mapped', () => {
    const unknown = messageFromItem({ type: 'hologram', id: 'x' }, ctx);
    assert.deepEqual(unknown, { ok: false, reason: 'no transcript item for codex item type hologram' });
    const invalid = messageFromItem({ type: 'commandExecution', id: 'x' }, ctx);
    assert.ok(!invalid.ok && invalid.reason.startsWith('invalid commandExecution item'));
  });

  it('mcp tool calls, web searches and plans become their own transcript kinds', () => {
    const mcp = messageFromItem({
      type: 'mcpToolCall', id: 'm1', server: 'docs', tool: 'search', status: 'failed', arguments: { q: 'x' },
      result: null, error: { message: 'server down' },
    } as ThreadItem, ctx);
    assert.ok(mcp.ok);
    assert.deepEqual([mcp.message.kind, mcp.message.toolName, mcp.message.toolInput, mcp.message.output, mcp.message.isError],
      ['mcpTool', 'docs/search', '{"q":"x"}', 'server down', true]);
    const web = messageFromItem({ type: 'webSearch', id: 'w', query: 'zod 4 looseObject', action: { type: 'search' } } as ThreadItem, ctx);
    assert.ok(web.ok && web.message.kind === 'webSearch' && web.message.text === 'zod 4 looseObject');
    const plan = messageFromItem({ type: 'plan', id: 'p', text: '1. do it' } as ThreadItem, ctx);
    assert.ok(plan.ok && plan.message.kind === 'plan');
  });

  it('command approvals offer approved_always only with a proposed exec-policy amendment', () => {
    const req = approvalCapture.find(c => c.msg.method === 'item/commandExecution/requestApproval')!;
    const p = CommandApprovalParams.parse(req.msg.params);
    const a = commandApproval('ap1', p, ctx.createdAt);
    assert.deepEqual(a.options, ['approved', 'approved_for_session', 'approved_always', 'denied', 'abort']);
    assert.equal(a.itemId, codexMessageId(p.threadId, p.turnId, 'call_13'));
    assert.equal(a.reason, 'Need to write outside the sandbox');
    assert.equal(a.version, 1);
    const noAmendment = commandApproval('ap2', { ...p, proposedExecpolicyAmendment: null }, ctx.createdAt);
    assert.ok(!noAmendment.options.includes('approved_always'));
    const notOffered = commandApproval('ap3', { ...p, availableDecisions: ['accept', 'cancel'] }, ctx.createdAt);
    assert.ok(!notOffered.options.includes('approved_always'));
  });

  it('maps decisions onto Codex decisions', () => {
    assert.equal(toCodexDecision('approved', null), 'accept');
    assert.equal(toCodexDecision('approved_for_session', null), 'acceptForSession');
    assert.equal(toCodexDecision('denied', null), 'decline');
    assert.equal(toCodexDecision('abort', null), 'cancel');
    assert.deepEqual(toCodexDecision('approved_always', ['touch', 'x']), { acceptWithExecpolicyAmendment: { execpolicy_amendment: ['touch', 'x'] } });
    assert.throws(() => toCodexDecision('approved_always', null), /amendment/);
  });

  it('file-change approvals carry the changes of the matching item start', () => {
    const started = patchCapture.find(c => c.msg.method === 'item/started' && (c.msg.params?.item as { type: string }).type === 'fileChange')!;
    const m = messageFromItem(ThreadItem.parse((started.msg.params as { item: unknown }).item), ctx);
    assert.ok(m.ok && m.message.changes);
    const req = patchCapture.find(c => c.msg.method === 'item/fileChange/requestApproval')!;
    const a = fileChangeApproval('f1', req.msg.params as never, m.message.changes!, ctx.createdAt);
    assert.equal(a.kind, 'fileChange');
    assert.deepEqual(a.changes, [{ path: '/home/dev/codex-lab/ws/hello.txt', kind: 'add', diff: 'hello from apply_patch\n', movePath: null }]);
  });

  it('questions and answers go by question id', () => {
    const q = userInputQuestion('q1', {
      threadId: 't', turnId: 'u', itemId: 'call_9',
      questions: [{ id: 'color', header: 'Color', question: 'Which?', isOther: true, options: [{ label: 'red', description: 'warm' }] }],
    }, ctx.createdAt);
    assert.equal(q.questionId, 'q1');
    assert.deepEqual(q.questions[0].options, [{ label: 'red', description: 'warm' }]);
    assert.equal(q.questions[0].allowFreeText, true);
    assert.deepEqual(userInputResponse({ color: 'red', sizes: ['s', 'm'] }), { answers: { color: { answers: ['red'] }, sizes: { answers: ['s', 'm'] } } });
  });

  it('splits the turn diff into files with their kind and own text', () => {
    const diff = patchCapture.find(c => c.msg.method === 'turn/diff/updated')!.msg.params!.diff as string;
    assert.deepEqual(turnDiffChanges(diff).map(c => [c.path, c.kind]), [['hello.txt', 'add']]);
    const multi = [
      'diff --git a/src/a.ts b/src/a.ts', 'index 1..2 100644', '--- a/src/a.ts', '+++ b/src/a.ts', '@@ -1 +1 @@', '-old', '+new',
      'diff --git a/gone.txt b/gone.txt', 'deleted file mode 100644', '--- a/gone.txt', '+++ /dev/null', '@@ -1 +0,0 @@', '-bye',
      'diff --git a/old.txt b/new.txt', '--- a/old.txt', '+++ b/new.txt', '@@ -1 +1 @@', '-x', '+y', '',
    ].join('\n');
    const changes = turnDiffChanges(multi);
    assert.deepEqual(changes.map(c => [c.path, c.kind, c.movePath]), [['src/a.ts', 'update', null], ['gone.txt', 'delete', null], ['old.txt', 'update', 'new.txt']]);
    assert.ok(changes[0].diff.startsWith('diff --git a/src/a.ts') && changes[0].diff.includes('+new') && !changes[0].diff.includes('gone.txt'));
    assert.deepEqual(turnDiffChanges(''), []);
  });
});

describe('codex binary resolution', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-codex-bin-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const touch = (p: string) => { fs.mkdirSync(path.dirname(p), { recursive: true }); fs.writeFileSync(p, '#!/bin/sh\n', { mode: 0o755 }); return p; };

  it('prefers the setting, then PATH, then the npm package (its native binary)', () => {
    const setting = touch(path.join(dir, 'custom', 'codex'));
    const onPath = touch(path.join(dir, 'bin', 'codex'));
    const root = path.join(dir, 'ext');
    const native = touch(path.join(root, 'node_modules', '@openai', `codex-${process.platform}-${process.arch}`, 'vendor',
      process.arch === 'x64' ? 'x86_64-unknown-linux-musl' : 'aarch64-unknown-linux-musl', 'bin', 'codex'));
    touch(path.join(root, 'node_modules', '.bin', 'codex'));
    assert.equal(resolveCodexBinary({ setting, pathEnv: path.dirname(onPath), searchRoots: [root] }), setting);
    assert.equal(resolveCodexBinary({ setting: '  ', pathEnv: path.dirname(onPath), searchRoots: [root] }), onPath);
    assert.equal(resolveCodexBinary({ pathEnv: '', searchRoots: [root] }), native);
  });

  it('says what to do when nothing is found, or the setting is wrong', () => {
    assert.throws(() => resolveCodexBinary({ pathEnv: '', searchRoots: [dir] }), /codex was not found: set the codex path/);
    assert.throws(() => resolveCodexBinary({ setting: path.join(dir, 'nope') }), /does not exist/);
  });
});
