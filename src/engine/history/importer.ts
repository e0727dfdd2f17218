// The history import (SPEC §11): every Codex rollout and Claude transcript on the machine that the
// live rules did not pick up becomes a past session (ended, reason `history` / `archived`).
//
// - Each file is read from its stored offset (the `sources` table the live watchers use too), so a
//   file already read is not read again and a grown one only for its new bytes.
// - Items, the session and the offset they reach are committed in one store batch: after a crash the
//   import goes on from the last commit and gives the same items.
// - The work is cut into slices; between slices the import yields to the event loop, so the hub,
//   /health and live sessions keep their latency while it runs.
// - Bad files (unreadable, vanishing, shrinking, invalid lines, huge lines, non-regular) are logged
//   and counted; the import goes on.
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Provider } from '../protocol';
import { TAIL_DEFAULTS, type TailPosition, readAppendedLazily } from '../platform/jsonlTail';
import { type ThreadName, readSessionIndex } from '../codex/rollout/sessionIndex';
import { END_REASONS } from '../sessions/lifecycle';
import type { LogFn } from '../platform/log';
import type { SourceOffset } from '../store/types';
import { ClaudeHistoryFile } from './claudeFile';
import { CodexHistoryFile } from './codexFile';
import { type HistoryFile, discoverHistoryFiles } from './discover';
import { IMPORT_DEFAULTS, nextIndexRows, walCheckpointer } from './importPacing';
import { type FileContext, FatalImportError, type HistoryFileReader, type ImportCounts, type ImportStore, type LineOutcome, emptyCounts } from './fileReader';

export interface ImportProgress {
  phase: 'scanning' | 'importing' | 'done';
  filesDone: number;
  filesTotal: number;
  /** Bytes read so far / bytes left to read when the scan ended (files already read count only their new bytes). */
  bytesDone: number;
  bytesTotal: number;
  elapsedMs: number;
  /** Throughput so far, in MB (10^6 bytes) per second. */
  mbPerSec: number;
}

export interface ImportSummary extends ImportProgress {
  counts: ImportCounts;
  cancelled: boolean;
}

export interface HistoryImportOptions {
  store: ImportStore;
  log: LogFn;
  codexHome?: string | null;
  claudeHome?: string | null;
  /** Sessions the engine holds in memory are live: their files are left to the live rules. */
  isLoaded?(provider: Provider, providerSessionId: string): boolean;
  /** Codex rollouts modified within this window are left to the live watcher, which seeds them (0: none). */
  skipRecentMs?: number;
  now?: () => number;
  signal?: AbortSignal;
  onProgress?(p: ImportProgress): void;
  /** How often progress is reported (ms). */
  progressEveryMs?: number;
  /** Synchronous work between two yields to the event loop (ms). */
  sliceMs?: number;
  /** Items held before a commit (a file's end always commits). */
  commitItems?: number;
  maxLineBytes?: number;
  /**
   * Checkpoint the WAL by itself, every checkpointEveryMs between slices, instead of at its commits
   * (an import on its own thread: a checkpoint there waits for nobody and nobody waits for it). On the
   * engine's thread the commits checkpoint as usual, a few MB at a time, not seconds' worth at once.
   */
  ownCheckpoints?: boolean;
  /** This import has a thread of its own: finding the files may block it (discover.ts). */
  blockingFs?: boolean;
  /**
   * Another thread writes what this one maps (importPipe.ts; `store` is then its view): the import
   * waits between slices while that thread is too far behind, and for all of it before its summary.
   */
  writeBehind?: WriteBehind;
}

export interface WriteBehind {
  /** Null while the writer keeps up; else resolves when it has caught up enough. */
  room(): Promise<void> | null;
  /** Resolves once everything sent is written (or reported not stored), with the files it could not store. */
  drain(): Promise<{ notStored: number }>;
  /** The file whose units come next. */
  file(path: string): void;
}

export { IMPORT_DEFAULTS, nextIndexRows };

/** Thrown inside Store.atomic to roll a slice back (the file went live, or is not ours). */
const ROLLBACK = new Error('history import: slice rolled back');


