// The history import's own thread (SPEC §11, issue 14). The engine's thread keeps serving live
// sessions and clients while this one reads and maps past sessions, and a second thread of its own
// (importWriter.ts, see importPipe.ts) writes them through its own SQLite connection; the connections
// take turns writing through the write gate (store/writeGate.ts), so the engine waits for at most one
// unit of the import. Messages: see workerImport.ts.
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { systemClock } from '../platform/clock';
import { lowerThisThreadPriority } from '../platform/threadPriority';
import type { LogLevel } from '../platform/log';
import { openStore } from '../store/sqliteStore';
import { type ImportProgress, type ImportSummary, importHistory } from './importer';
import { type ImportPipe, type ImportWriterData, PIPE_DEFAULTS, openImportPipe } from './importPipe';
import { FatalImportError } from './fileReader';

/** The store (as the writing thread gets it), the files to read, and the channel to the writing thread. */
export interface ImportWorkerData extends ImportWriterData {
  codexHome: string | null;
  claudeHome: string | null;
  skipRecentMs: number;
  /** `<provider>:<provider session id>` of the sessions the engine holds; more arrive as `loaded`. */
  loaded: string[];
  /** Map here and write on a second thread (importPipe.ts), through this channel to it; null: write here too. */
  writerPort: MessagePort | null;
}

export type ToImportWorker = { type: 'cancel' } | { type: 'loaded'; key: string };
export type FromImportWorker =
  | { type: 'progress'; progress: ImportProgress }
  | { type: 'log'; level: LogLevel; message: string }
  | { type: 'done'; summary: ImportSummary }
  | { type: 'failed'; error: string };

if (parentPort) void run(parentPort, workerData as ImportWorkerData);

async function run(port: NonNullable<typeof parentPort>, d: ImportWorkerData): Promise<void> {
  const post = (m: FromImportWorker) => port.postMessage(m);
  const log = (level: LogLevel, message: string) => post({ type: 'log', level, message });
  // Live sessions first: on a busy machine the scheduler runs the engine's thread before this one.
  const tid = lowerThisThreadPriority();
  log('debug', tid ? `history: import thread ${tid} runs at a lower priority` : 'history: import thread at normal priority (per-thread priority is Linux only)');
  const loaded = new Set(d.loaded);
  const abort = new AbortController();
  port.on('message', (m: ToImportWorker) => {
    if (m.type === 'cancel') abort.abort();
    else if (m.type === 'loaded') loaded.add(m.key);
  });
  try {
    const store = openStore({ file: d.file, clock: systemClock, log, driver: d.driver, bulkWriterGate: d.gate, usageKeyIndexDeferRows: d.usageKeyIndexDeferRows, cacheKiB: d.writerPort ? PIPE_DEFAULTS.readerCacheKiB : undefined });
    // Writes on the second thread (importPipe.ts); one that does not start ends run(pipe) below with
    // FatalImportError, and this thread writes too, as it does without one.
    let pipe: ImportPipe | null = d.writerPort ? openImportPipe(store, d.writerPort, log) : null;
    const run = (p: ImportPipe | null) => importHistory({
      store: p?.store ?? store, writeBehind: p?.writeBehind,
      log, codexHome: d.codexHome, claudeHome: d.claudeHome, skipRecentMs: d.skipRecentMs,
      isLoaded: (provider, id) => loaded.has(`${provider}:${id}`),
      signal: abort.signal, ownCheckpoints: !p, blockingFs: true,
      onProgress: progress => post({ type: 'progress', progress }),
    });
    try {
      let summary: ImportSummary;
      try {
        summary = await run(pipe);
      } catch (e) {
        if (!(e instanceof FatalImportError)) throw e;
        // The writing thread ended (a unit beyond its heap, say): what it committed stays, and this
        // thread goes on from there writing by itself (the files' offsets are the last commits).
        log('warn', `history: ${e.message}; this thread goes on writing by itself from the last commit`);
        await pipe?.close();
        pipe = null;
        summary = await run(null);
      }
      post({ type: 'done', summary });
    } finally {
      await pipe?.close();
      store.close();
    }
  } catch (e) {
    post({ type: 'failed', error: (e as Error)?.stack ?? String(e) });
  } finally {
    port.close();
  }
}
