// The passive Codex watcher (SPEC §1 kind 2, §2, §3): follows every rollout file under
// `$CODEX_HOME/sessions/` and feeds the sessions they describe into the engine.
//
// - File events (chokidar, on the directory: v4 has no globs) are debounced per file: the first
//   event schedules a read 150 ms later and events in between join it (a steady stream of writes
//   cannot postpone the read forever).
// - A catch-up sweep every 3 s reads files that grew without an event.
// - At start: names from session_index.jsonl, a backfill of first prompts for passive sessions that
//   have none (first 4,096 lines), then a seed of the files modified in the last 15 minutes. Older
//   files are read when they change.
// - Every read, check and backfill goes through one SlicedQueue: it yields to the event loop between
//   slices of a few ms, so 10,000 files at start or arriving at once never hold up /health or the
//   hub (issue 19). A few files are still read in the same turn.
// - Files idle longer than the seed window drop out of the sweep (their offsets stay persisted).
// - Every 30 s (and at once after a watcher error) the sweep also lists the tree and reads files it
//   does not track that changed since the last look: new ones whose event was lost, and idle ones
//   that grow again. A watcher that fails (EMFILE, ENOSPC…) is closed and made anew by the sweep, so
//   the watcher is never left blind.
// - The 120 s inactivity timeout of passive sessions is the engine's (lifecycle.ts); every line read
//   counts as activity, which also reactivates an ended session.
// All timers go through the injected Clock.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type FSWatcher, watch } from 'chokidar';
import type { Clock, TimerHandle } from '../../platform/clock';
import { systemClock } from '../../platform/clock';
import type { SessionEngine } from '../../sessions/engine';
import type { LogFn } from '../../platform/log';
import { nameFromPrompt } from '../../sessions/naming';
import type { Store } from '../../store/types';
import { TAIL_DEFAULTS, type TailPosition, readAppended } from '../../platform/jsonlTail';
import { type RolloutFileInfo, isRolloutFile, listRolloutFilesAsync } from './rolloutFiles';
import { RolloutIngest } from './rolloutIngest';
import { SlicedQueue } from './slicedQueue';
import { mapRolloutLine, newMapperState } from './rolloutMap';
import { RolloutEnvelope } from './rolloutSchema';
import { type ThreadName, readSessionIndex } from './sessionIndex';

export interface CodexWatcherOptions {
  engine: SessionEngine;
  store: Store;
  /** `$CODEX_HOME` (setting / --codex-home; default ~/.codex). */
  codexHome: string;
  clock?: Clock;
  log?: LogFn;
  debounceMs?: number;
  sweepMs?: number;
  seedWindowMs?: number;
  /** Lines longer than this are skipped with a warning, never buffered whole. */
  maxLineBytes?: number;
  backfillLines?: number;
  /** Use chokidar for file events (default true). Unit tests drive notify()/sweep() themselves. */
  watchFiles?: boolean;
  /** How often the sweep lists the tree for files it does not track. */
  rescanMs?: number;
  /** Makes the file watcher (chokidar's watch); tests inject a failing one. */
  watchFactory?: (home: string, options: Parameters<typeof watch>[1]) => FSWatcher;
  /** Synchronous ingest work between two yields to the event loop (ms; default 8, unbounded under an injected clock). */
  sliceMs?: number;
}

/** What the queue does for a key: read a file, see whether a tracked one grew, or backfill a session's first prompt. */
type Job = 'read' | 'check' | 'backfill';

export const WATCHER_DEFAULTS = {
  debounceMs: 150,
  sweepMs: 3_000,
  seedWindowMs: 15 * 60_000,
  maxLineBytes: TAIL_DEFAULTS.maxLineBytes,
  backfillLines: 4_096,
  rescanMs: 30_000,
} as const;

export interface CodexWatcher {
  /**
   * Names, then backfill and seed through the sliced queue, the sweep, and file events in the
   * background: chokidar's first scan of a large sessions tree takes seconds and must not hold up
   * the engine (the sweep covers the seeded files meanwhile). Resolves once the seed is read; the
   * engine does not wait for that (services.ts), it serves at once. Await `ready` for file events.
   */
  start(): Promise<void>;
  /** Reads and checks queued, not done yet (for diagnostics and tests). */
  readonly queued: number;
  /** Resolves once no tree listing is under way and the queue is empty (tests after sweep()). */
  settled(): Promise<void>;
  /** Resolves when file events are live (at once when there are none: watchFiles false, no CODEX_HOME). */
  readonly ready: Promise<void>;
  stop(): Promise<void>;
  /** The catch-up sweep (also run every sweepMs). */
  sweep(): void;
  /** A file event for this path (what chokidar reports); the read follows after the debounce. */
  notify(file: string): void;
  /** Reads a file now, without debounce. */
  processNow(file: string): void;
  /** Re-reads session_index.jsonl and applies changed names. */
  reloadNames(): void;
  readonly trackedFiles: number;
  readonly totals: RolloutIngest['totals'];
}

