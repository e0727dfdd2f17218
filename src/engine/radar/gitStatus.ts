// Which of some files still have uncommitted changes in their checkout: `git status --porcelain`
// limited to them. A file git ignores counts as uncommitted (it can never be committed away), so
// two sessions editing an ignored file still conflict until one ends.
import { runGit } from '../git/exec';

/** Repo-relative paths (of `rels`) that differ from HEAD or are untracked/ignored; null when git failed. */
export type UncommittedProbe = (top: string, rels: string[]) => Promise<Set<string> | null>;

export const gitUncommitted: UncommittedProbe = async (top, rels) => {
  if (rels.length === 0) return new Set();
  const args = ['-c', 'core.quotepath=off', 'status', '--porcelain=v1', '-z', '--no-renames', '--untracked-files=all', '--ignored=matching', '--', ...rels.map(r => `:(literal)${r}`)];
  const r = await runGit(args, { cwd: top }).catch(() => null);
  if (!r) return null;
  const dirty = new Set<string>();
  // -z: "XY path\0" per entry, paths relative to the top, unquoted.
  for (const entry of r.stdout.split('\0')) if (entry.length > 3) dirty.add(entry.slice(3));
  return dirty;
};
