// Two real Codex sessions (codex app-server 0.169.0 against the scripted fake provider), each started
// by Flightdeck in its own new git worktree of one repository made in the test, run in parallel:
// each writes only in its own worktree (one through apply_patch, one through a command).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createWorktreeOps } from '../../src/engine/git/worktrees';
import { type DirectHarness, sessionReads, startCodexWorld, startDirectHarness, stopCodexWorld, type CodexWorld } from '../fixtures/codexDirect';
import { codexBinaryForTests } from '../fixtures/codexHome';
import { promptRouter } from '../fixtures/fakeOpenAI';
import { git, makeRepo } from '../helpers/gitRepo';
import { tmpDir, waitFor } from '../helpers/tmp';

describe('codex sessions in new git worktrees (real codex app-server, fake provider)', function () {
  this.timeout(90_000);
  const router = promptRouter();
  let world: CodexWorld;
  let h: DirectHarness;

  before(async () => {
    world = await startCodexWorld(router.handler);
    h = await startDirectHarness({ dbDir: tmpDir('fd-codex-wt-'), codexHome: world.home.dir, env: world.home.env, codexPath: codexBinaryForTests() });
    h.engine.setWorktrees(createWorktreeOps());
  });
  after(() => stopCodexWorld(world, h));
  const { session, messages } = sessionReads(() => h);

  it('two sessions, each in its own new worktree, work in parallel and each writes only in its own worktree', async () => {
    const repo = makeRepo('app');
    router.on('Patch the alpha file', req => (req.step === 0
      ? { steps: [{ type: 'patch', patch: '*** Begin Patch\n*** Add File: alpha.txt\n+written by the alpha session\n*** End Patch\n' }] }
      : { steps: [{ type: 'text', text: 'alpha done' }] }));
    router.on('Run the beta command', req => (req.step === 0
      ? { steps: [{ type: 'exec', cmd: 'echo "written by the beta session" > beta.txt && pwd > beta-pwd.txt' }] }
      : { steps: [{ type: 'text', text: 'beta done' }] }));

    const [a, b] = await Promise.all([
      h.engine.createFromClient({ provider: 'codex', cwd: repo, autonomy: 'fullAuto', prompt: 'Patch the alpha file', worktree: { branch: 'alpha' } }),
      h.engine.createFromClient({ provider: 'codex', cwd: repo, autonomy: 'fullAuto', prompt: 'Run the beta command', worktree: { branch: 'beta' } }),
    ]);
    const wtA = path.join(path.dirname(repo), 'app-worktrees', 'alpha');
    const wtB = path.join(path.dirname(repo), 'app-worktrees', 'beta');
    assert.equal(session(a.id).cwd, wtA);
    assert.equal(session(b.id).cwd, wtB);
    assert.deepEqual(session(a.id).worktree, { path: wtA, mainRepoPath: repo, branch: 'alpha', baseRef: 'main', createdByFlightdeck: true });
    assert.equal(session(b.id).worktree?.branch, 'beta');

    const finished = (id: string, text: string) => messages(id).some(m => m.kind === 'agent' && m.text === text) && session(id).currentTurnId === null;
    await waitFor(() => finished(a.id, 'alpha done') && finished(b.id, 'beta done'), 'both turns to finish', 60_000);
    // The two turns overlapped: each had started before the other finished.
    const turnStart = (prompt: string) => world.fake.requests.find(r => r.prompt === prompt && r.step === 0)!.index;
    const turnEnd = (prompt: string) => world.fake.requests.find(r => r.prompt === prompt && r.step === 1)!.index;
    assert.ok(turnStart('Patch the alpha file') < turnEnd('Run the beta command') && turnStart('Run the beta command') < turnEnd('Patch the alpha file'), 'the turns ran in parallel');

    // Codex ran each session in its worktree (the command's working folder, the request's environment).
    assert.equal(fs.readFileSync(path.join(wtB, 'beta-pwd.txt'), 'utf8').trim(), wtB);
    assert.equal(fs.readFileSync(path.join(wtA, 'alpha.txt'), 'utf8'), 'written by the alpha session\n');
    assert.equal(fs.readFileSync(path.join(wtB, 'beta.txt'), 'utf8'), 'written by the beta session\n');
    for (const [dir, others] of [[wtA, ['beta.txt', 'beta-pwd.txt']], [wtB, ['alpha.txt']], [repo, ['alpha.txt', 'beta.txt', 'beta-pwd.txt']]] as const) {
      for (const f of others) assert.ok(!fs.existsSync(path.join(dir, f)), `${f} is not in ${dir}`);
    }
    assert.equal(git(repo, 'status', '--porcelain'), '', 'the main checkout is untouched');
    assert.equal(git(wtA, 'status', '--porcelain'), '?? alpha.txt');
    assert.equal(git(wtB, 'status', '--porcelain').split('\n').sort().join(' '), '?? beta-pwd.txt ?? beta.txt');

    // Each session's changes against its base are its own files only.
    const ops = createWorktreeOps();
    assert.deepEqual((await ops.changes(session(a.id).worktree!)).files, [{ path: 'alpha.txt', status: 'added' }]);
    assert.deepEqual((await ops.changes(session(b.id).worktree!)).files.map(f => f.path), ['beta-pwd.txt', 'beta.txt']);
  });
});
