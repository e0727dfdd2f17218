// Which git repository a folder belongs to, read from git itself: its top folder, the main
// checkout it belongs to (a linked worktree maps to its main repository), the branch, and whether
// it is a linked worktree (git worktree add). Cached per folder, since every session of a folder
// asks, and a folder not in git answers null without starting git at all.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { type Clock, systemClock } from '../platform/clock';
import { GitError, runGit } from './exec';

export interface RepoInfo {
  /** The top folder of the checkout the folder is in (real path): the worktree's own folder for a linked worktree. */
  topLevel: string;
  /** The main checkout's top folder (real path); equals topLevel unless this is a linked worktree. */
  mainRepoPath: string;
  /** The checked-out branch (short name); null on a detached HEAD. */
  branch: string | null;
  /** True for a worktree made with `git worktree add` (not the main checkout). */
  isLinkedWorktree: boolean;
  /** This checkout's git folder (for a linked worktree: <common>/worktrees/<name>). */
  gitDir: string;
  /** The repository's shared git folder (the main checkout's .git). */
  commonDir: string;
}

export interface RepoInfoOptions {
  clock?: Clock;
  /** How long an answer is reused before git is asked again (branches change). */
  ttlMs?: number;
  timeoutMs?: number;
  gitPath?: string;
}

/** Reads repository facts for folders, caching each answer (and the question in flight) per folder. */
export class RepoInfoReader {
  private cache = new Map<string, { at: number; info: Promise<RepoInfo | null> }>();
  private readonly clock: Clock;
  private readonly ttlMs: number;

  constructor(private readonly opts: RepoInfoOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.ttlMs = opts.ttlMs ?? 10_000;
  }

  /** The repository facts of a folder, or null when it is not in a git checkout (or git is missing). */
  get(folder: string): Promise<RepoInfo | null> {
    const key = path.resolve(folder);
    const hit = this.cache.get(key);
    const now = this.clock.now();
    if (hit && now - hit.at < this.ttlMs) return hit.info;
    const info = readRepoInfo(key, this.opts).catch(() => null);
    this.cache.set(key, { at: now, info });
    if (this.cache.size > 2_000) this.cache.delete(this.cache.keys().next().value!);
    return info;
  }

  /** Forgets a folder's answer (after Flightdeck changed the repository: a worktree added or removed). */
  invalidate(folder?: string): void {
    if (folder === undefined) this.cache.clear();
    else this.cache.delete(path.resolve(folder));
  }
}

/** Whether any folder from this one up to the root holds a `.git` (folder or file): no git process is needed otherwise. */
async function insideAGitFolder(folder: string): Promise<boolean> {
  for (let dir = folder; ; dir = path.dirname(dir)) {
    try {
      await fsp.lstat(path.join(dir, '.git'));
      return true;
    } catch { /* not here */ }
    if (path.dirname(dir) === dir) return false;
  }
}

/**
 * Asks git, uncached. Rejects with a GitError when git fails for another reason than "not a
 * repository" (missing binary, timeout); resolves null for a folder outside git.
 */
export async function readRepoInfo(folder: string, opts: { timeoutMs?: number; gitPath?: string } = {}): Promise<RepoInfo | null> {
  const st = await fsp.stat(folder).catch(() => null);
  if (!st?.isDirectory()) return null;
  if (!process.env.GIT_DIR && !(await insideAGitFolder(folder))) return null;
  let out: string;
  try {
    ({ stdout: out } = await runGit(['rev-parse', '--path-format=absolute', '--show-toplevel', '--git-common-dir', '--git-dir'], { cwd: folder, ...opts }));
  } catch (e) {
    if (e instanceof GitError && e.kind === 'failed') return null; // not a work tree (a bare repo, a .git folder itself, not a repository)
    throw e;
  }
  const [top, common, gitDir] = out.split('\n').map(s => s.trim());
  if (!top || !common || !gitDir) return null;
  const topLevel = await fsp.realpath(top);
  const commonDir = await fsp.realpath(common);
  const ownDir = await fsp.realpath(gitDir);
  const isLinkedWorktree = ownDir !== commonDir;
  // The common folder of a checkout is <main>/.git; of a bare repository with worktrees, the repository itself.
  const mainRepoPath = !isLinkedWorktree ? topLevel : path.basename(commonDir) === '.git' ? path.dirname(commonDir) : commonDir;
  return { topLevel, mainRepoPath, branch: await headBranch(topLevel, ownDir, opts), isLinkedWorktree, gitDir: ownDir, commonDir };
}

/**
 * The branch HEAD points at (what `git symbolic-ref --short HEAD` prints), null when detached.
 * Read from the checkout's HEAD file, which also answers for a branch without commits yet; a
 * reftable repository keeps a placeholder there, so git is asked instead.
 */
async function headBranch(topLevel: string, gitDir: string, opts: { timeoutMs?: number; gitPath?: string }): Promise<string | null> {
  const head = (await fsp.readFile(path.join(gitDir, 'HEAD'), 'utf8').catch(() => '')).trim();
  const m = /^ref:\s*refs\/heads\/(.+)$/.exec(head);
  if (m && m[1] !== '.invalid') return m[1];
  if (!m && /^[0-9a-f]{40,64}$/.test(head)) return null;
  const r = await runGit(['symbolic-ref', '-q', '--short', 'HEAD'], { cwd: topLevel, ...opts }).catch(() => null);
  return r?.stdout.trim() || null;
}

/** The reader the engine shares (the worktree tracker, the conflict radar): one cache per process. */
export const sharedRepoInfo = new RepoInfoReader();

/** Repository facts of a folder (cached, async); null when the folder is not in git. */
export function repoInfo(folder: string): Promise<RepoInfo | null> {
  return sharedRepoInfo.get(folder);
}
