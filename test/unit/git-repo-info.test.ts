// repoInfo and the worktree tracker against real git repositories made in the test.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RepoInfoReader, readRepoInfo } from '../../src/engine/git/repoInfo';
import { startWorktreeTracker } from '../../src/engine/git/worktreeTracker';
import { FakeClock } from '../../src/engine/platform/clock';
import { makeEngine, type TestEngine } from '../helpers/engine';
import { git, makeRepo } from '../helpers/gitRepo';
import { cleanupTmpDirs, tmpDir } from '../helpers/tmp';

describe('git: repoInfo', () => {
  afterEach(() => cleanupTmpDirs());

  it('a plain checkout: its top folder, itself as the main repository, the branch, not a linked worktree', async () => {
    const repo = makeRepo();
    fs.mkdirSync(path.join(repo, 'src'));
    const info = await readRepoInfo(path.join(repo, 'src'));
    assert.deepEqual(
      info && { topLevel: info.topLevel, mainRepoPath: info.mainRepoPath, branch: info.branch, isLinkedWorktree: info.isLinkedWorktree },
      { topLevel: repo, mainRepoPath: repo, branch: 'main', isLinkedWorktree: false },
    );
  });

  it('a linked worktree maps to its main checkout, with its own branch; real paths through a symlink', async () => {
    const repo = makeRepo();
    const wt = path.join(path.dirname(repo), 'repo-worktrees', 'feature-x');
    git(repo, 'worktree', 'add', '-q', '-b', 'feature-x', wt);
    const link = path.join(path.dirname(repo), 'link-to-wt');
    fs.symlinkSync(wt, link);
    const info = await readRepoInfo(link);
    assert.ok(info);
    assert.equal(info.topLevel, wt);
    assert.equal(info.mainRepoPath, repo);
    assert.equal(info.branch, 'feature-x');
    assert.equal(info.isLinkedWorktree, true);
    assert.equal(info.commonDir, path.join(repo, '.git'));
  });

  it('a folder outside git is null (and so is a folder that does not exist)', async () => {
    const plain = fs.realpathSync(tmpDir());
    assert.equal(await readRepoInfo(plain), null);
    assert.equal(await readRepoInfo(path.join(plain, 'missing')), null);
  });

  it('a detached HEAD has no branch; a branch with no commit yet has one', async () => {
    const repo = makeRepo();
    git(repo, 'checkout', '-q', '--detach');
    assert.equal((await readRepoInfo(repo))?.branch, null);
    const empty = path.join(path.dirname(repo), 'empty');
    fs.mkdirSync(empty);
    git(empty, 'init', '-q', '-b', 'trunk');
    assert.equal((await readRepoInfo(empty))?.branch, 'trunk');
  });

  it('a missing git binary rejects with a clear message; the cached reader answers null', async () => {
    const repo = makeRepo();
    await assert.rejects(readRepoInfo(repo, { gitPath: path.join(repo, 'no-such-git') }), /git was not found/);
    assert.equal(await new RepoInfoReader({ gitPath: path.join(repo, 'no-such-git') }).get(repo), null);
  });

  it('answers are cached per folder until the time to live passes', async () => {
    const repo = makeRepo();
    const clock = new FakeClock();
    const reader = new RepoInfoReader({ clock, ttlMs: 1000 });
    assert.equal((await reader.get(repo))?.branch, 'main');
    git(repo, 'checkout', '-q', '-b', 'other');
    assert.equal((await reader.get(repo))?.branch, 'main', 'cached');
    clock.advance(1000);
    assert.equal((await reader.get(repo))?.branch, 'other');
  });
});

describe('git: worktree tracker', () => {
  let t: TestEngine;
  beforeEach(() => { t = makeEngine(); });
  afterEach(() => { t.close(); cleanupTmpDirs(); });

  it('fills worktree and gitBranch for sessions of either agent whose cwd is in a linked worktree; a plain repo gets its branch only', async () => {
    const repo = makeRepo();
    const wt = path.join(path.dirname(repo), 'repo-worktrees', 'fix-1');
    git(repo, 'worktree', 'add', '-q', '-b', 'fix-1', wt);
    fs.mkdirSync(path.join(wt, 'sub'));
    const tracker = startWorktreeTracker({ engine: t.engine, repos: new RepoInfoReader({ clock: t.clock }), clock: t.clock });
    const claude = t.engine.createSession({ provider: 'claude', mode: 'passive', providerSessionId: 'c1', cwd: path.join(wt, 'sub') });
    const codex = t.engine.createSession({ provider: 'codex', mode: 'passive', providerSessionId: 'x1', cwd: wt });
    const plain = t.engine.createSession({ provider: 'codex', mode: 'direct', cwd: repo });
    const outside = t.engine.createSession({ provider: 'codex', mode: 'direct', cwd: fs.realpathSync(tmpDir()) });
    await tracker.settled();
    for (const s of [claude, codex]) {
      const got = t.engine.getSession(s.id)!;
      assert.deepEqual(got.worktree, { path: wt, mainRepoPath: repo, branch: 'fix-1' });
      assert.equal(got.gitBranch, 'fix-1');
      assert.equal(got.lastActivityAt, s.lastActivityAt, 'reading git is not activity');
    }
    assert.equal(t.engine.getSession(plain.id)!.worktree, undefined);
    assert.equal(t.engine.getSession(plain.id)!.gitBranch, 'main');
    assert.equal(t.engine.getSession(outside.id)!.revision, outside.revision, 'a folder outside git changes nothing');
    // Persisted like every session field.
    const again = t.restart();
    assert.deepEqual(again.engine.getSession(codex.id)?.worktree, { path: wt, mainRepoPath: repo, branch: 'fix-1' });
    t = again;
    tracker.stop();
  });

  it('a branch switched in the worktree shows on the next change after the refresh time', async () => {
    const repo = makeRepo();
    const wt = path.join(path.dirname(repo), 'wt');
    git(repo, 'worktree', 'add', '-q', '-b', 'one', wt);
    const clock = t.clock;
    const tracker = startWorktreeTracker({ engine: t.engine, repos: new RepoInfoReader({ clock, ttlMs: 1000 }), clock, refreshMs: 5000 });
    const s = t.engine.createSession({ provider: 'codex', mode: 'passive', providerSessionId: 'x', cwd: wt });
    await tracker.settled();
    assert.equal(t.engine.getSession(s.id)!.gitBranch, 'one');
    git(wt, 'checkout', '-q', '-b', 'two');
    t.engine.apply(s.id, { type: 'activity' });
    await tracker.settled();
    assert.equal(t.engine.getSession(s.id)!.gitBranch, 'one', 'not asked again before the refresh time');
    clock.advance(5000);
    t.engine.apply(s.id, { type: 'activity' });
    await tracker.settled();
    assert.equal(t.engine.getSession(s.id)!.gitBranch, 'two');
    assert.equal(t.engine.getSession(s.id)!.worktree?.branch, 'two');
    tracker.stop();
  });
});
