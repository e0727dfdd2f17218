// Which files some process holds open right now. A Codex CLI keeps its rollout file open for as long
// as it runs (observed with codex 0.169.0), so "nobody holds the rollout" means the process is gone:
// a passive session cannot be waiting for an approval or running a command any more.
// Injected into the engine (tests pass their own); on Linux it reads /proc, elsewhere it knows nothing.
import * as fs from 'node:fs';

/** A snapshot of the open files, or null when this platform cannot tell. */
export type OpenFilesProbe = () => ReadonlySet<string> | null;

export const procOpenFiles: OpenFilesProbe = () => {
  if (process.platform !== 'linux') return null;
  let pids: string[];
  try { pids = fs.readdirSync('/proc'); } catch { return null; }
  const open = new Set<string>();
  for (const pid of pids) {
    if (!/^\d+$/.test(pid)) continue;
    let fds: string[];
    // Other users' processes are not readable: they cannot hold this user's rollouts anyway.
    try { fds = fs.readdirSync(`/proc/${pid}/fd`); } catch { continue; }
    for (const fd of fds) {
      try {
        const target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (target.startsWith('/')) open.add(target);
      } catch { /* closed meanwhile */ }
    }
  }
  return open;
};