export { defaultCodexHome } from '../../platform/agentHomes';

const INDEX_KV_PREFIX = 'codex.sessionIndex.applied:';
/** Queue key of a backfill; no file path starts with it. */
const BACKFILL_KEY = 'backfill:';

export function createCodexWatcher(opts: CodexWatcherOptions): CodexWatcher {
  const { engine, store } = opts;
  const clock = opts.clock ?? systemClock;
  const log: LogFn = opts.log ?? (() => {});
  const cfg = {
    debounceMs: opts.debounceMs ?? WATCHER_DEFAULTS.debounceMs,
    sweepMs: opts.sweepMs ?? WATCHER_DEFAULTS.sweepMs,
    seedWindowMs: opts.seedWindowMs ?? WATCHER_DEFAULTS.seedWindowMs,
    maxLineBytes: opts.maxLineBytes ?? WATCHER_DEFAULTS.maxLineBytes,
    backfillLines: opts.backfillLines ?? WATCHER_DEFAULTS.backfillLines,
    rescanMs: opts.rescanMs ?? WATCHER_DEFAULTS.rescanMs,
  };
  const makeWatcher = opts.watchFactory ?? ((dir: string, o: Parameters<typeof watch>[1]) => watch(dir, o));
  let lastRescanAt = clock.now();
  let rescanDue = false;
  const home = path.resolve(opts.codexHome);
  const sessionsDir = path.join(home, 'sessions');
  const indexFile = path.join(home, 'session_index.jsonl');
  let names = new Map<string, ThreadName>();
  const ingest = new RolloutIngest({
    engine, store, log, maxLineBytes: cfg.maxLineBytes,
    nameFor(threadId) {
      const n = names.get(threadId);
      if (!n) return null;
      store.setKv(INDEX_KV_PREFIX + threadId, n.updatedAt);
      return n.name;
    },
  });
  const queue = new SlicedQueue<Job>({
    // Slices are measured in wall time. Under an injected clock (tests) one synchronous advance()
    // stands for minutes of sweeps within one real turn: there the work is not cut unless asked.
    sliceMs: opts.sliceMs ?? (clock === systemClock ? undefined : Infinity),
    // A read covers a check; a backfill key never meets a file key.
    merge: (queued, next) => (queued === 'read' || next === 'read' ? 'read' : next),
    run: (key, job) => runJob(key, job),
  });
  const pending = new Map<string, TimerHandle>();
  /** One look again shortly after an event-driven read (see notify). */
  const trailing = new Map<string, TimerHandle>();
  let sweepTimer: TimerHandle | null = null;
  let fsWatcher: FSWatcher | null = null;
  let running = false;
  /** File events were set up (or are being set up). */
  let watching = false;
  let ready: Promise<void> = Promise.resolve();
  /** The tree listing under way (seed or rescan), if any: listed off the event loop. */
  let listing: Promise<void> | null = null;

  function safely(what: string, fn: () => void): void {
    // Bad files must never stop the watcher (or the engine): log and go on.
    try { fn(); } catch (e) { log('error', `codex watcher: ${what} failed: ${(e as Error)?.stack ?? e}`); }
  }

  function processNow(file: string): void {
    safely(`reading ${file}`, () => {
      const r = ingest.process(file);
      // Over the per-read budget: go on after yielding, so a huge backlog does not block the host.
      if (r.more && running) notify(file);
    });
  }

  function runJob(key: string, job: Job): void {
    if (!running) return;
    if (job === 'read') return processNow(key);
    if (job === 'backfill') return safely(`backfilling ${key}`, () => backfillOne(key));
    safely(`checking ${key}`, () => check(key));
  }

  /** Queues a read and works the queue (within this turn when the backlog is small). */
  function read(file: string): void {
    queue.add(file, 'read');
    queue.work();
  }

  /** A tracked file: read it when it has unread bytes; forget it when idle past the seed window. */
  function check(file: string): void {
    const t = ingest.tracks.get(file);
    if (!t || pending.has(file)) return;
    let size: number;
    try { size = fs.statSync(t.path).size; } catch { processNow(t.path); return; }
    if (ingest.unread(t, size)) processNow(t.path);
    else if (clock.now() - t.lastLinesAt > cfg.seedWindowMs) ingest.forget(t.path);
  }

  function notify(file: string): void {
    if (!isRolloutFile(file) || pending.has(file)) return;
    pending.set(file, clock.setTimeout(() => {
      pending.delete(file);
      read(file);
      // chokidar drops events of one file that come within a few ms of the previous one, so the
      // last append of a burst can go unreported: look once more soon after, rather than leave it
      // to the 3 s sweep. Reading nothing new costs a stat.
      trailing.get(file)?.cancel();
      trailing.set(file, clock.setTimeout(() => { trailing.delete(file); if (!pending.has(file)) read(file); }, cfg.debounceMs * 4));
    }, cfg.debounceMs));
  }

  function sweep(): void {
    if (running && opts.watchFiles !== false && !fsWatcher && !watching && fs.existsSync(home)) {
      watching = true;
      void seed();
      ready = startFileEvents().catch(e => log('warn', `codex: could not watch ${home}: ${(e as Error)?.message ?? e}`));
    }
    const now = clock.now();
    if (rescanDue || now - lastRescanAt >= cfg.rescanMs) rescan(now);
    // A stat per tracked file (10,000 after a burst): queued, so it is sliced like the reads.
    for (const p of ingest.tracks.keys()) {
      if (!pending.has(p)) queue.add(p, 'check');
    }
    queue.work();
  }

  /** Files not tracked that changed since the last look (mtime, with a margin for coarse clocks). */
  function rescan(now: number): void {
    if (listing) return;
    const since = lastRescanAt - 2_000;
    rescanDue = false;
    lastRescanAt = now;
    void list('rescan', files => {
      for (const f of files) {
        if (ingest.tracks.has(f.path) || pending.has(f.path) || f.mtimeMs < since) continue;
        // Listed a while ago (the walk runs off the event loop): a file read to its end since then
        // and dropped from the sweep has nothing new.
        if (store.getOffset(f.path)?.offset === f.size) continue;
        queue.add(f.path, 'read');
      }
    });
  }

  /** Lists the tree off the event loop, then queues what `pick` chooses and works the queue. */
  function list(what: string, pick: (files: RolloutFileInfo[]) => void): Promise<void> {
    const done = listRolloutFilesAsync(sessionsDir).then(files => {
      if (!running) return;
      safely(what, () => pick(files));
      queue.work();
    }, e => log('error', `codex watcher: listing ${sessionsDir} for the ${what} failed: ${(e as Error)?.message ?? e}`))
      .finally(() => { if (listing === done) listing = null; });
    listing = done;
    return done;
  }

  function applyName(threadId: string, n: ThreadName): void {
    const s = engine.findByProviderId('codex', threadId);
    if (!s) return;
    const key = INDEX_KV_PREFIX + threadId;
    // Applied once per index entry: a later rename in Flightdeck is not undone at the next start.
    if (store.getKv(key) === n.updatedAt) return;
    if (s.customName !== n.name) engine.apply(s.id, { type: 'renamed', name: n.name });
    store.setKv(key, n.updatedAt);
  }

  function reloadNames(): void {
    safely('reading session_index.jsonl', () => {
      const read = readSessionIndex(indexFile);
      if (read.invalidLines) log('warn', `codex: skipped ${read.invalidLines} bad line(s) in ${indexFile}`);
      const before = names;
      names = read.names;
      for (const [threadId, n] of names) {
        if (before.get(threadId)?.updatedAt !== n.updatedAt) applyName(threadId, n);
      }
    });
  }

  /** SPEC §3: a passive session without a first prompt gets one from its rollout's first lines. */
  function backfill(): void {
    for (const s of engine.listSessions()) {
      if (s.provider !== 'codex' || s.mode !== 'passive' || s.firstPrompt || !s.sourcePath || !s.providerSessionId) continue;
      queue.add(BACKFILL_KEY + s.id, 'backfill');
    }
    queue.work();
  }

  function backfillOne(key: string): void {
    const s = engine.getSession(key.slice(BACKFILL_KEY.length));
    if (!s || s.firstPrompt || !s.sourcePath || !s.providerSessionId) return;
    const prompt = firstPromptIn(s.sourcePath, s.providerSessionId, cfg.backfillLines, cfg.maxLineBytes, clock.now());
    if (prompt) engine.apply(s.id, { type: 'metadata', firstPrompt: prompt });
  }

  function seed(): Promise<void> {
    const since = clock.now() - cfg.seedWindowMs;
    return list('seed', files => {
      const recent = files.filter(f => f.mtimeMs >= since).sort((a, b) => a.mtimeMs - b.mtimeMs);
      log('info', `codex: ${files.length} rollout file(s) under ${sessionsDir}; seeding ${recent.length} modified in the last ${Math.round(cfg.seedWindowMs / 60_000)} min`);
      for (const f of recent) queue.add(f.path, 'read');
    });
  }

  async function settled(): Promise<void> {
    while (listing || queue.size) {
      await listing;
      await queue.idle();
    }
  }

  async function startFileEvents(): Promise<void> {
    if (!fs.existsSync(home)) {
      log('info', `codex: ${home} does not exist yet; the sweep starts watching once it does`);
      return;
    }
    watching = true;
    const w = makeWatcher(home, {
      ignoreInitial: true,
      persistent: true,
      // Only the sessions tree and the name index: the rest of CODEX_HOME (sqlite logs) changes constantly.
      ignored: (p: string) => {
        const abs = path.resolve(p);
        return !(abs === home || abs === indexFile || abs === sessionsDir || abs.startsWith(sessionsDir + path.sep));
      },
    });
    w.on('add', p => onFileEvent(p));
    w.on('change', p => onFileEvent(p));
    w.on('unlink', p => { if (isRolloutFile(p)) { ingest.forget(path.resolve(p)); log('info', `codex: rollout ${p} was deleted`); } });
    w.on('error', e => {
      // chokidar may stay half-blind after an error (EMFILE in a scandir: a folder made meanwhile is
      // never watched). Close it; the sweep makes a new one and lists the tree for what was missed.
      log('warn', `codex: file watcher error: ${(e as Error)?.message ?? e}; watching again at the next sweep`);
      if (fsWatcher !== w) return;
      fsWatcher = null;
      watching = false;
      rescanDue = true;
      void w.close().catch(() => {});
    });
    fsWatcher = w;
    await new Promise<void>(resolve => w.once('ready', () => resolve()));
    // A rollout made between the seed's listing and chokidar's first scan has no event of its own
    // (ignoreInitial): the next sweep lists the tree for files it does not track.
    rescanDue = true;
  }

  function onFileEvent(p: string): void {
    const abs = path.resolve(p);
    if (abs === indexFile) reloadNames();
    else notify(abs);
  }

  return {
    async start() {
      if (running) return;
      running = true;
      reloadNames();
      safely('backfill', backfill);
      const seeded = seed();
      sweepTimer = clock.setInterval(() => safely('sweep', sweep), cfg.sweepMs);
      if (opts.watchFiles !== false) {
        ready = startFileEvents().catch(e => log('warn', `codex: could not watch ${home}: ${(e as Error)?.message ?? e}`));
      }
      await seeded;
      await queue.idle();
    },
    get queued() { return queue.size; },
    settled,
    get ready() { return ready; },
    async stop() {
      running = false;
      sweepTimer?.cancel();
      sweepTimer = null;
      for (const t of pending.values()) t.cancel();
      pending.clear();
      for (const t of trailing.values()) t.cancel();
      trailing.clear();
      queue.clear();
      const w = fsWatcher;
      fsWatcher = null;
      watching = false;
      if (w) await w.close();
      store.flush();
    },
    sweep: () => safely('sweep', sweep),
    notify,
    processNow,
    reloadNames,
    get trackedFiles() { return ingest.tracks.size; },
    get totals() { return ingest.totals; },
  };
}

/** The first real user prompt in the first `maxLines` lines of a rollout, already cut to a name. */
export function firstPromptIn(file: string, threadId: string, maxLines: number, maxLineBytes: number, now: number): string | null {
  let pos: TailPosition = { offset: 0 };
  let seen = 0;
  const state = newMapperState();
  while (seen < maxLines) {
    const r = readAppended(file, pos, { maxLineBytes });
    if (r.missing) return null;
    for (const line of r.lines) {
      if (++seen > maxLines) return null;
      let raw: unknown;
      try { raw = JSON.parse(line.text); } catch { continue; }
      const env = RolloutEnvelope.safeParse(raw);
      if (!env.success) continue;
      const { ops } = mapRolloutLine(env.data, {
        threadId, fileKey: 'backfill', offset: line.offset, now, state, approvalPolicy: null, sandboxMode: null,
      });
      for (const op of ops) {
        if (op.op !== 'upsert' || op.message.kind !== 'user') continue;
        const name = nameFromPrompt(op.message.text);
        if (name) return name;
      }
    }
    pos = { offset: r.offset, carry: r.carry };
    if (!r.more) return null;
  }
  return null;
}
