// Running git: execFile with an argument list (never a shell, so no folder or branch name is ever
// parsed as shell syntax), a timeout, and at most a few git processes at once, so a burst of new
// sessions (an ingest) cannot fork hundreds of them.
import { execFile } from 'node:child_process';

export interface GitResult { stdout: string; stderr: string }

/** Why a git command failed, in words a user can act on. */
export class GitError extends Error {
  constructor(message: string, readonly kind: 'missing' | 'timeout' | 'failed', readonly stderr = '') { super(message); }
}

export interface GitRunOptions { cwd: string; timeoutMs?: number; gitPath?: string }

const MAX_PARALLEL = 2;
let running = 0;
const waiting: (() => void)[] = [];

async function slot(): Promise<() => void> {
  if (running >= MAX_PARALLEL) await new Promise<void>(resolve => waiting.push(resolve));
  running++;
  return () => { running--; waiting.shift()?.(); };
}

export const GIT_TIMEOUT_MS = 10_000;

/** Runs `git <args>` in cwd; rejects with a GitError carrying git's own message. */
export async function runGit(args: string[], opts: GitRunOptions): Promise<GitResult> {
  const release = await slot();
  try {
    return await new Promise<GitResult>((resolve, reject) => {
      execFile(opts.gitPath ?? 'git', args, {
        cwd: opts.cwd, timeout: opts.timeoutMs ?? GIT_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, windowsHide: true,
        // Never prompt (credentials, editors): Flightdeck runs git without a terminal.
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_EDITOR: 'true', LC_ALL: 'C' },
      }, (err, stdout, stderr) => {
        if (!err) return resolve({ stdout, stderr });
        const e = err as NodeJS.ErrnoException & { killed?: boolean; signal?: string };
        if (e.code === 'ENOENT' && !stderr) return reject(new GitError(`git was not found (${opts.gitPath ?? 'git'}): install git or put it on PATH`, 'missing'));
        if (e.killed || e.signal === 'SIGTERM') return reject(new GitError(`git ${args[0]} took longer than ${Math.round((opts.timeoutMs ?? GIT_TIMEOUT_MS) / 1000)} s`, 'timeout'));
        const msg = String(stderr).trim().split('\n').filter(Boolean).pop() ?? e.message;
        reject(new GitError(msg.replace(/^fatal:\s*/, ''), 'failed', String(stderr)));
      });
    });
  } finally {
    release();
  }
}
