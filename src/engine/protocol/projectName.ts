// Apart from the schemas (session.ts) so code that needs only this, such as the history import's
// writing thread, does not load zod.

/** A session's projectName: the last folder of its working directory (the store's history groups use it too). */
export function projectNameOf(cwd: string | null | undefined): string | null {
  if (!cwd) return null;
  const parts = cwd.split(/[\\/]+/).filter(Boolean);
  return parts.length ? parts[parts.length - 1] : cwd;
}
