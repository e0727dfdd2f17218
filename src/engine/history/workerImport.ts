// Runs the history import on its own thread (importWorker.ts) for an engine whose store is a file:
// the import's parsing and SQLite writes then never hold the engine's event loop, so live deltas keep
// their latency while months of history are read (issue 14). An in-memory store, or a build without
// the worker file, imports on the engine's thread in slices as before.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { switchedOff } from '../platform/envSwitch';
import type { LogFn } from '../platform/log';
import type { DriverName } from '../store/driver';
import type { Store } from '../store/types';
import type { ImportProgress, ImportSummary } from './importer';
import type { FromImportWorker, ImportWorkerData, ToImportWorker } from './importWorker';
import { IMPORT_WRITER_FILE, type WriterThread, startWriterThread } from './importPipe';

/** Next to this file: dist/importWorker.js in the bundles, out/src/engine/history/importWorker.js in tests. */
export const IMPORT_WORKER_FILE = path.join(__dirname, 'importWorker.js');

/**
 * The thread's heap. Its live data is small (one read of 1 MiB, one slice's items, the files' offsets:
 * ~20 MiB at 1 GB of history), but V8 lets the old generation fill with promoted garbage before it
 * collects: uncapped, the 1 GB import peaked at 73 MiB of old space (190 MiB RSS); capped, V8 collects
 * sooner for ~2 % more time (1 GB of few large messages: 153 MiB RSS at 48 MiB, 147 at 32). A thread
 * that needs more (lines near the 8 MiB cap, tens of thousands of files) runs out of this heap and is
 * started again without the cap, from its last commit. The young generation is small for the same
 * reason: the garbage is short-lived line strings, and the default semi-spaces (16 MiB each) added
 * ~20 MiB to the peak for no speed.
 */
export const IMPORT_THREAD_HEAP = {
  youngMb: 8, oldMb: 32,
  /**
   * With a writing thread beside it (importPipe.ts) the process holds a third heap, and this thread
   * no longer holds what SQLite writes: 4 MiB young / 24 MiB old took the 1 GB import of few large
   * messages from 148–150 to ~141 MiB at the peak.
   */
  pipelinedYoungMb: 4,
  pipelinedOldMb: 24,
} as const;

export interface WorkerImportOptions {
  store: Store;
  log: LogFn;
  codexHome: string | null;
  claudeHome: string | null;
  skipRecentMs: number;
  /** `<provider>:<provider session id>` of every session the engine holds now. */
  loaded: string[];
  onProgress(p: ImportProgress): void;
  workerFile?: string;
  /**
   * Write on a second thread (importPipe.ts) when its script is beside the import thread's: about a
   * quarter faster on many short messages. Default: on, unless FLIGHTDECK_IMPORT_WRITER_THREAD=0.
   */
  pipeline?: boolean;
  /** The first thread's old-generation cap (tests); default IMPORT_THREAD_HEAP.oldMb. */
  oldGenerationMb?: number;
  /** See ImportWriterData (tests). */
  usageKeyIndexDeferRows?: number;
}

export interface WorkerImport {
  readonly summary: Promise<ImportSummary>;
  cancel(): void;
  /** The engine now holds this session (`<provider>:<provider session id>`): its file is the live rules' (checked at the worker's next commit). */
  loaded(key: string): void;
  /** Ends the thread at once (engine stop after a cancel that did not finish in time). */
  terminate(): Promise<void>;
}

/** The import writes on a thread of its own (see `pipeline`) unless FLIGHTDECK_IMPORT_WRITER_THREAD is 0 / false / no. */
export function writerThreadWanted(env: Record<string, string | undefined> = process.env): boolean {
  return !switchedOff(env.FLIGHTDECK_IMPORT_WRITER_THREAD);
}

export function canImportInWorker(store: Store, workerFile = IMPORT_WORKER_FILE): boolean {
  return !!store.file && fs.existsSync(workerFile);
}

