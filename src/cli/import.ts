// `flightdeck import`: the history import (SPEC §11) from the command line, with a progress line and
// a summary. When an engine already runs on the same data folder it is asked to import (one writer
// per database); otherwise the import runs here, on a thread of its own as in the engine, and can be
// stopped (Ctrl-C, or a kill) and run again: it goes on from where it stopped.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultCodexHome } from '../engine/codex/rollout/watcher';
import { defaultClaudeHome } from '../engine/claude/installer';
import { type ImportProgress, type ImportSummary, describeSummary, importHistory } from '../engine/history/importer';
import { importPreferringThread } from '../engine/history/workerImport';
import { defaultLeaderDir, socketPathFor } from '../engine/leader/election';
import { connectFollower } from '../engine/leader/socketTransport';
import { ProtocolClient } from '../engine/protocol/client';
import type { ImportProgressMessage } from '../engine/protocol/messages';
import { systemClock } from '../engine/platform/clock';
import type { LogFn } from '../engine/platform/log';
import { DB_FILE } from '../engine/services';
import { openStore } from '../engine/store/sqliteStore';

export interface ImportCliOptions {
  dataDir: string;
  codexHome?: string;
  claudeHome?: string;
  log: LogFn;
  /** Progress lines go here (stderr); the summary goes to stdout. */
  progress: NodeJS.WritableStream & { isTTY?: boolean };
  out: NodeJS.WritableStream;
  signal?: AbortSignal;
  leaderDir?: string;
}

export async function runImport(o: ImportCliOptions): Promise<number> {
  const dataDir = path.resolve(o.dataDir);
  const leaderDir = o.leaderDir ?? defaultLeaderDir();
  const show = progressPrinter(o.progress);
  if (leaderOwns(leaderDir, dataDir)) {
    o.log('info', `import: the Flightdeck engine running on ${dataDir} does the import`);
    const p = await viaLeader(socketPathFor(leaderDir), show, o.signal);
    if (p) { o.out.write(`flightdeck: import ${p.cancelled ? 'cancelled' : 'done'}: ${describeProgress(p)}\n`); return 0; }
    o.log('warn', 'import: the running engine did not answer; importing here');
  }
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const store = openStore({ file: path.join(dataDir, DB_FILE), clock: systemClock, log: o.log });
  try {
    const homes = { codexHome: o.codexHome ?? defaultCodexHome(), claudeHome: o.claudeHome ?? defaultClaudeHome() };
    const here = () => importHistory({ store, log: o.log, ...homes, signal: o.signal, onProgress: show });
    // The engine's way (history/workerImport.ts): the thread's heap is bounded, so this process's
    // memory stays small however much history there is.
    const summary = await importPreferringThread({ store, log: o.log, ...homes, skipRecentMs: 0, loaded: [], onProgress: show, signal: o.signal }, here, 'the main thread');
    o.out.write(`flightdeck: import ${summary.cancelled ? 'cancelled' : 'done'}: ${describeSummary(summary)}\n`);
    return 0;
  } finally {
    store.close();
  }
}

/** Whether a live engine leads with this data folder (leader.json names it and its process runs). */
function leaderOwns(leaderDir: string, dataDir: string): boolean {
  try {
    const info = JSON.parse(fs.readFileSync(path.join(leaderDir, 'leader.json'), 'utf8')) as { pid?: number; dataDir?: string };
    if (!info.dataDir || path.resolve(info.dataDir) !== dataDir || !info.pid) return false;
    process.kill(info.pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function viaLeader(socketPath: string, show: (p: ImportProgress) => void, signal?: AbortSignal): Promise<ImportProgressMessage | null> {
  let client: ProtocolClient;
  try { client = new ProtocolClient(await connectFollower(socketPath), `import${process.pid}-`); } catch { return null; }
  try {
    const done = new Promise<ImportProgressMessage>((resolve, reject) => {
      client.on(m => {
        if (m.type !== 'import_progress') return;
        show(m.progress);
        if (m.progress.phase === 'done') resolve(m.progress);
      });
      client.onClose(reason => reject(new Error(reason)));
    });
    signal?.addEventListener('abort', () => { void client.request({ type: 'cancel_import' }).catch(() => undefined); });
    await client.request({ type: 'import_history' });
    return await done;
  } catch {
    return null;
  } finally {
    client.close();
  }
}

/** One progress line: rewritten in place on a terminal, at most one a second otherwise. */
function progressPrinter(stream: NodeJS.WritableStream & { isTTY?: boolean }): (p: ImportProgress) => void {
  let lastAt = 0;
  return p => {
    const now = Date.now();
    if (!stream.isTTY && p.phase !== 'done' && now - lastAt < 1000) return;
    lastAt = now;
    const line = `import: ${p.phase} ${p.filesDone}/${p.filesTotal} files, ${(p.bytesDone / 1e6).toFixed(1)}/${(p.bytesTotal / 1e6).toFixed(1)} MB, ${p.mbPerSec} MB/s`;
    stream.write(stream.isTTY ? `\r${line}\x1b[K${p.phase === 'done' ? '\n' : ''}` : `${line}\n`);
  };
}

function describeProgress(p: ImportProgressMessage): string {
  const counts = p.counts ?? {};
  return describeSummary({ ...p, counts: counts as unknown as ImportSummary['counts'], cancelled: !!p.cancelled });
}
