// Worktrees for sessions (issue 18): `git worktree add -b` for a new session, the branch's changes
// against its base, `git worktree remove`. Every git call goes through runGit (execFile, no shell);
// failures come back as EngineErrors with git's own words.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { type CreateWorktreeOption, ErrorCode, type SessionWorktree, type WorktreeFileChange } from '../protocol';
import { EngineError } from '../sessions/errors';
import type { WorktreeOps } from '../sessions/provider';
import { GitError, runGit } from './exec';
import { type RepoInfo, type RepoInfoReader, readRepoInfo } from './repoInfo';

/** A base file larger than this is not sent (the diff editor shows a note instead). */
const BASE_FILE_MAX = 5 * 1024 * 1024;
const SLUG_MAX = 40;

/** A branch name from a prompt: lower-case words joined by '-', at most 40 characters, cut at a word. */
export function branchSlug(prompt: string | undefined): string {
  const words = (prompt ?? '').toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').split(/[^a-z0-9]+/).filter(Boolean);
  let out = '';
  for (const w of words) {
    const next = out ? `${out}-${w}` : w;
    if (next.length > SLUG_MAX) { if (!out) out = w.slice(0, SLUG_MAX); break; }
    out = next;
  }
  return out || 'session';
}

/** The first of name, name-2, name-3 … not among the taken ones. */
export function uniqueName(name: string, taken: (n: string) => boolean): string {
  if (!taken(name)) return name;
  for (let i = 2; ; i++) if (!taken(`${name}-${i}`)) return `${name}-${i}`;
}

/** Where worktrees of a repository go by default: beside it, `<repo>/../<repo name>-worktrees`. */
export function defaultParentDir(mainRepoPath: string): string {
  return path.join(path.dirname(mainRepoPath), `${path.basename(mainRepoPath)}-worktrees`);
}

/** A branch's folder name: its slashes become '-' (feature/x → feature-x). */
export function folderForBranch(branch: string): string {
  return branch.replace(/[\\/]+/g, '-');
}

async function exists(p: string): Promise<boolean> {
  return fsp.lstat(p).then(() => true, () => false);
}

export interface WorktreeOpsOptions {
  /** The cached reader to refresh after a worktree is added or removed. */
  repos?: RepoInfoReader;
  gitPath?: string;
  timeoutMs?: number;
}