export function startWorkerImport(o: WorkerImportOptions): WorkerImport {
  const loaded = new Set(o.loaded);
  let cancelled = false;
  let worker: Worker;
  let writer: WriterThread | null = null;
  const writerFile = path.join(path.dirname(o.workerFile ?? IMPORT_WORKER_FILE), path.basename(IMPORT_WRITER_FILE));
  const pipeline = (o.pipeline ?? writerThreadWanted()) && fs.existsSync(writerFile);
  const send = (m: ToImportWorker) => { try { worker.postMessage(m); } catch { /* ended */ } };
  /** One thread until its summary; `oldMb` undefined: no cap on its old generation. */
  const run = (oldMb: number | undefined) => new Promise<ImportSummary>((resolve, reject) => {
    const store = { file: o.store.file!, driver: o.store.driver as DriverName, gate: o.store.writeGate, usageKeyIndexDeferRows: o.usageKeyIndexDeferRows };
    // Both threads start now, side by side (importPipe.ts startWriterThread).
    writer = pipeline ? startWriterThread(store, o.log, writerFile) : null;
    const data: ImportWorkerData = {
      ...store, codexHome: o.codexHome, claudeHome: o.claudeHome, skipRecentMs: o.skipRecentMs, loaded: [...loaded],
      writerPort: writer?.port ?? null,
    };
    worker = new Worker(o.workerFile ?? IMPORT_WORKER_FILE, {
      workerData: data, transferList: writer ? [writer.port] : [], name: 'flightdeck-history-import',
      resourceLimits: { maxYoungGenerationSizeMb: pipeline ? IMPORT_THREAD_HEAP.pipelinedYoungMb : IMPORT_THREAD_HEAP.youngMb, ...(oldMb ? { maxOldGenerationSizeMb: oldMb } : {}) },
    });
    if (cancelled) send({ type: 'cancel' });
    let settled = false;
    worker.on('message', (m: FromImportWorker) => {
      if (m.type === 'progress') o.onProgress(m.progress);
      else if (m.type === 'log') o.log(m.level, m.message);
      else if (m.type === 'done') { settled = true; resolve(m.summary); }
      else if (m.type === 'failed') { settled = true; reject(new Error(m.error)); }
    });
    worker.on('error', e => { if (!settled) { settled = true; reject(e); } });
    worker.on('exit', code => { if (!settled) { settled = true; reject(new Error(`the history import thread ended (exit code ${code}) before its summary`)); } });
  });
  const cap = o.oldGenerationMb ?? (pipeline ? IMPORT_THREAD_HEAP.pipelinedOldMb : IMPORT_THREAD_HEAP.oldMb);
  const summary = run(cap).catch(e => {
    if ((e as NodeJS.ErrnoException)?.code !== 'ERR_WORKER_OUT_OF_MEMORY' || cancelled) throw e;
    o.log('info', `history: the import thread needed more than its ${cap} MiB heap; going on from its last commit without that bound`);
    return run(undefined);
  });
  return {
    summary,
    cancel: () => { cancelled = true; send({ type: 'cancel' }); },
    loaded: key => { loaded.add(key); send({ type: 'loaded', key }); },
    terminate: async () => { await Promise.all([worker.terminate(), writer?.worker.terminate()]); },
  };
}

/** The import on its own thread until its summary; `signal` cancels it (also one that aborted before the start). */
export async function importOnThread(o: WorkerImportOptions & { signal?: AbortSignal; onStart?(w: WorkerImport): void }): Promise<ImportSummary> {
  // The thread checkpoints the WAL itself (importer ownCheckpoints); this thread's commits would
  // otherwise copy the import's pages at every commit once the WAL passes 1,000 pages, on the event loop.
  const resumeCheckpoints = o.store.pauseAutoCheckpoint();
  try {
    const w = startWorkerImport(o);
    o.onStart?.(w);
    const onAbort = () => w.cancel();
    if (o.signal?.aborted) w.cancel();
    o.signal?.addEventListener('abort', onAbort);
    try {
      return await w.summary;
    } finally {
      o.signal?.removeEventListener('abort', onAbort);
    }
  } finally {
    resumeCheckpoints();
  }
}

/**
 * The import on its own thread when the store is a file and the thread's script is there; otherwise,
 * or when the thread cannot run (its SQLite driver does not load there, it failed), `here` — the
 * import on the calling thread (`where`, for the log), which goes on from the thread's last commit.
 */
export async function importPreferringThread(
  o: Parameters<typeof importOnThread>[0], here: () => Promise<ImportSummary>, where: string,
): Promise<ImportSummary> {
  if (!canImportInWorker(o.store, o.workerFile)) return here();
  try {
    return await importOnThread(o);
  } catch (e) {
    o.log('warn', `history: the import thread failed (${(e as Error)?.message?.split('\n')[0] ?? e}); importing on ${where}`);
    return here();
  }
}
