// The interactive Claude TUI under tmux (recipes/claude.md §6), with Flightdeck's hooks installed:
// an AskUserQuestion answered in Flightdeck (through the held PermissionRequest), then a Bash
// permission answered in the terminal instead, which kills the held hook and clears the approval.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createClaudeIntegration, type ClaudeIntegration } from '../../src/engine/claude/integration';
import { buildHookCommand, installClaudeHooks } from '../../src/engine/claude/installer';
import { systemClock } from '../../src/engine/platform/clock';
import { SessionEngine } from '../../src/engine/sessions/engine';
import { openStore } from '../../src/engine/store/sqliteStore';
import type { Store } from '../../src/engine/store/types';
import { CLAUDE_BIN, buildHookScript, type ClaudeSandbox, makeClaudeSandbox, waitFor } from '../fixtures/claudeEnv';
import { type FakeAnthropic, type FakeTurn, startFakeAnthropic } from '../fixtures/fakeAnthropic';

const QUESTION = {
  questions: [{ question: 'Which color?', header: 'Color', multiSelect: false, options: [{ label: 'Red', description: 'warm' }, { label: 'Blue', description: 'calm' }] }],
};

function hasTmux(): boolean {
  try { execFileSync('tmux', ['-V']); return true; } catch { return false; }
}

