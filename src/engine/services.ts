// The engine and everything the leader runs around it: store, replay buffer, providers, watchers.
// Used by the VS Code extension host (when it is the leader) and by `flightdeck serve`.
import * as path from 'node:path';
import { createClaudeIntegration } from './claude/integration';
import { createCodexDirect } from './codex/appServer/direct';
import { WATCHER_DEFAULTS, createCodexWatcher, defaultCodexHome } from './codex/rollout/watcher';
import { defaultClaudeHome } from './claude/installer';
import { startRetention } from './history/retention';
import { type HistoryService, createHistoryService } from './history/service';
import { ReplayBuffer } from './clients/replay';
import { ConflictRadar } from './radar/radar';
import { attachReplay } from './clients/connection';
import { RemoteEngines } from './remotes';
import type { BackoffPolicy } from './remotes/backoff';
import { type Clock, systemClock } from './platform/clock';
import { SessionEngine } from './sessions/engine';
import type { LogFn } from './platform/log';
import type { DriverPreference } from './store/driver';
import { DB_FILE } from './store/dbFile';
import { openStore } from './store/sqliteStore';
import { sharedRepoInfo } from './git/repoInfo';
import { startWorktreeTracker } from './git/worktreeTracker';
import { createWorktreeOps } from './git/worktrees';
import type { Store } from './store/types';

export interface ServiceOptions {
  dataDir: string;
  version: string;
  log: LogFn;
  clock?: Clock;
  codexHome?: string;
  claudeHome?: string;
  /** A function is read each time the codex app-server starts, so a changed setting needs no reload. */
  codexPath?: string | (() => string | undefined);
  claudePath?: string;
  /** SQLite driver: 'auto' (default; FLIGHTDECK_SQLITE_DRIVER may force one), 'better-sqlite3' or 'node:sqlite'. */
  sqliteDriver?: DriverPreference;
  /**
   * Where the Claude hook endpoint file is written: the per-machine leader folder, so hooks find
   * whichever process leads, whatever its data folder.
   */
  endpointDir?: string;
  /** Hold Claude permission prompts for a decision made in Flightdeck (default true). */
  claudeApprovals?: boolean;
  claudeApprovalTimeoutMs?: number;
  /** Delete ended sessions last active more than this many days ago, at start and daily; 0 or absent keeps all. */
  retentionDays?: number;
  /** Turn providers off (tests of the core, benchmarks). */
  providers?: { codexDirect?: boolean; codexWatcher?: boolean; claude?: boolean; history?: boolean; git?: boolean };
  /** Import past sessions in the background at the first start of the data folder (default true; SPEC §11). */
  historyAtFirstStart?: boolean;
  /** How links to remote engines retry (tests shorten it). */
  remoteBackoff?: BackoffPolicy;
}

export interface Services {
  engine: SessionEngine;
  store: Store;
  replay: ReplayBuffer;
  /** The conflict radar (issue 18): which sessions touched which files. */
  radar: ConflictRadar;
  /** The history import (absent when turned off). */
  history?: HistoryService;
  /** The remote engines this one joined (issue 20): add / remove / list, and their sessions for clients. */
  remotes: RemoteEngines;
  stop(): Promise<void>;
}

export { DB_FILE };

export async function startServices(opts: ServiceOptions): Promise<Services> {
  const clock = opts.clock ?? systemClock;
  const store = openStore({ file: path.join(opts.dataDir, DB_FILE), clock, log: opts.log, driver: opts.sqliteDriver });
  const engine = new SessionEngine({ store, clock, log: opts.log });
  const replay = attachReplay(engine);
  engine.start();
  const remotes = new RemoteEngines({ engine, replay, clock, log: opts.log, version: opts.version, backoff: opts.remoteBackoff });
  const stoppers: (() => Promise<void> | void)[] = [];
  // Before the providers, so it sees every file-change item they report (issue 18).
  const radar = new ConflictRadar({ engine, clock, log: opts.log });
  radar.start();
  stoppers.push(() => radar.stop());
  const on = { codexDirect: true, codexWatcher: true, claude: true, history: true, git: true, ...opts.providers };
  const codexHome = opts.codexHome ?? defaultCodexHome();
  const log = opts.log;
  if (opts.retentionDays && opts.retentionDays > 0) {
    const retention = startRetention({ engine, clock, days: opts.retentionDays, log });
    stoppers.push(() => retention.stop());
  }

  if (on.git) {
    // Branch and worktree of every live session, read from git (issue 18).
    const tracker = startWorktreeTracker({ engine, repos: sharedRepoInfo, clock, log });
    engine.setWorktrees(createWorktreeOps({ repos: sharedRepoInfo }));
    stoppers.push(() => { engine.setWorktrees(null); tracker.stop(); });
  }

  // A provider that cannot start (no codex binary, an unreadable folder) is logged and left out;
  // the engine and the other providers keep running.
  if (on.codexDirect) {
    // Lazy: the app-server starts with the first Codex operation, not with every engine.
    const direct = createCodexDirect({ engine, codexPath: opts.codexPath, codexHome: opts.codexHome, log, clock, clientVersion: opts.version, lazy: true });
    await direct.start();
    stoppers.push(() => direct.stop());
  }
  if (on.codexWatcher) {
    const watcher = createCodexWatcher({ engine, store, codexHome, clock, log });
    // Not awaited: the seed (10,000 recent rollouts take seconds) is read in slices in the
    // background while the engine and the hub already answer (issue 19).
    stoppers.push(() => watcher.stop());
    watcher.start().catch(e => log('warn', `watching Codex rollouts in ${codexHome} failed: ${(e as Error).message}`));
  }
  if (on.claude) {
    const claude = createClaudeIntegration({
      engine, store, dataDir: opts.endpointDir ?? opts.dataDir, clock, log,
      approvalsFromFlightdeck: opts.claudeApprovals ?? true, approvalTimeoutMs: opts.claudeApprovalTimeoutMs,
    });
    try {
      const unregister = engine.registerProvider(claude.controller);
      await claude.start();
      stoppers.push(async () => { unregister(); await claude.stop(); });
    } catch (e) {
      log('warn', `the Claude Code hook receiver did not start: ${(e as Error).message}`);
    }
  }
  let history: HistoryService | undefined;
  if (on.history) {
    history = createHistoryService({
      engine, store, log, codexHome, claudeHome: opts.claudeHome ?? defaultClaudeHome(),
      // The watcher seeds recent rollouts itself; without it every file is history.
      skipRecentMs: on.codexWatcher ? WATCHER_DEFAULTS.seedWindowMs : 0,
    });
    engine.setHistory(history);
    const h = history;
    stoppers.push(async () => { engine.setHistory(null); await h.stop(); });
    if (opts.historyAtFirstStart !== false) history.startIfFirst();
  }
  return {
    engine, store, replay, radar, history, remotes,
    async stop() {
      remotes.stop();
      for (const s of stoppers.reverse()) await s();
      engine.stop();
      store.close();
    },
  };
}
