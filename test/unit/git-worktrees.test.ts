// Sessions in new git worktrees, through the protocol, on real repositories made in the test:
// propose a branch, create with a worktree, the changes against the base, remove (refused while
// dirty or working, forced) — and the errors a client gets.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ClientConnection, attachReplay } from '../../src/engine/clients/connection';
import { RepoInfoReader } from '../../src/engine/git/repoInfo';
import { startWorktreeTracker } from '../../src/engine/git/worktreeTracker';
import { branchSlug, createWorktreeOps, parseNameStatus } from '../../src/engine/git/worktrees';
import type { ClientMessage, ServerMessage } from '../../src/engine/protocol';
import type { ProviderController } from '../../src/engine/sessions/provider';
import { type TestEngine, makeEngine } from '../helpers/engine';
import { git, makeRepo } from '../helpers/gitRepo';
import { cleanupTmpDirs, tmpDir } from '../helpers/tmp';

describe('git: worktree names', () => {
  it('a branch from the prompt: lower-case words, at most 40 characters cut at a word', () => {
    assert.equal(branchSlug('Fix the flaky checkout test!'), 'fix-the-flaky-checkout-test');
    assert.equal(branchSlug('Ünïcode  café / déjà vu'), 'unicode-cafe-deja-vu');
    assert.equal(branchSlug('one two three four five six seven eight nine ten'), 'one-two-three-four-five-six-seven-eight');
    assert.equal(branchSlug('   '), 'session');
    assert.equal(branchSlug(undefined), 'session');
  });
  it('git diff --name-status -z is read with renames', () => {
    assert.deepEqual(parseNameStatus('M\0a.txt\0R100\0old.txt\0new.txt\0A\0b c.txt\0D\0gone.txt\0'), [
      { path: 'a.txt', status: 'modified' }, { path: 'new.txt', status: 'renamed', oldPath: 'old.txt' },
      { path: 'b c.txt', status: 'added' }, { path: 'gone.txt', status: 'deleted' },
    ]);
  });
});