describe('claude TUI under tmux', function () {
  this.timeout(90_000);
  const tmuxSession = `fd-claude-${randomBytes(4).toString('hex')}`;
  let sandbox: ClaudeSandbox;
  let store: Store;
  let engine: SessionEngine;
  let claude: ClaudeIntegration;
  let fake: FakeAnthropic;
  const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
  const screen = () => tmux('capture-pane', '-t', tmuxSession, '-p');

  before(function () {
    // tmux is part of this project's test machines; say so loudly rather than pass silently.
    if (!hasTmux()) throw new Error('tmux is required for the Claude TUI test');
  });

  const pidFile = () => path.join(sandbox.root, 'claude.pid');

  /** Claude runs its SessionEnd hooks after the terminal closes: wait for it, so cleanup is final. */
  async function stopClaude(): Promise<void> {
    try { tmux('kill-session', '-t', tmuxSession); } catch { /* already gone */ }
    let pid = 0;
    try { pid = Number(fs.readFileSync(pidFile(), 'utf8')); } catch { return; }
    const alive = () => { try { process.kill(pid, 0); return true; } catch { return false; } };
    await waitFor('claude to exit', () => !alive(), 15_000).catch(() => { if (alive()) process.kill(pid, 'SIGKILL'); });
  }

  afterEach(async () => {
    if (sandbox) await stopClaude();
    await claude?.stop();
    engine?.stop();
    store?.close();
    await fake?.close();
    sandbox?.cleanup();
  });

  /** Flightdeck's engine with the Claude integration and its hooks installed, and the claude TUI in tmux at its prompt box. */
  async function launch(turns: FakeTurn[]): Promise<void> {
    sandbox = makeClaudeSandbox('fd-claude-tui-');
    const hookScript = await buildHookScript(sandbox.root);
    store = openStore({ file: path.join(sandbox.root, 'fd.db'), clock: systemClock });
    engine = new SessionEngine({ store, clock: systemClock });
    engine.start();
    claude = createClaudeIntegration({ engine, store, dataDir: sandbox.dataDir, clock: systemClock, approvalTimeoutMs: 60_000 });
    engine.registerProvider(claude.controller);
    await claude.start();
    fake = await startFakeAnthropic(turns);
    installClaudeHooks({ claudeHome: sandbox.claudeHome, hookCommand: buildHookCommand({ hookScript, dataDir: sandbox.dataDir }) });
    fs.writeFileSync(path.join(sandbox.home, '.claude.json'), JSON.stringify({
      hasCompletedOnboarding: true, theme: 'dark', customApiKeyResponses: { approved: ['dummy'], rejected: [] },
      projects: { [sandbox.project]: { hasTrustDialogAccepted: true } },
    }));
    const env = sandbox.env(fake.url);
    const exports = Object.entries(env).map(([k, v]) => `export ${k}=${JSON.stringify(v)}`).join('\n');
    const script = path.join(sandbox.root, 'run.sh');
    // `timeout`: should this test process be killed before its cleanup, claude and the tmux session still go away.
    fs.writeFileSync(script, `echo $$ > ${JSON.stringify(pidFile())}\ncd ${JSON.stringify(sandbox.project)}\n${exports}\nexec timeout 120 ${JSON.stringify(CLAUDE_BIN)} --permission-mode default\n`);
    tmux('new-session', '-d', '-s', tmuxSession, '-x', '160', '-y', '45', `bash ${script}`);
    await waitFor('the prompt box', () => screen().includes('manual mode'), 30_000);
  }

  it('answers AskUserQuestion from Flightdeck; a permission answered in the terminal clears the approval', async () => {
    await launch([
      { blocks: [{ type: 'text', text: 'Asking.' }, { type: 'tool_use', name: 'AskUserQuestion', input: QUESTION }] },
      { blocks: [{ type: 'text', text: 'Blue it is.' }] },
      { blocks: [{ type: 'text', text: 'Running it.' }, { type: 'tool_use', name: 'Bash', input: { command: 'touch marker.txt', description: 'Create marker' } }] },
    ]);

    tmux('send-keys', '-t', tmuxSession, 'ask me a color');
    await waitFor('the typed prompt', () => screen().includes('ask me a color'));
    tmux('send-keys', '-t', tmuxSession, 'Enter');
    const question = await waitFor('the question in Flightdeck', () => engine.listSessions()[0]?.pendingQuestion, 30_000);
    const sessionId = engine.listSessions()[0].id;
    assert.equal(engine.getSession(sessionId)!.workStatus, 'needsAnswer');
    assert.equal(question.questions[0].question, 'Which color?');
    await waitFor('the held PermissionRequest', () => claude.receiver.inFlight === 1, 30_000);
    await engine.answerQuestion(sessionId, question.questionId, { q0: 'Blue' });
    await waitFor('the answer reaching the model', () => fake.toolResults().length === 1, 30_000);
    assert.match(String(fake.toolResults()[0].content), /"Which color\?"="Blue"/);
    await waitFor('the turn to end', () => engine.getSession(sessionId)!.workStatus === 'waiting', 30_000);
    assert.equal(engine.getSession(sessionId)!.displayName, 'ask me a color');

    tmux('send-keys', '-t', tmuxSession, 'make the marker');
    await waitFor('the typed prompt', () => screen().includes('make the marker'));
    tmux('send-keys', '-t', tmuxSession, 'Enter');
    const approval = await waitFor('the approval in Flightdeck', () => engine.getSession(sessionId)!.pendingApproval, 30_000);
    assert.equal(approval.command, 'touch marker.txt');
    // it names the Bash call's item of the transcript, whose id is under the Claude session (itemIds.ts)
    const claudeId = engine.getSession(sessionId)!.providerSessionId;
    assert.ok(approval.itemId?.startsWith(`claude:${claudeId}:tool:`), `approval item: ${approval.itemId}`);
    await waitFor('the call\'s item in the transcript', () => engine.getMessages(sessionId, { limit: 100 }).some(m => m.id === approval.itemId && m.kind === 'command'), 30_000);
    await waitFor('the dialog on screen', () => /Do you want to proceed/.test(screen()), 30_000);
    // "No", in the terminal. Under load the dialog can be drawn before it takes keys: press again
    // while it is still on screen (a bounded number of times).
    for (let attempt = 0; ; attempt++) {
      tmux('send-keys', '-t', tmuxSession, '4');
      try {
        await waitFor('the approval cleared', () => engine.getSession(sessionId)!.pendingApprovals.length === 0, 6_000);
        break;
      } catch (e) {
        if (attempt >= 4 || !/Do you want to proceed/.test(screen())) throw e;
      }
    }
    await waitFor('the interrupted turn to end', () => engine.getSession(sessionId)!.workStatus === 'waiting', 10_000);
    assert.ok(!fs.existsSync(path.join(sandbox.project, 'marker.txt')));
    await assert.rejects(engine.decideApproval(sessionId, approval.approvalId, 'approved'), /no longer pending/);
  });

  it('shows the reply while claude writes it (MessageDisplay), then the transcript item replaces it without a copy', async () => {
    let release!: () => void;
    const held = new Promise<void>(resolve => { release = resolve; });
    const reply = 'Line one of the answer.\nLine two of the answer.\nLine three, the last.';
    await launch([{ blocks: [{ type: 'text', text: reply }], pause: { afterText: 'Line two of the answer.\n', until: held } }]);
    tmux('send-keys', '-t', tmuxSession, 'write three lines');
    await waitFor('the typed prompt', () => screen().includes('write three lines'));
    tmux('send-keys', '-t', tmuxSession, 'Enter');
    const sessionId = await waitFor('the session', () => engine.listSessions()[0]?.id, 30_000);
    const agents = () => engine.getMessages(sessionId, { limit: 100 }).filter(m => m.kind === 'agent');
    // The model's stream is held after two lines: the transcript has nothing of the reply yet.
    const live = await waitFor('the live reply', () => agents().find(m => m.text.includes('Line two of the answer.')), 30_000);
    assert.equal(live.status, 'inProgress');
    assert.ok(!live.text.includes('Line three'), 'only what was written so far');
    release();
    await waitFor('the turn to end', () => engine.getSession(sessionId)!.workStatus === 'waiting', 30_000);
    const done = await waitFor('the finished reply', () => agents().find(m => m.status === 'completed' && m.text.includes('Line three')), 30_000);
    assert.equal(done.id, live.id, 'the transcript item took the live item\'s place');
    assert.equal(done.text.trim(), reply);
    assert.equal(agents().length, 1, 'no duplicate');
  });
});
