// Runs the history import on its own thread (importWorker.ts) for an engine whose store is a file:
// the import's parsing and SQLite writes then never hold the engine's event loop, so live deltas keep
// their latency while months of history are read (issue 14). An in-memory store, or a build without
// the worker file, imports on the engine's thread in slices as before.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LogFn } from '../platform/log';
import type { DriverName } from '../store/driver';
import type { Store } from '../store/types';
import type { ImportProgress, ImportSummary } from './importer';
import type { FromImportWorker, ImportWorkerData, ToImportWorker } from './importWorker';

/** Next to this file: dist/importWorker.js in the bundles, out/src/engine/history/importWorker.js in tests. */
export const IMPORT_WORKER_FILE = path.join(__dirname, 'importWorker.js');

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
}

export interface WorkerImport {
  readonly summary: Promise<ImportSummary>;
  cancel(): void;
  /** The engine now holds this session (`<provider>:<provider session id>`): its file is the live rules' (checked at the worker's next commit). */
  loaded(key: string): void;
  /** Ends the thread at once (engine stop after a cancel that did not finish in time). */
  terminate(): Promise<void>;
}

export function canImportInWorker(store: Store, workerFile = IMPORT_WORKER_FILE): boolean {
  return !!store.file && fs.existsSync(workerFile);
}

export function startWorkerImport(o: WorkerImportOptions): WorkerImport {
  const data: ImportWorkerData = {
    file: o.store.file!, driver: o.store.driver as DriverName, gate: o.store.writeGate,
    codexHome: o.codexHome, claudeHome: o.claudeHome, skipRecentMs: o.skipRecentMs, loaded: o.loaded,
  };
  // A small young generation: the import's garbage is short-lived line strings, and the default
  // semi-spaces (16 MiB each) added ~20 MiB to the peak for no speed (docs/benchmarks.md).
  const worker = new Worker(o.workerFile ?? IMPORT_WORKER_FILE, { workerData: data, name: 'flightdeck-history-import', resourceLimits: { maxYoungGenerationSizeMb: 8 } });
  const send = (m: ToImportWorker) => { try { worker.postMessage(m); } catch { /* ended */ } };
  const summary = new Promise<ImportSummary>((resolve, reject) => {
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
  return {
    summary,
    cancel: () => send({ type: 'cancel' }),
    loaded: key => send({ type: 'loaded', key }),
    terminate: async () => { await worker.terminate(); },
  };
}
