// The worktree requests and answers (issue 18): a new session in a new `git worktree`, what the
// branch changed against its base, and removing the worktree. Browser-safe (zod only).
import { z } from 'zod';

const req = { requestId: z.string().max(200).optional() };
const sessionRef = { ...req, sessionId: z.string().min(1).max(200) };
const folder = z.string().min(1).max(4096);
/** A branch name as typed; git's own rules (git check-ref-format --branch) are checked by the engine. */
const branch = z.string().min(1).max(200);

/** create_session's `worktree` option: the session runs in a new worktree on a new branch. */
export const CreateWorktreeOption = z.object({
  branch,
  /** The worktree's folder (absolute); default `<parentDir>/<branch>`. */
  path: folder.optional(),
  /** Where worktrees go (absolute); default beside the repository: `<repo>/../<repo name>-worktrees`. */
  parentDir: folder.optional(),
  /** What the branch starts from; default the checkout's current branch (or commit when detached). */
  baseRef: z.string().min(1).max(200).optional(),
});

export const WorktreeFileChange = z.object({
  /** Relative to the worktree's top folder, with `/`. */
  path: z.string(),
  status: z.enum(['added', 'modified', 'deleted', 'renamed']),
  /** A renamed file's path at the base. */
  oldPath: z.string().optional(),
});

export const WorktreeClientMessages = [
  /** A branch name (from the prompt, unique in the repository) and folder for a new worktree of cwd's repository. */
  z.object({ type: z.literal('propose_worktree'), ...req, cwd: folder, prompt: z.string().max(100_000).optional(), parentDir: folder.optional() }),
  /** The files the session's worktree changed against its base (committed or not, untracked included). */
  z.object({ type: z.literal('worktree_changes'), ...sessionRef }),
  /** A file's text at the merge base of the session's branch and its base (null: not there). */
  z.object({ type: z.literal('worktree_base_file'), ...sessionRef, path: z.string().min(1).max(4096) }),
  /**
   * `git worktree remove` of the session's worktree (the branch stays). Refused with `conflict` while
   * the session works or the worktree has uncommitted changes, unless force.
   */
  z.object({ type: z.literal('remove_worktree'), ...sessionRef, force: z.boolean().optional() }),
] as const;

export const WorktreeServerMessages = [
  z.object({
    type: z.literal('worktree_proposal'), ...req, branch: z.string(), path: z.string(), mainRepoPath: z.string(),
    /** What the branch would start from: the current branch, or the commit when detached. */
    baseRef: z.string(),
  }),
  z.object({
    type: z.literal('worktree_changes'), ...req, sessionId: z.string(), worktreePath: z.string(), baseRef: z.string(),
    /** The commit the diff is taken against: the merge base of HEAD and baseRef. */
    mergeBase: z.string(), files: z.array(WorktreeFileChange),
  }),
  z.object({
    type: z.literal('worktree_base_file'), ...req, sessionId: z.string(), path: z.string(), text: z.string().nullable(),
    /** Set when the file is too large or binary: text holds a short note instead. */
    binaryOrLarge: z.boolean().optional(),
  }),
] as const;

export type CreateWorktreeOption = z.infer<typeof CreateWorktreeOption>;
export type WorktreeFileChange = z.infer<typeof WorktreeFileChange>;
