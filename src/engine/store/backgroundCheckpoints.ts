// A bulk writer's WAL checkpoints with most of their fsyncs' work done off its thread (the history
// import's writer, issue 14). A checkpoint under synchronous = NORMAL fsyncs the WAL, copies its frames
// into the database and, when it copied all of them, fsyncs the database; on 1 GB of few large messages
// the import's writer — the import's limit there — spent 0.52 s of ~4.7 in those fsyncs
// (docs/benchmarks.md). SQLite's own rules stay in force (nothing here changes `synchronous`); each
// cycle only arranges for its fsyncs to find little to do:
//  1. a second connection begins a read snapshot, and the WAL file is fsynced on libuv's pool while the
//     writer goes on;
//  2. then SQLite checkpoints: its fsync of the WAL only has the frames since step 1 left to write, and
//     it copies frames up to the snapshot only (a checkpoint never copies past a reader's), so the
//     checkpoint is partial and SQLite leaves the database's fsync for later — as it does whenever a
//     reader holds the WAL — and the WAL cannot start again over frames whose pages are not on disk;
//  3. the database file is fsynced on the pool, so the fsync SQLite does when a checkpoint copies all
//     (when the WAL passes `restartWalBytes` and at the end, with the snapshot let go) finds little to write.
// A failed background fsync only ends the arrangement: SQLite's plain checkpoints from then on.
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { switchedOff } from '../platform/envSwitch';
import type { LogFn } from '../platform/log';
import { openRegularFile } from '../platform/regularFile';
import { type Db, pageSize, passiveCheckpoint } from './db';

export type Fsync = (fd: number, done: (err: NodeJS.ErrnoException | null) => void) => void;

export interface BackgroundCheckpointOptions {
  log: LogFn;
  /** The WAL size past which the snapshot is let go, so a checkpoint copies all and the WAL starts again. */
  restartWalBytes?: number;
  /**
   * Least time from one cycle's start to the next: a page the writer rewrites often (the last page of
   * a table or an index) is copied again at every checkpoint (importPacing's checkpointEveryMs).
   */
  everyMs?: number;
  /** fs.fsync unless a test holds the completions. */
  fsync?: Fsync;
  /** After each checkpoint: frames in the WAL and frames copied (tests). */
  onCheckpoint?(r: { log: number; checkpointed: number }): void;
}

export interface BackgroundCheckpoints {
  /** Between the writer's transactions: the cycle's next step, once the fsync before it completed. */
  due(): void;
  /** The end of the bulk write: the snapshot let go, a checkpoint of all, the second connection closed. */
  finish(): void;
}

/** With SQLite's checkpoints every second the writer's WAL peaked at 118–215 MB on 1 GB of few large messages. */
export const RESTART_WAL_BYTES = 128 * 1024 * 1024;
/**
 * Cycles four times a second: what SQLite's own fsync of the WAL still finds (the frames written since
 * the background one began) stays small. 1 GB of few large messages, paired: 250 ms −4 %, 1 s −3 %.
 */
export const CYCLE_EVERY_MS = 250;

type Phase = 'idle' | 'walSyncing' | 'walSynced' | 'dbSyncing' | 'off';

/**
 * Checkpoints for `db` (the writer's connection to `file`) in cycles; `openReader` opens the second
 * connection that holds the snapshots. Nothing else should checkpoint through `db` meanwhile.
 */
export function startBackgroundCheckpoints(db: Db, file: string, openReader: () => Db, o: BackgroundCheckpointOptions): BackgroundCheckpoints {
  const fsync = o.fsync ?? fs.fsync;
  const restartWalBytes = o.restartWalBytes ?? RESTART_WAL_BYTES;
  const everyMs = o.everyMs ?? CYCLE_EVERY_MS;
  const walPath = `${file}-wal`;
  const reader = openReader();
  const readAny = reader.prepare('SELECT 1 FROM sqlite_master LIMIT 1');
  const dbFd = openStoreFile(file);
  let walFd: number | null = null;
  let snapshot = false;
  let phase: Phase = 'idle';
  /** Completions of a cycle that a restart or the end cut short change nothing. */
  let cycle = 0;
  let startedAt = -Infinity;
  let finished = false;

  const frameBytes = (pageSize(db) || 4096) + 24;
  /** Frames in the WAL at the last checkpoint (its file keeps its size when it starts again: not a measure). */
  let walFrames = 0;
  const checkpoint = () => {
    const r = passiveCheckpoint(db);
    walFrames = r.log;
    o.onCheckpoint?.(r);
  };
  const release = () => { if (snapshot) { snapshot = false; reader.exec('COMMIT'); } };
  const hold = () => { release(); reader.exec('BEGIN'); snapshot = true; readAny.get(); };
  /** Without the snapshot, a checkpoint copies all (SQLite fsyncs the database) and the next commit starts the WAL again. */
  const copyAll = () => { cycle++; release(); checkpoint(); phase = phase === 'off' ? 'off' : 'idle'; };
  const fallBack = (why: string) => {
    if (phase === 'off') return;
    o.log('warn', `store: checkpoints with fsyncs ahead of them stopped (${why}); SQLite's plain checkpoints from now on`);
    phase = 'off';
    copyAll();
  };
  /** The WAL's descriptor, opened again when the file at its path is another one. */
  const wal = (): number => {
    const ino = fs.statSync(walPath).ino;
    if (walFd !== null && fs.fstatSync(walFd).ino !== ino) { fs.closeSync(walFd); walFd = null; }
    if (walFd === null) walFd = openStoreFile(walPath);
    return walFd;
  };
  const completes = (from: Phase, to: Phase) => (mine: number) => (err: NodeJS.ErrnoException | null) => {
    if (mine !== cycle || phase !== from) return;
    if (!err) { phase = to; return; }
    try {
      fallBack(`fsync: ${err.message}`);
    } catch (e) {
      o.log('error', `store: a checkpoint after a failed fsync failed too: ${(e as Error).message}`);
    }
  };
  const walSynced = completes('walSyncing', 'walSynced');
  const dbSynced = completes('dbSyncing', 'idle');

  return {
    due() {
      if (finished) return;
      if (phase === 'off') { checkpoint(); return; }
      try {
        if (phase === 'idle') {
          if (walFrames * frameBytes > restartWalBytes) { copyAll(); return; }
          if (performance.now() - startedAt < everyMs) return;
          startedAt = performance.now();
          hold();
          phase = 'walSyncing';
          fsync(wal(), walSynced(cycle));
        } else if (phase === 'walSynced') {
          checkpoint();
          phase = 'dbSyncing';
          fsync(dbFd, dbSynced(cycle));
        }
      } catch (e) {
        fallBack((e as Error).message);
      }
    },
    finish() {
      if (finished) return;
      finished = true;
      try {
        copyAll();
      } finally {
        release();
        reader.close();
        fs.closeSync(dbFd);
        if (walFd !== null) fs.closeSync(walFd);
      }
    },
  };
}

/**
 * On unless FLIGHTDECK_BACKGROUND_FSYNC is 0 / false / no (to measure against, or to rule it out). Off
 * on Windows: flushing a file there needs a handle opened for writing, and it is not measured there.
 */
export function backgroundFsyncWanted(env: Record<string, string | undefined> = process.env, platform = process.platform): boolean {
  return platform !== 'win32' && !switchedOff(env.FLIGHTDECK_BACKGROUND_FSYNC);
}

/** A descriptor to fsync through: the store's own file, a regular file, no symlink followed. */
function openStoreFile(p: string): number {
  return openRegularFile(p, { followLinks: false });
}