export async function importHistory(o: HistoryImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const now = o.now ?? Date.now;
  const counts = emptyCounts();
  const sliceMs = o.sliceMs ?? IMPORT_DEFAULTS.sliceMs;
  const commitItems = o.commitItems ?? IMPORT_DEFAULTS.commitItems;
  const maxLineBytes = o.maxLineBytes ?? TAIL_DEFAULTS.maxLineBytes;
  const isLoaded = o.isLoaded ?? (() => false);
  const progress: ImportProgress = { phase: 'scanning', filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0, elapsedMs: 0, mbPerSec: 0 };
  let lastYield = performance.now();
  let lastReport = 0;

  const report = (force = false) => {
    const t = performance.now();
    if (!force && t - lastReport < (o.progressEveryMs ?? IMPORT_DEFAULTS.progressEveryMs)) return;
    lastReport = t;
    progress.elapsedMs = Math.round(t - started);
    progress.mbPerSec = progress.elapsedMs > 0 ? Math.round((progress.bytesDone / 1e6) / (progress.elapsedMs / 1000) * 10) / 10 : 0;
    o.onProgress?.({ ...progress });
  };
  // Small files between two yields share one transaction (Store.beginGroup), each of their slices a
  // savepoint in it: a folder of many small transcripts costs one commit per slice of time, not one
  // per file (5,000 files of 2.5 KB: 3.6 → 2.5 s). Bigger files commit per slice as before: a savepoint
  // journals every page it touches, which made their import slower, and they commit rarely anyway.
  let grouped = false;
  const inGroup = <T>(fn: () => T): T => {
    if (!grouped) { o.store.beginGroup(); grouped = true; }
    return o.store.atomic(fn);
  };
  const alone = <T>(fn: () => T): T => {
    endGroup();
    return o.store.atomic(fn);
  };
  const endGroup = () => {
    if (!grouped) return;
    grouped = false;
    o.store.commitGroup();
  };
  const checkpoints = walCheckpointer(o.store, message => o.log('warn', message));
  /** Lets timers, sockets and file events run when this slice has used its time. */
  const maybeYield = async () => {
    const room = o.writeBehind?.room();
    if (room) { endGroup(); await room; }
    if (performance.now() - lastYield < sliceMs) return;
    endGroup();
    if (o.ownCheckpoints) checkpoints.due();
    await new Promise<void>(r => setImmediate(r));
    lastYield = performance.now();
    report();
  };

  const { files, stats } = await discoverHistoryFiles({
    codexHome: o.codexHome, claudeHome: o.claudeHome, log: o.log, signal: o.signal, onEntries: maybeYield, blocking: o.blockingFs,
  });
  counts.notRegular += stats.notRegular;
  counts.symlinksSkipped += stats.symlinksSkipped;
  counts.unreadable += stats.unreadable;

  const offsets = new Map<string, SourceOffset>();
  for (const off of o.store.listOffsets()) offsets.set(off.path, off);
  const names = o.codexHome ? readNames(o.codexHome, o.log) : new Map<string, ThreadName>();
  const recentSince = o.skipRecentMs ? now() - o.skipRecentMs : Infinity;

  const todo: HistoryFile[] = [];
  for (const f of files) {
    const known = offsets.get(f.path);
    if (known && known.offset === f.size) { counts.unchanged++; continue; }
    if ((f.kind === 'codex') && f.mtimeMs >= recentSince) { counts.recentSkipped++; continue; }
    todo.push(f);
    progress.bytesTotal += known && known.offset < f.size ? f.size - known.offset : f.size;
  }
  progress.phase = 'importing';
  progress.filesTotal = todo.length;
  o.log('info', `history: ${files.length} file(s) found, ${todo.length} to read (${(progress.bytesTotal / 1e6).toFixed(1)} MB), ${counts.unchanged} unchanged`);
  report(true);

  // The items are indexed for search in batches between files, not one trigger per row (see
  // Store.beginBulkWrite): the index lags at most `indexEvery` items behind, and catches up at the end.
  o.store.beginBulkWrite();
  const resumeCheckpoints = o.ownCheckpoints ? o.store.pauseAutoCheckpoint() : () => {};
  let indexRows = 2_000;
  let itemsIndexed = 0;
  const catchUpIndex = async () => {
    for (;;) {
      const t0 = performance.now();
      const more = alone(() => o.store.fillSearchIndex(indexRows));
      // Each slice about sliceMs long, so live sessions keep their latency. Only a full batch says
      // what indexRows rows cost: the last one of a catch-up holds the few rows left and is cheap, and
      // scaling on it (×4) made the next catch-up's first slice run 40–90 ms (live-delta p99 spikes).
      // Growth is gentle for the same reason: the cost per row varies with the items' text.
      if (!more) break;
      indexRows = nextIndexRows(indexRows, performance.now() - t0, sliceMs);
      await maybeYield();
    }
    itemsIndexed = counts.items;
  };
  try {
    for (const f of todo) {
      if (o.signal?.aborted) break;
      try {
        await importFile(f);
      } catch (e) {
        if (e instanceof FatalImportError) throw e;
        counts.unreadable++;
        o.log('warn', `history: ${f.path} could not be read: ${(e as Error)?.message ?? e}`);
      }
      progress.filesDone++;
      counts.files++;
      if (counts.items - itemsIndexed >= IMPORT_DEFAULTS.indexEvery) await catchUpIndex();
      await maybeYield();
    }
    await catchUpIndex();
    endGroup();
    if (o.writeBehind) counts.notStored += (await o.writeBehind.drain()).notStored;
  } finally {
    // Left open only when something threw: commit what the group holds, keep the first error.
    try { endGroup(); } catch (e) { o.log('warn', `history: the last commit failed: ${(e as Error).message}`); }
    o.store.endBulkWrite();
    resumeCheckpoints();
    if (o.ownCheckpoints) checkpoints.now();
  }

  progress.phase = 'done';
  report(true);
  const summary: ImportSummary = { ...progress, counts, cancelled: !!o.signal?.aborted };
  o.log('info', `history: import ${summary.cancelled ? 'cancelled' : 'done'}: ${describeSummary(summary)}`);
  return summary;

  async function importFile(f: HistoryFile): Promise<void> {
    o.writeBehind?.file(f.path);
    const known = offsets.get(f.path);
    const ctx: FileContext = { path: f.path, store: o.store, stats: counts, isLoaded, fileTimeMs: Math.floor(f.mtimeMs) };
    const reason = f.kind === 'codexArchived' ? END_REASONS.archived : END_REASONS.history;
    const reader: HistoryFileReader = f.kind === 'codex' || f.kind === 'codexArchived'
      ? new CodexHistoryFile({ ...ctx, names, reason })
      : new ClaudeHistoryFile(ctx, known);
    const budgetBefore = progress.bytesDone;
    const fileBudget = known && known.offset < f.size ? f.size - known.offset : f.size;
    const small = fileBudget <= IMPORT_DEFAULTS.groupFileBytes;
    let pos: TailPosition = { offset: known && known.offset <= f.size ? known.offset : 0 };
    if (known && known.offset > 0 && known.offset <= f.size) {
      const r = reader.resume(known);
      if (r !== 'ok') { note(r, f.path); return; }
    }
    for (;;) {
      const r = readAppendedLazily(f.path, pos, { maxLineBytes, maxBytesPerCall: IMPORT_DEFAULTS.readBytes });
      if (r.missing) { counts.vanished++; o.log('warn', `history: ${f.path} vanished while being imported; what was read stays`); return; }
      if (r.restarted) {
        counts.shrank++;
        o.log('warn', `history: ${f.path} shrank or was replaced; reading it again from the start`);
        reader.restart();
      }
      for (const x of r.oversized) o.log('warn', `history: skipped a ${x.bytes}-byte line at ${f.path}:${x.offset} (over the ${maxLineBytes}-byte cap)`);
      counts.oversizedLines += r.oversized.length;
      if (r.invalidUtf8) { counts.invalidUtf8 += r.invalidUtf8; o.log('warn', `history: ${r.invalidUtf8} line(s) of ${f.path} were not valid UTF-8 (read with replacement characters)`); }
      // Slices of lines, each applied and committed with the offset after it in one transaction
      // (Store.atomic: its token usage records too); the event loop runs between slices.
      let i = 0;
      do {
        const sliceStart = performance.now();
        let stop: LineOutcome | null = null;
        let largeBytes = 0;
        try {
          (small ? inGroup : alone)(() => {
            for (; i < r.lines.length;) {
              const line = i++;
              counts.lines++;
              const out = reader.line(r.lines.text(line, reader.lineDecoder), r.lines.offset(line));
              if (out !== 'ok') { stop = out; throw ROLLBACK; }
              const bytes = r.lines.end(line) - r.lines.offset(line);
              if (bytes >= IMPORT_DEFAULTS.largeLineBytes) largeBytes += bytes;
              if ((reader.target?.pendingItems ?? 0) >= commitItems || largeBytes >= IMPORT_DEFAULTS.sliceLargeBytes || performance.now() - sliceStart >= sliceMs) break;
            }
            const end = i >= r.lines.length ? r.offset : r.lines.end(i - 1);
            if (!commit(reader, f.path, end, reason)) { stop = 'live'; throw ROLLBACK; }
            progress.bytesDone = budgetBefore + Math.min(fileBudget, Math.max(0, end - (known?.offset ?? 0)));
          });
        } catch (e) {
          if (e !== ROLLBACK) throw e;
        }
        if (stop) { note(stop, f.path); return; }
        // Cancelled: stop at a commit; the next import goes on from here.
        if (o.signal?.aborted) return;
        await maybeYield();
      } while (i < r.lines.length);
      pos = { offset: r.offset, carry: r.carry };
      if (!r.more) break;
    }
    if (pos.carry?.pending.length || (pos.carry && pos.carry.scanFrom > pos.offset)) {
      counts.partialLastLines++;
      o.log('info', `history: ${f.path} ends in an unfinished line; it is read when its newline arrives`);
    }
    if (reader.target?.created) counts.sessionsCreated++;
    progress.bytesDone = budgetBefore + fileBudget;
  }

  /** Commits items, session and offset together; false when the session went live meanwhile. */
  function commit(reader: HistoryFileReader, path: string, offset: number, reason: string): boolean {
    const t = reader.target;
    if (t && reader.providerSessionId && isLoaded(t.session.provider, reader.providerSessionId)) {
      // A live rule picked the session up while this file was read: what is not committed is the live reader's.
      counts.live++;
      return false;
    }
    const { messages, patches } = t ? t.take() : { messages: [], patches: [] };
    counts.items += messages.length;
    const off: SourceOffset = { path, sessionId: t?.id ?? null, providerSessionId: reader.providerSessionId, offset, state: reader.checkpointState() };
    o.store.saveImportBatch({
      sessions: t ? [t.finalized(reason)] : [], messages, patches, offsets: [off], kv: reader.checkpointKv?.() ?? [],
    });
    offsets.set(path, off);
    return true;
  }

  function note(outcome: LineOutcome, path: string): void {
    if (outcome === 'live') counts.live++;
    else if (outcome === 'excluded') counts.excluded++;
    else if (outcome === 'orphan') { counts.orphans++; o.log('info', `history: ${path}: subagent transcript of an unknown session; skipped`); }
  }
}

