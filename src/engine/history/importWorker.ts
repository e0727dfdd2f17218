// The history import's own thread (SPEC §11, issue 14). The engine's thread keeps serving live
// sessions and clients while this one reads, maps and writes past sessions through its own SQLite
// connection; the two connections take turns writing through the write gate (store/writeGate.ts), so
// the engine waits for at most one import slice. Messages: see workerImport.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { systemClock } from '../platform/clock';
import { lowerThisThreadPriority } from '../platform/threadPriority';
import type { LogLevel } from '../platform/log';
import type { DriverName } from '../store/driver';
import { openStore } from '../store/sqliteStore';
import { type ImportProgress, type ImportSummary, importHistory } from './importer';

export interface ImportWorkerData {
  file: string;
  driver: DriverName;
  gate: SharedArrayBuffer;
  codexHome: string | null;
  claudeHome: string | null;
  skipRecentMs: number;
  /** `<provider>:<provider session id>` of the sessions the engine holds; more arrive as `loaded`. */
  loaded: string[];
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
    const store = openStore({ file: d.file, clock: systemClock, log, driver: d.driver, bulkWriterGate: d.gate });
    try {
      const summary = await importHistory({
        store, log, codexHome: d.codexHome, claudeHome: d.claudeHome, skipRecentMs: d.skipRecentMs,
        isLoaded: (provider, id) => loaded.has(`${provider}:${id}`),
        signal: abort.signal, ownCheckpoints: true,
        onProgress: progress => post({ type: 'progress', progress }),
      });
      post({ type: 'done', summary });
    } finally {
      store.close();
    }
  } catch (e) {
    post({ type: 'failed', error: (e as Error)?.stack ?? String(e) });
  } finally {
    port.close();
  }
}
