// The history import inside a running engine: started on its own at the first start of a data folder
// (in the background: the engine and the hub answer at once), and on demand by any client
// (import_history / cancel_import). Progress goes to every client as import_progress.
import type { ImportProgressMessage } from '../protocol/messages';
import type { HistoryController, SessionEngine } from '../sessions/engine';
import type { LogFn } from '../platform/log';
import type { Store } from '../store/types';
import { type ImportProgress, type ImportSummary, importHistory } from './importer';
import { type WorkerImport, importPreferringThread } from './workerImport';

export interface HistoryServiceOptions {
  engine: SessionEngine;
  store: Store;
  log: LogFn;
  codexHome: string | null;
  claudeHome: string | null;
  /** Codex rollouts this recent are the live watcher's (it seeds them at start). */
  skipRecentMs: number;
  /** Import on a thread of its own when the store is a file (default true; false: in slices on this thread). */
  ownThread?: boolean;
  /** The thread's script (tests: one that fails); default IMPORT_WORKER_FILE. */
  workerFile?: string;
}

export interface HistoryService extends HistoryController {
  /** Runs the import in the background unless this data folder finished one before. */
  startIfFirst(): void;
  /** The run in progress (or the last one), for tests and the CLI. */
  readonly current: Promise<ImportSummary> | null;
  stop(): Promise<void>;
}

/** Set when an import ran to its end: later starts leave new files to the live rules (and to on-demand imports). */
export const IMPORTED_KV = 'history.importCompletedAt';

/** How long stop() waits for a cancelled import thread before ending it. */
const STOP_GRACE_MS = 5_000;

export function createHistoryService(o: HistoryServiceOptions): HistoryService {
  let run: Promise<ImportSummary> | null = null;
  let abort: AbortController | null = null;
  let worker: WorkerImport | null = null;
  let last: ImportProgressMessage = { phase: 'done', filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0, elapsedMs: 0, mbPerSec: 0 };
  let stopped = false;

  const publish = (p: ImportProgress, extra: Partial<ImportProgressMessage> = {}) => {
    last = { ...p, ...extra };
    o.engine.bus.publish({ type: 'import_progress', progress: last });
  };

  function start(): ImportProgressMessage {
    if (run || stopped) return last;
    abort = new AbortController();
    const ac = abort;
    last = { phase: 'scanning', filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0, elapsedMs: 0, mbPerSec: 0 };
    run = (async () => {
      // Let the caller (engine start, a request) finish first: the import is background work.
      await new Promise<void>(r => setImmediate(r));
      const onProgress = (p: ImportProgress) => { if (p.phase !== 'done') publish(p); };
      const here = () => importHistory({
        store: o.store, log: o.log, codexHome: o.codexHome, claudeHome: o.claudeHome, skipRecentMs: o.skipRecentMs,
        isLoaded: (provider, id) => !!o.engine.findLoaded(provider, id),
        signal: ac.signal, onProgress,
      });
      const summary = o.ownThread === false ? await here() : await preferThread(ac.signal, onProgress, here);
      if (!summary.cancelled) o.store.setKv(IMPORTED_KV, new Date().toISOString());
      const { counts, cancelled, ...progress } = summary;
      publish(progress, { counts: { ...counts }, cancelled });
      return summary;
    })();
    run.catch(e => o.log('error', `history: import failed: ${(e as Error)?.stack ?? e}`)).finally(() => { run = null; abort = null; });
    return last;
  }

  /** The import on its own thread (or `here`, when it cannot run); the sessions the engine picks up meanwhile are passed on as they come. */
  async function preferThread(signal: AbortSignal, onProgress: (p: ImportProgress) => void, here: () => Promise<ImportSummary>): Promise<ImportSummary> {
    let unsubscribe = () => {};
    try {
      return await importPreferringThread({
        store: o.store, log: o.log, codexHome: o.codexHome, claudeHome: o.claudeHome, skipRecentMs: o.skipRecentMs,
        loaded: o.engine.loadedProviderKeys(), onProgress, workerFile: o.workerFile, signal,
        onStart: w => { worker = w; unsubscribe = o.engine.onProviderIdLoaded(key => w.loaded(key)); },
      }, here, "the engine's thread");
    } finally {
      unsubscribe();
      worker = null;
      // Rows the import wrote and a cancel left unindexed: the engine's store goes on indexing them.
      o.store.resumeSearchIndex();
    }
  }

  return {
    start,
    cancel() {
      if (!abort) return false;
      abort.abort();
      return true;
    },
    startIfFirst() {
      if (o.store.getKv(IMPORTED_KV)) return;
      o.log('info', 'history: first start of this data folder: importing past sessions in the background');
      start();
    },
    get current() { return run; },
    async stop() {
      stopped = true;
      abort?.abort();
      // A cancelled import stops at its next commit (one slice); a thread that does not is ended.
      const w = worker;
      const timer = w ? setTimeout(() => { void w.terminate(); }, STOP_GRACE_MS) : null;
      await run?.catch(() => undefined);
      if (timer) clearTimeout(timer);
    },
  };
}
