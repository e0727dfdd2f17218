// How the history import paces its work: slices, commits, search-index batches, checkpoints. Shared by
// the import thread (importer.ts) and its writing thread (importWriter.ts), which loads nothing else of it.
import { performance } from 'node:perf_hooks';
import type { Store } from '../store/types';

export const IMPORT_DEFAULTS = {
  sliceMs: 10,
  commitItems: 2_000,
  /**
   * Bytes of large lines (largeLineBytes and up) after which a slice commits before sliceMs. A large
   * tool output held for a whole slice outlived a young-generation collection or two (the import
   * thread's young generation is small) and was promoted, a large object in the old generation that
   * only a full collection frees: the Claude half of 1 GB of few large messages ran ~1,050 scavenges
   * and 113 full collections (1.3 s); committing every 256 KB of them, 910 and 54 (0.8 s), 13 % faster
   * and 11 MiB less at the peak. Short lines do not count: more commits only slowed them.
   */
  sliceLargeBytes: 256 * 1024,
  largeLineBytes: 8 * 1024,
  progressEveryMs: 250,
  /** Bytes per read call: the lines of one call are held in memory at once. */
  readBytes: 1024 * 1024,
  /** Items stored before the search index catches up with them (in slices, between files). */
  indexEvery: 5_000,
  /** Files (or new parts of files) up to this size share transactions (see inGroup). */
  groupFileBytes: 64 * 1024,
  /**
   * With ownCheckpoints, a passive checkpoint between slices this often. Each commit otherwise
   * checkpointed once the WAL held 1,000 pages (4 MB): a page the import rewrites often (the last page
   * of a table, of an index, of the search index) was copied into the database again every few commits —
   * 100 MB of short messages spent ~1 s of its ~5 s there; a second's WAL (tens of MB) copies each once.
   */
  checkpointEveryMs: 1_000,
} as const;

/** Rows for the next search-index batch after one of `rows` took `tookMs`, aiming at `sliceMs` (only full batches say what a row costs). */
export function nextIndexRows(rows: number, tookMs: number, sliceMs: number): number {
  return Math.max(200, Math.min(50_000, Math.round(rows * Math.min(1.5, Math.max(0.25, sliceMs / Math.max(tookMs, 0.1))))));
}

/**
 * The import's own WAL checkpoints (see checkpointEveryMs): `due` checkpoints when a second has
 * passed since the last, `now` at once. One that fails loses nothing (the pages stay in the WAL for
 * the next one): it is logged once and the import goes on.
 */
export function walCheckpointer(store: Pick<Store, 'checkpointWal'>, warn: (message: string) => void): { due(): void; now(): void } {
  let last = performance.now();
  let warned = false;
  const now = () => {
    try {
      store.checkpointWal();
    } catch (e) {
      if (!warned) warn(`history: a WAL checkpoint failed (the import goes on): ${(e as Error).message}`);
      warned = true;
    }
    last = performance.now();
  };
  return { now, due: () => { if (performance.now() - last >= IMPORT_DEFAULTS.checkpointEveryMs) now(); } };
}
