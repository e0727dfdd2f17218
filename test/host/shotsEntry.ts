// Extension-host side of the screenshot run (scripts/screenshots.sh): VS Code loads this as the
// run's extensionTestsPath, so the test-only recording provider (recordingController.cjs) is
// registered from the test host's own entry, never by the shipped extension. It activates
// Flightdeck, puts the recorder first in line, writes "<decisions file>.ready" for the driver
// (test/host/shots.cjs waits for it before clicking Approve) and then stays pending: the driver
// takes its pictures and stops code-server.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SessionEngine } from '../../src/engine/sessions/engine';
import { activateFlightdeck } from './helpers';

/** Not compiled: read from the source tree next to this file's source. */
const RECORDER = path.join(__dirname, '..', '..', '..', 'test', 'host', 'recordingController.cjs');

export async function run(): Promise<void> {
  const decisions = process.env.FLIGHTDECK_TEST_DECISIONS;
  if (!decisions) throw new Error('FLIGHTDECK_TEST_DECISIONS is not set');
  const { api } = await activateFlightdeck();
  await api.ready();
  const engine = api.runtime?.engine;
  if (!engine) throw new Error('this window does not run the engine (another leader?)');
  (require(RECORDER) as { register(e: SessionEngine): () => void }).register(engine);
  fs.writeFileSync(`${decisions}.ready`, 'registered\n');
  // The conflict radar's picture (issue 18): only when the driver asks (<decisions>.conflict), so the
  // other pictures show no warning and no toast.
  const poll = setInterval(() => {
    if (!fs.existsSync(`${decisions}.conflict`)) return;
    clearInterval(poll);
    makeConflict(engine);
  }, 200);
  // New Codex Session in a new worktree (issue 18): when the driver asks (<decisions>.worktree), the
  // flow starts on a fresh repository of its own (never the checkout under test); its path goes to
  // <decisions>.worktree-repo for the driver to check.
  const worktreePoll = setInterval(() => {
    if (!fs.existsSync(`${decisions}.worktree`)) return;
    clearInterval(worktreePoll);
    const repo = makeRepo('acme-web');
    fs.writeFileSync(`${decisions}.worktree-repo`, repo);
    void vscode.commands.executeCommand('flightdeck.newCodexSession', repo);
  }, 200);
  await new Promise<never>(() => { /* until the driver stops code-server */ });
}

/** A git repository with one commit on main, in a fresh temp folder. */
function makeRepo(name: string): string {
  const repo = path.join(fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'flightdeck-shots-'))), name);
  fs.mkdirSync(repo);
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=demo', '-c', 'user.email=demo@example.com', ...args], { cwd: repo });
  git('init', '-q', '-b', 'main');
  fs.writeFileSync(path.join(repo, 'README.md'), '# acme\n');
  git('add', '.');
  git('commit', '-q', '-m', 'init');
  return repo;
}

/** Two live sessions edit one file of a git checkout: the engine's own radar does the rest. */
function makeConflict(engine: SessionEngine): void {
  const repo = path.join(fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'flightdeck-shots-'))), 'acme-api');
  fs.mkdirSync(path.join(repo, 'src'), { recursive: true });
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=demo', '-c', 'user.email=demo@example.com', ...args], { cwd: repo });
  git('init', '-q', '-b', 'main');
  fs.writeFileSync(path.join(repo, 'src', 'server.ts'), 'export const app = createApp();\n');
  git('add', '.');
  git('commit', '-q', '-m', 'init');
  const a = engine.createSession({ provider: 'codex', mode: 'direct', cwd: repo, firstPrompt: 'Add request logging to the API server' });
  const b = engine.createSession({ provider: 'claude', mode: 'passive', providerSessionId: 'demo-conflict-b', cwd: repo, firstPrompt: 'Refactor the auth middleware' });
  const file = path.join(repo, 'src', 'server.ts');
  for (const [s, line] of [[a, 'app.use(requestLog());'], [b, 'app.use(auth());']] as const) {
    fs.appendFileSync(file, `${line}\n`);
    engine.appendMessage(s.id, { id: `demo-conflict-${s.id}`, kind: 'fileChange', text: 'apply_patch', status: 'completed', createdAt: new Date().toISOString(),
      changes: [{ path: file, kind: 'update', diff: `@@ -1 +1,2 @@\n export const app = createApp();\n+${line}\n` }] });
  }
}
