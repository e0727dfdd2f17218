// Where a file lives in git, as the radar needs it: its checkout's top folder and the main repository
// that checkout belongs to. Read by the engine's shared git reader (git/repoInfo.ts, cached per
// folder); the small interface lets a test feed it directly.
import { sharedRepoInfo } from '../git/repoInfo';

export interface RepoLocation {
  /** The checkout's top folder (real path): a main checkout or a linked worktree. */
  top: string;
  /** The main checkout's top folder (real path): the repository, shared by all its worktrees. */
  mainRepoPath: string;
}

/** The repository of a folder, or null when it is not inside a git checkout. */
export type RepoLocator = (dir: string) => Promise<RepoLocation | null>;

export const gitRepoLocator: RepoLocator = async dir => {
  const info = await sharedRepoInfo.get(dir);
  return info ? { top: info.topLevel, mainRepoPath: info.mainRepoPath } : null;
};
