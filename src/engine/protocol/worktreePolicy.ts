// How a session's git branch and worktree read on every surface (tree, panel header, web client):
// written once so the clients say the same words. Browser-safe, data only.
import type { Session } from './session';

type Git = Pick<Session, 'worktree' | 'gitBranch'>;

/** The branch a session works on: its worktree's, else the one git reports for its folder. */
export function branchOf(s: Git): string | null {
  return s.worktree?.branch ?? s.gitBranch ?? null;
}

/** The short chip: "⎇ fix-login" (a linked worktree gets "⎇ fix-login · worktree"); null when no branch is known. */
export function branchChip(s: Git): string | null {
  const branch = branchOf(s);
  if (s.worktree) return `⎇ ${branch ?? 'detached'} · worktree`;
  return branch ? `⎇ ${branch}` : null;
}

/** The hover words: where the worktree is, which repository it belongs to, and its base. */
export function worktreeDescription(s: Git): string | null {
  const w = s.worktree;
  if (!w) return null;
  const base = w.baseRef ? `, from ${w.baseRef}` : '';
  return `Worktree ${w.path} of ${w.mainRepoPath} (branch ${w.branch ?? 'detached'}${base})${w.createdByFlightdeck ? ', created by Flightdeck' : ''}`;
}
