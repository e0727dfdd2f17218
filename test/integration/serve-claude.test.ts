// Issue 6's "done when", black box: `flightdeck serve --install-claude-hooks` once, then a real
// `claude -p` run shows up live over the WebSocket hub, named from its prompt, with its transcript,
// and its permission prompt is answered by the WebSocket client.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Session } from '../../src/engine/protocol';
import { type ClaudeSandbox, makeClaudeSandbox, REPO_ROOT, runClaude } from '../fixtures/claudeEnv';
import { type FakeAnthropic, startFakeAnthropic } from '../fixtures/fakeAnthropic';
import { type ServeProcess, startServe } from '../helpers/serveProcess';
import { connectWs, type TestWsClient } from '../helpers/wsClient';

describe('flightdeck serve + Claude Code hooks (real claude)', function () {
  this.timeout(120_000);
  let sandbox: ClaudeSandbox;
  let fake: FakeAnthropic;
  let serve: ServeProcess | undefined;
  let client: TestWsClient | undefined;

  before(async function () {
    if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'hook.js'))) throw new Error('dist/hook.js missing: run `node esbuild.mjs` first');
    sandbox = makeClaudeSandbox('fd-serve-claude-');
    fake = await startFakeAnthropic([
      { blocks: [{ type: 'text', text: 'Writing it.' }, { type: 'tool_use', name: 'Bash', input: { command: 'echo hub > from-hub.txt', description: 'write' } }], usage: { input: 300, output: 20 } },
      { blocks: [{ type: 'text', text: 'Done writing.' }], usage: { input: 400, output: 5 } },
    ]);
    serve = startServe(['--port', '0', '--data-dir', sandbox.dataDir, '--codex-home', path.join(sandbox.root, 'codex'), '--claude-home', sandbox.claudeHome, '--install-claude-hooks'],
      { HOME: sandbox.home, FLIGHTDECK_LEADER_DIR: path.join(sandbox.root, 'run') });
    const m = await serve.waitForLine(/WebSocket (ws:\/\/\S+)\)/);
    client = await connectWs(m[1], fs.readFileSync(path.join(sandbox.dataDir, 'token'), 'utf8').trim());
  });
  after(async () => {
    client?.close();
    serve?.child.kill('SIGKILL');
    await fake?.close();
    sandbox?.cleanup();
  });

  it('a claude -p run appears live, its approval is answered from the hub, its transcript and end arrive', async () => {
    const c = client!;
    await c.request({ type: 'subscribe_list' });
    // The client answers the permission prompt as soon as it is listed as pending.
    let decided = '';
    const off = setInterval(() => {
      const pending = c.received.flatMap(m => (m.type === 'session_delta' && m.changes.pendingApproval ? [{ sessionId: m.sessionId, a: m.changes.pendingApproval }] : []));
      const p = pending[pending.length - 1];
      if (p && !decided) {
        decided = p.a.approvalId;
        void c.request({ type: 'approve_tool', sessionId: p.sessionId, approvalId: p.a.approvalId, version: p.a.version, decision: 'approved' });
      }
    }, 20);
    try {
      const r = await runClaude(['-p', 'please write   the file'], sandbox, fake.url, 90_000);
      assert.equal(r.code, 0, `claude failed: ${r.stderr}\n${serve!.stderr().slice(-3000)}`);
    } finally {
      clearInterval(off);
    }
    assert.ok(decided, 'the hub client saw the approval');
    assert.equal(fs.readFileSync(path.join(sandbox.project, 'from-hub.txt'), 'utf8').trim(), 'hub');

    const created = c.received.find(m => m.type === 'session_created');
    assert.ok(created && created.type === 'session_created' && created.session.provider === 'claude', 'listed live');
    const sessionId = created.session.id;
    await c.waitFor(m => m.type === 'session_ended' && m.sessionId === sessionId, 'SessionEnd', 30_000);
    const list = await c.request({ type: 'subscribe_list' });
    assert.ok(list.type === 'sessions_list');
    const s = list.sessions.find(x => x.id === sessionId) as Session;
    assert.equal(s.displayName, 'please write the file');
    assert.equal(s.status, 'ended');
    const snap = await c.request({ type: 'subscribe_session', sessionId });
    assert.ok(snap.type === 'session_snapshot');
    assert.deepEqual(snap.messages.map(m => m.kind), ['user', 'agent', 'command', 'agent']);
    assert.equal(snap.messages[2].status, 'completed');
    assert.ok(snap.session.tokenUsage.input >= 700);
  });
});