function readNames(codexHome: string, log: LogFn): Map<string, ThreadName> {
  const file = `${codexHome.replace(/[\\/]+$/, '')}/session_index.jsonl`;
  try {
    if (!fs.existsSync(file)) return new Map();
    const r = readSessionIndex(file);
    if (r.invalidLines) log('warn', `history: skipped ${r.invalidLines} bad line(s) in ${file}`);
    return r.names;
  } catch (e) {
    log('warn', `history: cannot read ${file}: ${(e as Error).message}`);
    return new Map();
  }
}

/** One line for logs and the CLI. */
export function describeSummary(s: ImportSummary): string {
  const c = s.counts;
  const odd = Object.entries(c)
    .filter(([k, v]) => v > 0 && !['files', 'unchanged', 'sessionsCreated', 'items', 'lines'].includes(k))
    .map(([k, v]) => `${k} ${v}`);
  return `${s.filesDone}/${s.filesTotal} file(s), ${(s.bytesDone / 1e6).toFixed(1)} MB in ${(s.elapsedMs / 1000).toFixed(1)} s ` +
    `(${s.mbPerSec} MB/s), ${c.sessionsCreated} new session(s), ${c.items} item(s), ${c.unchanged} unchanged file(s)` +
    (odd.length ? `; ${odd.join(', ')}` : '');
}
