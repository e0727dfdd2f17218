// Keeps every live session's `worktree` and `gitBranch` as git sees them: when a session appears
// or its cwd changes, and again (at most every refreshMs) while it is active, since a branch can
// be switched under it. Asynchronous and cached per folder, so ingest never waits for git; the
// answer is applied as a metadata event, which is not activity (it revives nothing).
import type { Session, SessionWorktree } from '../protocol';
import type { SessionEngine } from '../sessions/engine';
import type { Clock } from '../platform/clock';
import type { LogFn } from '../platform/log';
import type { RepoInfo, RepoInfoReader } from './repoInfo';

export interface WorktreeTrackerOptions {
  engine: SessionEngine;
  repos: RepoInfoReader;
  clock: Clock;
  log?: LogFn;
  /** A session's folder is asked again after this long, on its next change. */
  refreshMs?: number;
}

export interface WorktreeTracker {
  /** Resolves when every look-up started so far has been applied (tests, the create flow). */
  settled(): Promise<void>;
  /** Looks at one session now (after Flightdeck changed its repository). */
  check(sessionId: string): Promise<void>;
  stop(): void;
}

export function startWorktreeTracker(opts: WorktreeTrackerOptions): WorktreeTracker {
  const { engine, repos, clock } = opts;
  const refreshMs = opts.refreshMs ?? 30_000;
  const lastChecked = new Map<string, number>();
  const inFlight = new Set<Promise<void>>();

  const check = (id: string): Promise<void> => {
    const s = engine.getSession(id);
    if (!s?.cwd || s.status !== 'active') return Promise.resolve();
    lastChecked.set(id, clock.now());
    const cwd = s.cwd;
    const p = repos.get(cwd).then(info => {
      const cur = engine.getSession(id);
      if (!cur || cur.cwd !== cwd || cur.status !== 'active') return;
      const ev = fieldsFromGit(cur, info);
      if (ev) engine.apply(id, { type: 'metadata', ...ev });
    }).catch(e => opts.log?.('warn', `git: reading the repository of ${cwd} failed: ${(e as Error).message}`))
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    return p;
  };

  const unsubscribe = engine.bus.subscribe(e => {
    if (e.type === 'session_created') void check(e.session.id);
    else if (e.type === 'session_delta') {
      if (e.changes.cwd !== undefined || (e.changes.status === 'active')) void check(e.sessionId);
      else if (clock.now() - (lastChecked.get(e.sessionId) ?? 0) >= refreshMs) void check(e.sessionId);
    } else if (e.type === 'session_removed') lastChecked.delete(e.sessionId);
  });
  for (const s of engine.listSessions()) void check(s.id);

  return {
    async settled() { while (inFlight.size) await Promise.all([...inFlight]); },
    check,
    stop() { unsubscribe(); lastChecked.clear(); },
  };
}

/** What to change on a session for git's answer; null when nothing differs. */
export function fieldsFromGit(s: Session, info: RepoInfo | null): { gitBranch?: string | null; worktree?: SessionWorktree | null } | null {
  // Outside git (or the folder is gone, a removed worktree): what was known stays, as history.
  if (!info) return null;
  const out: { gitBranch?: string | null; worktree?: SessionWorktree | null } = {};
  if ((s.gitBranch ?? null) !== info.branch) out.gitBranch = info.branch;
  if (info.isLinkedWorktree) {
    // Flightdeck's own facts (base, created here) stay when the worktree is the same one.
    const same = s.worktree?.path === info.topLevel;
    const wt: SessionWorktree = {
      path: info.topLevel, mainRepoPath: info.mainRepoPath, branch: info.branch,
      ...(same && s.worktree?.baseRef ? { baseRef: s.worktree.baseRef } : {}),
      ...(same && s.worktree?.createdByFlightdeck ? { createdByFlightdeck: true } : {}),
    };
    if (JSON.stringify(wt) !== JSON.stringify(s.worktree ?? null)) out.worktree = wt;
  } else if (s.worktree) {
    out.worktree = null;
  }
  return Object.keys(out).length ? out : null;
}
