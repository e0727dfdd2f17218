// `flightdeck import`: the history import (SPEC §11) from the command line, with a progress line and
// a summary. When an engine already runs on the same data folder it is asked to import (one writer
// per database); otherwise the import runs here, on a thread of its own as in the engine, and can be
// stopped (Ctrl-C, or a kill) and run again: it goes on from where it stopped.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultClaudeHome, defaultCodexHome } from '../engine/platform/agentHomes';
import { type ImportProgress, describeSummary, importHistory } from '../engine/history/importer';
import { importPreferringThread } from '../engine/history/workerImport';
import { defaultLeaderDir, socketPathFor } from '../engine/leader/election';
import { systemClock } from '../engine/platform/clock';
import type { LogFn } from '../engine/platform/log';
import { DB_FILE } from '../engine/store/dbFile';
import { openStore } from '../engine/store/sqliteStore';
import { defaultDataDir } from './dataDir';
import { scavengeOnOwnThreads } from './gcThreads';
import { USAGE } from './help';
import { isLogLevel, stderrLog } from './log';

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

/** `flightdeck import [options]`: the options checked, then runImport with Ctrl-C stopping it at its next commit. */
export async function importCommand(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        'data-dir': { type: 'string' },
        'codex-home': { type: 'string' },
        'claude-home': { type: 'string' },
        'log-level': { type: 'string', default: 'warn' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    process.stderr.write(`flightdeck: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) { process.stdout.write(`${USAGE}\n`); return 0; }
  const level = values['log-level'];
  if (!isLogLevel(level)) {
    process.stderr.write(`flightdeck: --log-level must be debug, info, warn or error\n`);
    return 2;
  }
  const log = stderrLog(level);
  if (scavengeOnOwnThreads()) log('info', `import: young-generation garbage collected on the thread that made it (${os.availableParallelism()} processors)`);
  const ac = new AbortController();
  const onSignal = () => { process.stderr.write('\nflightdeck: stopping the import at its next commit\n'); ac.abort(); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return runImport({
    dataDir: values['data-dir'] ?? defaultDataDir(), codexHome: values['codex-home'], claudeHome: values['claude-home'],
    log, progress: process.stderr, out: process.stdout, signal: ac.signal,
  });
}

export async function runImport(o: ImportCliOptions): Promise<number> {
  const dataDir = path.resolve(o.dataDir);
  const leaderDir = o.leaderDir ?? defaultLeaderDir();
  const show = progressPrinter(o.progress);
  if (leaderOwns(leaderDir, dataDir)) {
    o.log('info', `import: the Flightdeck engine running on ${dataDir} does the import`);
    // Loaded only here: the protocol client and its schemas are most of a bundle this command rarely needs.
    const { importViaEngine } = require('./importViaEngine') as typeof import('./importViaEngine');
    if (await importViaEngine(socketPathFor(leaderDir), show, o.out, o.signal)) return 0;
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
