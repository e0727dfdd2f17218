// The conflict radar: follows every session's file-change items on the engine's bus, resolves the
// files (real paths, repository, checkout), keeps the RadarState and writes each session's verdict
// into `session.conflicts` through the engine (a session_delta every client gets). Whether the files
// were committed is asked of git on a timer while anything is tracked, never per item.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Message, MessagePatch } from '../protocol';
import type { Clock, TimerHandle } from '../platform/clock';
import type { LogFn } from '../platform/log';
import type { EngineEvent } from '../sessions/bus';
import type { SessionEngine } from '../sessions/engine';
import { type UncommittedProbe, gitUncommitted } from './gitStatus';
import { type FileRef, RADAR_WINDOW_MS, RadarState } from './radarState';
import { type RepoLocator, gitRepoLocator } from './repoInfo';
import { filesOfItem, isFileChangeItem } from './touchedFiles';

export interface RadarOptions {
  engine: SessionEngine;
  clock: Clock;
  log?: LogFn;
  locator?: RepoLocator;
  uncommitted?: UncommittedProbe;
  /** A touch starts a conflict with another live session's touch at most this old (default 1 hour). */
  windowMs?: number;
  /** How often git is asked whether tracked files were committed, while anything is tracked. */
  commitCheckMs?: number;
}

/** Items still running: their files count when they complete (a declined or failed edit touches nothing). */
interface OpenItem { sessionId: string; kind: Message['kind']; toolName?: string | null; files: Set<string> }
const OPEN_ITEMS_MAX = 10_000;

export class ConflictRadar {
  private readonly state: RadarState;
  private readonly engine: SessionEngine;
  private readonly clock: Clock;
  private readonly log: LogFn;
  private readonly locate: RepoLocator;
  private readonly uncommitted: UncommittedProbe;
  private readonly commitCheckMs: number;
  private readonly open = new Map<string, OpenItem>();
  private chain: Promise<void> = Promise.resolve();
  private checkTimer: TimerHandle | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(opts: RadarOptions) {
    this.engine = opts.engine;
    this.clock = opts.clock;
    this.log = opts.log ?? (() => {});
    this.locate = opts.locator ?? gitRepoLocator;
    this.uncommitted = opts.uncommitted ?? gitUncommitted;
    this.state = new RadarState(opts.windowMs ?? RADAR_WINDOW_MS);
    this.commitCheckMs = opts.commitCheckMs ?? 3000;
  }

  start(): void {
    // The radar's memory starts empty: a conflict stored before a restart is stale.
    for (const s of this.engine.listSessions()) if (s.conflicts?.length) this.engine.apply(s.id, { type: 'conflicts', conflicts: null });
    this.unsubscribe = this.engine.bus.subscribe(e => this.onEvent(e));
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.checkTimer?.cancel();
    this.checkTimer = null;
  }

  /** Resolves when every event seen so far has been handled (tests, shutdown). */
  settled(): Promise<void> { return this.chain; }

  /** Who touched what in one repository (main repository path), across its worktrees. */
  touchesIn(repo: string | null) { return this.state.touchesIn(repo); }

  /** Asks git now whether tracked files were committed (the timer does this every commitCheckMs). */
  checkCommitted(): Promise<void> { return this.enqueue(() => this.runCommitCheck()); }

  private onEvent(e: EngineEvent): void {
    switch (e.type) {
      case 'message_appended': this.onItem(e.sessionId, e.message); break;
      case 'message_updated': this.onItemUpdate(e.sessionId, e.message); break;
      case 'session_ended': case 'session_removed': {
        const id = e.sessionId;
        for (const [k, o] of this.open) if (o.sessionId === id) this.open.delete(k);
        void this.enqueue(async () => this.publish(this.state.endSession(id)));
        break;
      }
      case 'session_delta':
        if (e.changes.status === 'ended') void this.enqueue(async () => this.publish(this.state.endSession(e.sessionId)));
        // The partners show this session's name: a rename reaches them too.
        else if (e.changes.displayName !== undefined) void this.enqueue(async () => this.publish(new Set(this.state.partnersOf(e.sessionId))));
        break;
      default: break;
    }
  }