describe('git: sessions in new worktrees (protocol)', () => {
  let t: TestEngine;
  let created: { cwd: string; prompt?: string }[];
  let failNextCreate: boolean;
  beforeEach(() => {
    t = makeEngine();
    created = [];
    failNextCreate = false;
    const provider: ProviderController = {
      handles: s => s.provider === 'codex', provider: 'codex',
      async createSession(req) {
        created.push({ cwd: req.cwd, prompt: req.prompt });
        if (failNextCreate) throw new Error('codex did not start');
        return t.engine.createSession({ provider: 'codex', mode: 'direct', cwd: req.cwd, firstPrompt: req.prompt });
      },
    };
    t.engine.registerProvider(provider);
    t.engine.setWorktrees(createWorktreeOps());
  });
  afterEach(() => { t.close(); cleanupTmpDirs(); });

  async function ask<T extends ClientMessage>(msg: T): Promise<ServerMessage> {
    const sent: ServerMessage[] = [];
    const conn = new ClientConnection({ engine: t.engine, replay: attachReplay(t.engine), serverVersion: 't', send: m => sent.push(m) });
    await conn.handle({ ...msg, requestId: 'r' });
    conn.close();
    const answer = sent.find(m => 'requestId' in m && m.requestId === 'r');
    assert.ok(answer, `no answer to ${msg.type}`);
    return answer;
  }
  function errorOf(a: ServerMessage): { code: string; message: string } {
    assert.equal(a.type, 'error', JSON.stringify(a));
    return a as { code: string; message: string };
  }

  it('proposes a unique branch from the prompt and a folder beside the repository', async () => {
    const repo = makeRepo('shop');
    git(repo, 'branch', 'fix-the-login');
    fs.mkdirSync(path.join(path.dirname(repo), 'shop-worktrees', 'fix-the-login-2'), { recursive: true });
    const a = await ask({ type: 'propose_worktree', cwd: repo, prompt: 'Fix the login' });
    assert.equal(a.type, 'worktree_proposal');
    if (a.type !== 'worktree_proposal') return;
    assert.equal(a.branch, 'fix-the-login-3', 'unique against branches and folders already there');
    assert.equal(a.path, path.join(path.dirname(repo), 'shop-worktrees', 'fix-the-login-3'));
    assert.equal(a.mainRepoPath, repo);
    assert.equal(a.baseRef, 'main');
  });

  it('create_session with a worktree: git worktree add -b, the session starts there, worktree and branch set', async () => {
    const repo = makeRepo('shop');
    fs.mkdirSync(path.join(repo, 'pkg'));
    fs.writeFileSync(path.join(repo, 'pkg', 'x.txt'), 'x\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'pkg');
    const a = await ask({ type: 'create_session', provider: 'codex', cwd: path.join(repo, 'pkg'), prompt: 'Add a feature', worktree: { branch: 'add-a-feature' } });
    assert.equal(a.type, 'result', JSON.stringify(a));
    const wt = path.join(path.dirname(repo), 'shop-worktrees', 'add-a-feature');
    assert.deepEqual(created, [{ cwd: path.join(wt, 'pkg'), prompt: 'Add a feature' }], 'started in the same subfolder of the new worktree');
    assert.equal(git(wt, 'rev-parse', '--abbrev-ref', 'HEAD'), 'add-a-feature');
    assert.match(git(repo, 'worktree', 'list'), /shop-worktrees\/add-a-feature/);
    const s = t.engine.getSession((a as { sessionId: string }).sessionId)!;
    assert.deepEqual(s.worktree, { path: wt, mainRepoPath: repo, branch: 'add-a-feature', baseRef: 'main', createdByFlightdeck: true });
    assert.equal(s.gitBranch, 'add-a-feature');

    // The tracker keeps Flightdeck's own facts (base, created here) when it reads the same worktree.
    const tracker = startWorktreeTracker({ engine: t.engine, repos: new RepoInfoReader({ clock: t.clock }), clock: t.clock });
    await tracker.check(s.id);
    assert.deepEqual(t.engine.getSession(s.id)!.worktree, s.worktree);
    tracker.stop();

    // An explicit folder under a chosen parent.
    const parent = fs.realpathSync(tmpDir());
    const b = await ask({ type: 'create_session', provider: 'codex', cwd: repo, prompt: 'p', worktree: { branch: 'feature/two', parentDir: parent } });
    assert.equal(b.type, 'result', JSON.stringify(b));
    assert.equal(created[1].cwd, path.join(parent, 'feature-two'));
  });

  it('clear errors: not a git repository, a branch that exists, an invalid name, an existing folder, git missing; a session that fails to start leaves no worktree', async () => {
    const repo = makeRepo('shop');
    const plain = fs.realpathSync(tmpDir());
    let e = errorOf(await ask({ type: 'create_session', provider: 'codex', cwd: plain, worktree: { branch: 'x' } }));
    assert.equal(e.code, 'bad_request');
    assert.match(e.message, /is not in a git repository/);
    e = errorOf(await ask({ type: 'create_session', provider: 'codex', cwd: repo, worktree: { branch: 'main' } }));
    assert.equal(e.code, 'conflict');
    assert.match(e.message, /branch "main" already exists/);
    e = errorOf(await ask({ type: 'create_session', provider: 'codex', cwd: repo, worktree: { branch: 'bad..name' } }));
    assert.equal(e.code, 'bad_request');
    assert.match(e.message, /not a valid branch name/);
    fs.mkdirSync(path.join(path.dirname(repo), 'shop-worktrees', 'taken'), { recursive: true });
    e = errorOf(await ask({ type: 'create_session', provider: 'codex', cwd: repo, worktree: { branch: 'taken' } }));
    assert.equal(e.code, 'conflict');
    assert.match(e.message, /already exists: pick another folder/);
    e = errorOf(await ask({ type: 'propose_worktree', cwd: plain }));
    assert.equal(e.code, 'bad_request');
    assert.equal(created.length, 0, 'no session was started for a refused worktree');

    failNextCreate = true;
    e = errorOf(await ask({ type: 'create_session', provider: 'codex', cwd: repo, worktree: { branch: 'doomed' } }));
    assert.match(e.message, /codex did not start/);
    assert.ok(!fs.existsSync(path.join(path.dirname(repo), 'shop-worktrees', 'doomed')), 'the unused worktree is removed');
    assert.equal(git(repo, 'branch', '--list', 'doomed'), '', 'and its new branch');

    t.engine.setWorktrees(createWorktreeOps({ gitPath: path.join(plain, 'no-git') }));
    e = errorOf(await ask({ type: 'create_session', provider: 'codex', cwd: repo, worktree: { branch: 'y' } }));
    assert.equal(e.code, 'provider_error');
    assert.match(e.message, /git was not found/);
  });

  it('the changes against the base: committed, uncommitted and untracked; the base side of a file', async () => {
    const repo = makeRepo('shop');
    fs.writeFileSync(path.join(repo, 'keep.txt'), 'base\n');
    fs.writeFileSync(path.join(repo, 'old.txt'), 'moved content\nline 2\nline 3\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'base files');
    const a = await ask({ type: 'create_session', provider: 'codex', cwd: repo, worktree: { branch: 'work' } });
    const sessionId = (a as { sessionId: string }).sessionId;
    const wt = t.engine.getSession(sessionId)!.worktree!.path;
    fs.writeFileSync(path.join(wt, 'committed.txt'), 'c\n');
    git(wt, 'add', '.');
    git(wt, 'commit', '-q', '-m', 'on the branch');
    git(wt, 'mv', 'old.txt', 'new.txt');
    fs.writeFileSync(path.join(wt, 'keep.txt'), 'changed\n');
    fs.writeFileSync(path.join(wt, 'untracked.txt'), 'u\n');
    // The base moving on does not count: the diff is against the merge base.
    fs.writeFileSync(path.join(repo, 'main-only.txt'), 'm\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'main moves on');

    const c = await ask({ type: 'worktree_changes', sessionId });
    assert.equal(c.type, 'worktree_changes', JSON.stringify(c));
    if (c.type !== 'worktree_changes') return;
    assert.equal(c.baseRef, 'main');
    assert.equal(c.worktreePath, wt);
    assert.deepEqual(c.files, [
      { path: 'committed.txt', status: 'added' },
      { path: 'keep.txt', status: 'modified' },
      { path: 'new.txt', status: 'renamed', oldPath: 'old.txt' },
      { path: 'untracked.txt', status: 'added' },
    ]);
    const base = await ask({ type: 'worktree_base_file', sessionId, path: 'keep.txt' });
    assert.equal(base.type === 'worktree_base_file' && base.text, 'base\n');
    const none = await ask({ type: 'worktree_base_file', sessionId, path: 'untracked.txt' });
    assert.equal(none.type === 'worktree_base_file' && none.text, null);
    assert.equal(errorOf(await ask({ type: 'worktree_base_file', sessionId, path: '../shop/README.md' })).code, 'bad_request');
  });

  it('remove: refused while working or with uncommitted changes, forced after; the branch stays; a session outside a worktree is refused', async () => {
    const repo = makeRepo('shop');
    const a = await ask({ type: 'create_session', provider: 'codex', cwd: repo, prompt: 'x', worktree: { branch: 'temp' } });
    const sessionId = (a as { sessionId: string }).sessionId;
    const wt = t.engine.getSession(sessionId)!.worktree!.path;
    t.engine.apply(sessionId, { type: 'turnStarted', turnId: 'turn-1' });
    let e = errorOf(await ask({ type: 'remove_worktree', sessionId }));
    assert.equal(e.code, 'conflict');
    assert.match(e.message, /is working in .*interrupt it first, or force the removal/);
    t.engine.apply(sessionId, { type: 'turnCompleted', status: 'completed' });

    fs.writeFileSync(path.join(wt, 'README.md'), 'edited\n');
    e = errorOf(await ask({ type: 'remove_worktree', sessionId }));
    assert.equal(e.code, 'conflict');
    assert.match(e.message, /has uncommitted changes \(1 file\): commit or stash them, or force the removal/);
    assert.ok(fs.existsSync(wt));

    const ok = await ask({ type: 'remove_worktree', sessionId, force: true });
    assert.equal(ok.type, 'result', JSON.stringify(ok));
    assert.ok(!fs.existsSync(wt), 'the folder is gone');
    assert.doesNotMatch(git(repo, 'worktree', 'list'), /temp/);
    assert.match(git(repo, 'branch', '--list', 'temp'), /temp/, 'the branch is kept');
    const s = t.engine.getSession(sessionId)!;
    assert.equal(s.worktree, null, 'the session no longer runs in a worktree');
    assert.equal(s.gitBranch, 'temp');
    assert.equal(errorOf(await ask({ type: 'remove_worktree', sessionId })).code, 'bad_request');

    // Clean and idle: removed without force.
    const b = await ask({ type: 'create_session', provider: 'codex', cwd: repo, worktree: { branch: 'clean' } });
    const clean = (b as { sessionId: string }).sessionId;
    const cleanPath = t.engine.getSession(clean)!.worktree!.path;
    assert.equal((await ask({ type: 'remove_worktree', sessionId: clean })).type, 'result');
    assert.ok(!fs.existsSync(cleanPath));
  });
});