export function createWorktreeOps(opts: WorktreeOpsOptions = {}): WorktreeOps {
  const gitOpts = { gitPath: opts.gitPath, timeoutMs: opts.timeoutMs };
  const git = (cwd: string, args: string[]) => runGit(args, { cwd, ...gitOpts }).catch((e: unknown) => { throw asEngineError(e); });

  async function requireRepo(cwd: string): Promise<RepoInfo> {
    let info: RepoInfo | null;
    try {
      info = await readRepoInfo(cwd, gitOpts);
    } catch (e) {
      throw asEngineError(e);
    }
    if (!info) throw new EngineError(ErrorCode.badRequest, `${cwd} is not in a git repository: a worktree needs one (git init, or pick a folder in a repository)`);
    return info;
  }

  async function branchExists(repo: string, branch: string): Promise<boolean> {
    return runGit(['show-ref', '--verify', '--quiet', `refs/heads/${branch}`], { cwd: repo, ...gitOpts }).then(() => true, (e: unknown) => {
      if (e instanceof GitError && e.kind === 'failed') return false;
      throw asEngineError(e);
    });
  }

  async function checkBranchName(repo: string, branch: string): Promise<void> {
    await runGit(['check-ref-format', '--branch', branch], { cwd: repo, ...gitOpts }).catch((e: unknown) => {
      if (e instanceof GitError && e.kind === 'failed') throw new EngineError(ErrorCode.badRequest, `"${branch}" is not a valid branch name`);
      throw asEngineError(e);
    });
  }

  async function currentBase(info: RepoInfo): Promise<string> {
    if (info.branch) return info.branch;
    return (await git(info.topLevel, ['rev-parse', 'HEAD'])).stdout.trim();
  }

  return {
    async propose(cwd, prompt, parentDir) {
      const info = await requireRepo(cwd);
      const parent = parentDir ? path.resolve(parentDir) : defaultParentDir(info.mainRepoPath);
      const { stdout } = await git(info.topLevel, ['for-each-ref', '--format=%(refname:short)', 'refs/heads']);
      const branches = new Set(stdout.split('\n').map(s => s.trim()).filter(Boolean));
      const folders = new Set([...branches].map(folderForBranch));
      const candidates: string[] = [];
      const slug = branchSlug(prompt);
      // Unique against branches and against folders already in the parent folder.
      const taken = (n: string) => branches.has(n) || folders.has(n) || candidates.includes(n);
      let branch = uniqueName(slug, taken);
      while (await exists(path.join(parent, folderForBranch(branch)))) { candidates.push(branch); branch = uniqueName(slug, taken); }
      return { branch, path: path.join(parent, folderForBranch(branch)), mainRepoPath: info.mainRepoPath, baseRef: await currentBase(info) };
    },

    async add(cwd, opt: CreateWorktreeOption) {
      const info = await requireRepo(cwd);
      const branch = opt.branch.trim();
      await checkBranchName(info.topLevel, branch);
      if (await branchExists(info.topLevel, branch)) throw new EngineError(ErrorCode.conflict, `branch "${branch}" already exists in ${info.mainRepoPath}: pick another name`);
      for (const p of [opt.path, opt.parentDir]) {
        if (p !== undefined && !path.isAbsolute(p)) throw new EngineError(ErrorCode.badRequest, `the worktree folder must be an absolute path (got "${p.slice(0, 200)}")`);
      }
      const target = opt.path ? path.resolve(opt.path) : path.join(opt.parentDir ? path.resolve(opt.parentDir) : defaultParentDir(info.mainRepoPath), folderForBranch(branch));
      if (await exists(target)) throw new EngineError(ErrorCode.conflict, `${target} already exists: pick another folder or branch name`);
      const baseRef = opt.baseRef ?? await currentBase(info);
      await fsp.mkdir(path.dirname(target), { recursive: true });
      await git(info.topLevel, ['worktree', 'add', '-b', branch, target, baseRef]);
      opts.repos?.invalidate();
      const top = await fsp.realpath(target);
      // A session asked for in a subfolder of the checkout runs in the same subfolder of the worktree.
      const rel = path.relative(info.topLevel, cwd);
      const inside = rel && !rel.startsWith('..') ? path.join(top, rel) : top;
      const sessionCwd = (await exists(inside)) ? inside : top;
      return { cwd: sessionCwd, worktree: { path: top, mainRepoPath: info.mainRepoPath, branch, baseRef, createdByFlightdeck: true } };
    },

    async discard(wt) {
      await git(wt.mainRepoPath, ['worktree', 'remove', '--force', wt.path]);
      if (wt.branch) await git(wt.mainRepoPath, ['branch', '-D', wt.branch]);
      opts.repos?.invalidate();
    },

    async changes(wt) {
      const baseRef = await baseOf(wt);
      const mergeBase = (await git(wt.path, ['merge-base', 'HEAD', baseRef])).stdout.trim();
      // Against the working tree: committed and uncommitted changes alike, renames found.
      const diff = (await git(wt.path, ['diff', '--name-status', '-z', '-M', mergeBase, '--'])).stdout;
      const files = parseNameStatus(diff);
      const untracked = (await git(wt.path, ['ls-files', '--others', '--exclude-standard', '-z'])).stdout.split('\0').filter(Boolean);
      for (const p of untracked) files.push({ path: p, status: 'added' });
      files.sort((a, b) => a.path.localeCompare(b.path));
      return { baseRef, mergeBase, files };
    },

    async baseFile(wt, file) {
      const rel = file.replace(/\\/g, '/');
      if (path.isAbsolute(rel) || rel.split('/').includes('..')) throw new EngineError(ErrorCode.badRequest, `${file}: a path inside the worktree is expected`);
      const mergeBase = (await git(wt.path, ['merge-base', 'HEAD', await baseOf(wt)])).stdout.trim();
      const spec = `${mergeBase}:${rel}`;
      const size = await runGit(['cat-file', '-s', spec], { cwd: wt.path, ...gitOpts }).then(r => Number(r.stdout.trim()), () => null);
      if (size === null) return { text: null };
      if (size > BASE_FILE_MAX) return { text: `(${rel} is ${Math.round(size / 1024)} KiB at the base: too large to show)`, binaryOrLarge: true };
      const text = (await git(wt.path, ['cat-file', 'blob', spec])).stdout;
      if (text.includes('\0')) return { text: `(${rel} is a binary file)`, binaryOrLarge: true };
      return { text };
    },

    async remove(wt, force) {
      if (!(await exists(wt.path))) throw new EngineError(ErrorCode.notFound, `the worktree ${wt.path} is not there any more`);
      if (!force) {
        const status = (await git(wt.path, ['status', '--porcelain', '--untracked-files=normal'])).stdout.trim();
        if (status) {
          const n = status.split('\n').length;
          throw new EngineError(ErrorCode.conflict, `${wt.path} has uncommitted changes (${n} file${n === 1 ? '' : 's'}): commit or stash them, or force the removal`);
        }
      }
      await git(wt.mainRepoPath, ['worktree', 'remove', ...(force ? ['--force', '--force'] : []), wt.path]);
      opts.repos?.invalidate();
    },
  };

  /** The ref the branch is compared with: the base it was made from, else the main checkout's branch. */
  async function baseOf(wt: SessionWorktree): Promise<string> {
    if (wt.baseRef) return wt.baseRef;
    const main = await readRepoInfo(wt.mainRepoPath, gitOpts).catch(() => null);
    if (main?.branch && main.branch !== wt.branch) return main.branch;
    throw new EngineError(ErrorCode.badRequest, `no base is known for ${wt.path}: it was not made by Flightdeck and the main checkout is on no other branch`);
  }
}

/** `git diff --name-status -z` output: status, path(s), NUL-separated. */
export function parseNameStatus(out: string): WorktreeFileChange[] {
  const parts = out.split('\0');
  const files: WorktreeFileChange[] = [];
  for (let i = 0; i < parts.length && parts[i]; ) {
    const code = parts[i++][0];
    if (code === 'R' || code === 'C') {
      const oldPath = parts[i++], newPath = parts[i++];
      files.push(code === 'R' ? { path: newPath, status: 'renamed', oldPath } : { path: newPath, status: 'added' });
    } else {
      const p = parts[i++];
      files.push({ path: p, status: code === 'A' ? 'added' : code === 'D' ? 'deleted' : 'modified' });
    }
  }
  return files;
}

function asEngineError(e: unknown): Error {
  if (e instanceof EngineError) return e;
  // git's own words (missing binary, timeout, refusal) reach the user as they are.
  if (e instanceof GitError) return new EngineError(ErrorCode.providerError, e.kind === 'missing' ? e.message : `git: ${e.message}`);
  return e as Error;
}
