// The conflict radar (issue 18) over a real engine, a real SQLite file and real git repositories made
// in the test, with a fake clock: who touched which file, the one-hour window, the end and commit
// rules, separate worktrees, symlinked paths.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { iso } from '../../src/engine/platform/clock';
import type { Session } from '../../src/engine/protocol';
import { ConflictRadar } from '../../src/engine/radar/radar';
import { RADAR_WINDOW_MS } from '../../src/engine/radar/radarState';
import { filesOfItem } from '../../src/engine/radar/touchedFiles';
import { makeEngine, type TestEngine } from '../helpers/engine';
import { cleanupTmpDirs, tmpDir } from '../helpers/tmp';

const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd, encoding: 'utf8' });

function makeRepo(): string {
  const dir = fs.realpathSync(tmpDir('fd-radar-repo-'));
  git(dir, 'init', '-q', '-b', 'main');
  fs.writeFileSync(path.join(dir, 'app.ts'), 'one\n');
  fs.writeFileSync(path.join(dir, 'other.ts'), 'x\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'init');
  return dir;
}

describe('conflict radar', () => {
  let t: TestEngine;
  let radar: ConflictRadar;
  let repo: string;
  let n = 0;

  beforeEach(() => {
    t = makeEngine();
    radar = new ConflictRadar({ engine: t.engine, clock: t.clock, commitCheckMs: 3000 });
    radar.start();
    repo = makeRepo();
  });
  afterEach(() => { radar.stop(); t.close(); cleanupTmpDirs(); });

  const session = (name: string, cwd = repo): Session => {
    const s = t.engine.createSession({ provider: 'claude', mode: 'passive', providerSessionId: `p${n++}`, cwd });
    return t.engine.apply(s.id, { type: 'renamed', name });
  };
  /** A Claude Edit tool call on `file` that runs, then completes (as the transcript reports it). */
  const claudeEdit = (s: Session, file: string, status: 'completed' | 'declined' = 'completed') => {
    const id = `${s.id}:tool:${n++}`;
    fs.appendFileSync(path.isAbsolute(file) ? file : path.join(s.cwd!, file), 'edit\n');
    t.engine.appendMessage(s.id, { id, kind: 'tool', toolName: 'Edit', toolInput: JSON.stringify({ file_path: file, old_string: 'a', new_string: 'b' }), text: file, status: 'inProgress', createdAt: iso(t.clock.now()) });
    t.engine.updateMessage(s.id, { id, status });
  };
  /** A Codex file change item, appended done with its changes. */
  const codexPatch = (s: Session, file: string) => {
    fs.appendFileSync(file, 'patched\n');
    t.engine.appendMessage(s.id, { id: `${s.id}:fc:${n++}`, kind: 'fileChange', text: 'apply_patch', status: 'completed', changes: [{ path: file, kind: 'update', diff: '' }], createdAt: iso(t.clock.now()) });
  };
  const conflictsOf = (s: Session) => t.engine.getSession(s.id)!.conflicts ?? [];

  it('two live sessions in one checkout editing one file both get a conflict naming the other and the file', async () => {
    const a = session('Session A');
    const b = session('Session B');
    claudeEdit(a, path.join(repo, 'app.ts'));
    await radar.settled();
    assert.deepEqual(conflictsOf(a), [], 'one session alone does not conflict');
    t.clock.advance(60_000);
    codexPatch(b, path.join(repo, 'app.ts'));
    await radar.settled();
    const file = path.join(repo, 'app.ts');
    assert.deepEqual(conflictsOf(a), [{ sessionId: b.id, displayName: 'Session B', files: [file] }]);
    assert.deepEqual(conflictsOf(b), [{ sessionId: a.id, displayName: 'Session A', files: [file] }]);
    // Sent as a session field delta, so every client sees it.
    assert.ok(t.events.some(e => e.type === 'session_delta' && e.sessionId === a.id && e.changes.conflicts?.[0]?.sessionId === b.id));
    // A different file of one of them adds nothing; a rename of one reaches the other's entry.
    claudeEdit(a, 'other.ts');
    await radar.settled();
    assert.deepEqual(conflictsOf(a)[0].files, [file]);
    await t.engine.rename(b.id, 'Renamed B');
    await radar.settled();
    assert.equal(conflictsOf(a)[0].displayName, 'Renamed B');
  });

  it('only within the hour: a touch older than that starts no conflict', async () => {
    // git is asked rarely here: the clock moves two hours.
    radar.stop();
    radar = new ConflictRadar({ engine: t.engine, clock: t.clock, commitCheckMs: RADAR_WINDOW_MS / 2 });
    radar.start();
    const a = session('A');
    const b = session('B');
    const c = session('C');
    claudeEdit(a, 'app.ts');
    await radar.settled();
    t.clock.advance(RADAR_WINDOW_MS + 1);
    t.engine.apply(a.id, { type: 'activity' });
    claudeEdit(b, 'app.ts');
    await radar.settled();
    assert.deepEqual(conflictsOf(a), []);
    assert.deepEqual(conflictsOf(b), []);
    t.clock.advance(RADAR_WINDOW_MS - 1000);
    claudeEdit(c, 'app.ts');
    await radar.settled();
    assert.deepEqual(conflictsOf(c).map(x => x.sessionId), [b.id], 'B (59 minutes ago) conflicts, A (two hours ago) does not');
  });

  it('a touch counts at the time of its item: an edit read back from two hours ago starts no conflict', async () => {
    const a = session('A');
    const b = session('B');
    fs.appendFileSync(path.join(repo, 'app.ts'), 'old\n');
    t.engine.appendMessage(a.id, { id: 'old-edit', kind: 'fileChange', text: 'apply_patch', status: 'completed', changes: [{ path: path.join(repo, 'app.ts'), kind: 'update', diff: '' }], createdAt: iso(t.clock.now() - 2 * RADAR_WINDOW_MS) });
    claudeEdit(b, 'app.ts');
    await radar.settled();
    assert.deepEqual(conflictsOf(b), []);
  });

  it('clears when one of the two sessions ends; an ended session starts none', async () => {
    const a = session('A');
    const b = session('B');
    claudeEdit(a, 'app.ts');
    claudeEdit(b, 'app.ts');
    await radar.settled();
    assert.equal(conflictsOf(a).length, 1);
    await t.engine.end(b.id);
    await radar.settled();
    assert.deepEqual(conflictsOf(a), []);
    assert.deepEqual(conflictsOf(b), []);
    assert.equal(t.engine.getSession(a.id)!.conflicts ?? null, null, 'cleared means no field left');
    const c = session('C');
    t.engine.apply(c.id, { type: 'ended', reason: 'user' });
    claudeEdit(c, 'app.ts');
    await radar.settled();
    assert.deepEqual(conflictsOf(a), []);
  });

  it('a declined edit touches nothing', async () => {
    const a = session('A');
    const b = session('B');
    claudeEdit(a, 'app.ts', 'declined');
    claudeEdit(b, 'app.ts');
    await radar.settled();
    assert.deepEqual(conflictsOf(b), []);
  });

  it('clears when the files are committed (git, on the timer, not per item); an uncommitted file keeps it', async () => {
    const a = session('A');
    const b = session('B');
    claudeEdit(a, 'app.ts');
    claudeEdit(b, 'app.ts');
    claudeEdit(a, 'other.ts');
    claudeEdit(b, 'other.ts');
    await radar.settled();
    assert.deepEqual(conflictsOf(a)[0].files, [path.join(repo, 'app.ts'), path.join(repo, 'other.ts')]);
    t.clock.advance(3000);
    await radar.settled();
    assert.equal(conflictsOf(a)[0].files.length, 2, 'still uncommitted: still in conflict');
    git(repo, 'commit', '-q', '-m', 'app', '--', 'app.ts');
    await radar.settled();
    assert.equal(conflictsOf(a)[0].files.length, 2, 'git is asked on the timer, not on every change');
    t.clock.advance(3000);
    await radar.settled();
    assert.deepEqual(conflictsOf(a)[0].files, [path.join(repo, 'other.ts')]);
    git(repo, 'commit', '-q', '-m', 'other', '--', 'other.ts');
    t.clock.advance(3000);
    await radar.settled();
    assert.deepEqual(conflictsOf(a), []);
    assert.deepEqual(conflictsOf(b), []);
    // Committed touches are settled: a third session touching the file later conflicts with nobody.
    const c = session('C');
    claudeEdit(c, 'app.ts');
    await radar.settled();
    assert.deepEqual(conflictsOf(c), []);
  });

  it('sessions in separate worktrees of one repository do not conflict over the same repo-relative file', async () => {
    const wt1 = path.join(path.dirname(repo), `${path.basename(repo)}-wt1`);
    const wt2 = path.join(path.dirname(repo), `${path.basename(repo)}-wt2`);
    git(repo, 'worktree', 'add', '-q', '-b', 'one', wt1);
    git(repo, 'worktree', 'add', '-q', '-b', 'two', wt2);
    try {
      const a = session('A', wt1);
      const b = session('B', wt2);
      const main = session('Main');
      claudeEdit(a, 'app.ts');
      claudeEdit(b, 'app.ts');
      claudeEdit(main, 'app.ts');
      await radar.settled();
      assert.deepEqual(conflictsOf(a), []);
      assert.deepEqual(conflictsOf(b), []);
      assert.deepEqual(conflictsOf(main), []);
      // Kept per repository: both worktrees' touches are under the main repository's path.
      const touches = radar.touchesIn(repo).map(x => [x.rel, x.checkout, x.sessionId]).sort();
      assert.deepEqual(touches, [['app.ts', repo, main.id], ['app.ts', fs.realpathSync(wt1), a.id], ['app.ts', fs.realpathSync(wt2), b.id]].sort());
      // Two sessions in ONE worktree do conflict.
      const a2 = session('A2', wt1);
      claudeEdit(a2, path.join(wt1, 'app.ts'));
      await radar.settled();
      assert.deepEqual(conflictsOf(a2), [{ sessionId: a.id, displayName: 'A', files: [path.join(fs.realpathSync(wt1), 'app.ts')] }]);
    } finally {
      fs.rmSync(wt1, { recursive: true, force: true });
      fs.rmSync(wt2, { recursive: true, force: true });
    }
  });

  it('a file reached through a symlink is the same file as its real path', async () => {
    const link = path.join(tmpDir('fd-radar-link-'), 'linked');
    fs.symlinkSync(repo, link);
    const a = session('A', link);
    const b = session('B');
    claudeEdit(a, 'app.ts');
    codexPatch(b, path.join(repo, 'app.ts'));
    await radar.settled();
    assert.deepEqual(conflictsOf(a), [{ sessionId: b.id, displayName: 'B', files: [path.join(repo, 'app.ts')] }]);
  });

  it('files outside git conflict too, until a session ends', async () => {
    const dir = fs.realpathSync(tmpDir('fd-radar-plain-'));
    fs.writeFileSync(path.join(dir, 'notes.md'), '');
    const a = session('A', dir);
    const b = session('B', dir);
    claudeEdit(a, 'notes.md');
    claudeEdit(b, 'notes.md');
    await radar.settled();
    t.clock.advance(3000);
    await radar.settled();
    assert.deepEqual(conflictsOf(a)[0].files, [path.join(dir, 'notes.md')]);
  });

  it('a conflict stored before a restart is dropped at start (the radar starts empty)', async () => {
    const a = session('A');
    const b = session('B');
    claudeEdit(a, 'app.ts');
    claudeEdit(b, 'app.ts');
    await radar.settled();
    assert.equal(conflictsOf(a).length, 1);
    radar.stop();
    t = t.restart();
    radar = new ConflictRadar({ engine: t.engine, clock: t.clock });
    radar.start();
    assert.deepEqual(t.engine.getSession(a.id)!.conflicts ?? [], []);
  });

  it('reads the files of Codex patches and Claude file tools', () => {
    assert.deepEqual(filesOfItem({ kind: 'fileChange', toolInput: '*** Begin Patch\n*** Update File: src/a.ts\n*** Move to: src/b.ts\n@@\n-x\n+y\n*** Add File: c.ts\n+z\n*** End Patch\n' }), ['src/a.ts', 'src/b.ts', 'c.ts']);
    assert.deepEqual(filesOfItem({ kind: 'fileChange', changes: [{ path: '/r/a', kind: 'update', diff: '', movePath: '/r/b' }] }), ['/r/a', '/r/b']);
    assert.deepEqual(filesOfItem({ kind: 'tool', toolName: 'Write', toolInput: '{"file_path":"/r/w.ts","content":"x"}' }), ['/r/w.ts']);
    assert.deepEqual(filesOfItem({ kind: 'tool', toolName: 'NotebookEdit', toolInput: '{"notebook_path":"/r/n.ipynb"}' }), ['/r/n.ipynb']);
    assert.deepEqual(filesOfItem({ kind: 'tool', toolName: 'Read', toolInput: '{"file_path":"/r/w.ts"}' }), []);
    assert.deepEqual(filesOfItem({ kind: 'tool', toolName: 'Edit', toolInput: '{"file_path":' }), []);
  });
});

describe('conflict radar: the words every client shows (uiPolicy)', () => {
  it('names the other session and the files, relative to the session folder; one key per pair', async () => {
    const { conflictPairKey, conflictSummary, conflictText } = await import('../../src/engine/protocol/uiPolicy');
    const c = { sessionId: 'b', displayName: 'fix the build', files: ['/r/src/a.ts', '/r/b.ts', '/elsewhere/c.ts', '/r/d.ts'] };
    assert.equal(conflictText(c, '/r'), '“fix the build” also edits src/a.ts, b.ts, /elsewhere/c.ts and 1 more in this checkout');
    assert.equal(conflictSummary({ cwd: '/r/', conflicts: [{ ...c, files: ['/r/x.ts'] }] }), '“fix the build” also edits x.ts in this checkout');
    assert.equal(conflictSummary({ cwd: '/r', conflicts: null }), null);
    assert.equal(conflictPairKey('a', 'b'), conflictPairKey('b', 'a'));
  });
});