  private onItem(sessionId: string, m: Message): void {
    if (!isFileChangeItem(m)) return;
    const files = filesOfItem(m);
    if (m.status === 'inProgress') {
      if (this.open.size >= OPEN_ITEMS_MAX) this.open.delete(this.open.keys().next().value!);
      this.open.set(m.id, { sessionId, kind: m.kind, toolName: m.toolName, files: new Set(files) });
    } else if ((m.status ?? 'completed') === 'completed' && files.length) {
      // When the item happened (a rollout re-read at startup is not an edit made now), never later than now.
      const at = Date.parse(m.createdAt);
      this.touched(sessionId, files, Number.isFinite(at) ? Math.min(at, this.clock.now()) : undefined);
    }
  }

  private onItemUpdate(sessionId: string, patch: MessagePatch): void {
    const item = this.open.get(patch.id);
    if (!item) {
      // An item appended as done (a rollout's apply_patch call) can be completed again with the real paths.
      if (patch.status === 'completed' && patch.changes?.length) this.touched(sessionId, filesOfItem({ kind: 'fileChange', ...patch }));
      return;
    }
    for (const f of filesOfItem({ kind: item.kind, toolName: item.toolName, ...patch })) item.files.add(f);
    if (!patch.status || patch.status === 'inProgress') return;
    this.open.delete(patch.id);
    if (patch.status === 'completed' && item.files.size) this.touched(sessionId, [...item.files]);
  }

  private touched(sessionId: string, files: string[], when?: number): void {
    const at = when ?? this.clock.now();
    // Imported and ended sessions touch nothing: skip them before any work is queued (ingest speed).
    if (this.engine.getSession(sessionId)?.status !== 'active') return;
    void this.enqueue(async () => {
      const s = this.engine.getSession(sessionId);
      if (!s || s.status !== 'active') return;
      const refs = await Promise.all(files.map(f => this.resolve(f, s.cwd)));
      const live = (id: string) => this.engine.getSession(id)?.status === 'active';
      this.publish(this.state.touch(sessionId, refs, at, live));
      this.scheduleChecks();
    });
  }

  /** Real path (a file that is gone: its folder's real path), then its checkout and repository. */
  private async resolve(file: string, cwd: string | null): Promise<FileRef> {
    const abs = path.resolve(cwd ?? path.sep, file);
    let realPath: string;
    try { realPath = await fs.promises.realpath(abs); } catch {
      try { realPath = path.join(await fs.promises.realpath(path.dirname(abs)), path.basename(abs)); } catch { realPath = abs; }
    }
    const repo = await this.locate(path.dirname(realPath)).catch(() => null);
    if (!repo) return { realPath, repo: null, top: null, rel: realPath };
    const rel = path.relative(repo.top, realPath);
    if (rel.startsWith('..') || path.isAbsolute(rel)) return { realPath, repo: null, top: null, rel: realPath };
    return { realPath, repo: repo.mainRepoPath, top: repo.top, rel };
  }

  private scheduleChecks(): void {
    if (this.checkTimer || this.state.empty) return;
    let tick = 0;
    // Conflicts are checked every tick; mere touches (a commit before another session's touch
    // must not start a conflict) every fifth, so a quiet machine runs git rarely.
    this.checkTimer = this.clock.setInterval(() => {
      if (this.state.hasConflicts || ++tick % 5 === 0) void this.checkCommitted();
    }, this.commitCheckMs);
  }

  private async runCommitCheck(): Promise<void> {
    const asOf = this.clock.now();
    const clean: string[] = [];
    for (const [top, refs] of this.state.filesToCheck()) {
      const dirty = await this.uncommitted(top, refs.map(r => r.rel));
      if (!dirty) { this.log('warn', `radar: git status failed in ${top}`); continue; }
      for (const r of refs) if (!dirty.has(r.rel)) clean.push(r.realPath);
    }
    const changed = this.state.committed(clean, asOf);
    this.state.prune(this.clock.now());
    this.publish(changed);
    if (this.state.empty) { this.checkTimer?.cancel(); this.checkTimer = null; }
  }

  private publish(ids: Set<string>): void {
    const nameOf = (id: string) => this.engine.getSession(id)?.displayName ?? id;
    for (const id of ids) {
      if (!this.engine.getSession(id)) continue;
      this.engine.apply(id, { type: 'conflicts', conflicts: this.state.conflictsOf(id, nameOf) });
    }
  }

  /** One thing at a time, in the order seen: resolution is async, the state is not shared across awaits. */
  private enqueue(work: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(work).catch(e => this.log('warn', `radar: ${(e as Error)?.stack ?? e}`));
    return this.chain;
  }
}
