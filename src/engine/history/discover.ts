// Finding the files a history import reads: Codex rollouts under `<codex-home>/sessions/**` and
// `<codex-home>/archived_sessions/`, Claude Code transcripts under `<claude-home>/projects/**`
// (subagent transcripts listed apart: they only add usage to their parent session).
//
// The walk is asynchronous (opendir), so a tree of 50,000 files does not hold the event loop. Only
// regular files are listed; FIFOs, sockets and devices are counted and left alone. Symlinks are
// followed once: a directory reached twice (a loop, or two links to one place) is not walked again.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isRolloutFile } from '../codex/rollout/rolloutFiles';
import type { LogFn } from '../platform/log';

export type HistoryFileKind = 'codex' | 'codexArchived' | 'claude' | 'claudeSubagent';

export interface HistoryFile { path: string; kind: HistoryFileKind; size: number; mtimeMs: number }

export interface DiscoverStats {
  /** Entries that are not regular files or directories (FIFOs, sockets, devices). */
  notRegular: number;
  /** Symlinks to places already walked (loops) or that lead nowhere. */
  symlinksSkipped: number;
  /** Folders or files that could not be listed or stat'ed (permissions, I/O). */
  unreadable: number;
}

export interface DiscoverOptions {
  codexHome?: string | null;
  claudeHome?: string | null;
  log: LogFn;
  /** Checked between entries: an aborted walk returns what it found so far. */
  signal?: AbortSignal;
  /** Called every few hundred entries so the caller can yield and report. */
  onEntries?(count: number): Promise<void> | void;
}

const SUBAGENT = /[\\/]subagents[\\/]agent-[^\\/]*\.jsonl$/;
const MAX_DEPTH = 32;

export async function discoverHistoryFiles(o: DiscoverOptions): Promise<{ files: HistoryFile[]; stats: DiscoverStats }> {
  const stats: DiscoverStats = { notRegular: 0, symlinksSkipped: 0, unreadable: 0 };
  const files: HistoryFile[] = [];
  const visited = new Set<string>();
  let entries = 0;

  async function walk(dir: string, depth: number, accept: (file: string) => HistoryFileKind | null): Promise<void> {
    if (o.signal?.aborted) return;
    let real: string;
    try { real = await fs.promises.realpath(dir); } catch (e) { noteUnreadable(dir, e); return; }
    if (visited.has(real)) { stats.symlinksSkipped++; o.log('debug', `history: ${dir} was walked already (symlink loop or second link); skipped`); return; }
    visited.add(real);
    if (depth > MAX_DEPTH) { o.log('warn', `history: ${dir} is nested deeper than ${MAX_DEPTH} folders; not walked`); return; }
    let handle: fs.Dir;
    try { handle = await fs.promises.opendir(dir); } catch (e) { noteUnreadable(dir, e); return; }
    const subdirs: string[] = [];
    try {
      for await (const d of handle) {
        if (o.signal?.aborted) break;
        if (++entries % 500 === 0) await o.onEntries?.(entries);
        const full = path.join(dir, d.name);
        let isDir = d.isDirectory();
        let isFile = d.isFile();
        if (d.isSymbolicLink()) {
          let st: fs.Stats;
          try { st = await fs.promises.stat(full); } catch { stats.symlinksSkipped++; continue; }
          isDir = st.isDirectory();
          isFile = st.isFile();
          if (!isDir && !isFile) { stats.notRegular++; o.log('warn', `history: ${full} links to something that is not a regular file; skipped`); continue; }
        }
        if (isDir) { subdirs.push(full); continue; }
        const kind = accept(full);
        if (!kind) continue;
        if (!isFile) { stats.notRegular++; o.log('warn', `history: ${full} is not a regular file (FIFO, socket or device); skipped`); continue; }
        try {
          const st = await fs.promises.stat(full);
          if (!st.isFile()) { stats.notRegular++; continue; }
          files.push({ path: full, kind, size: st.size, mtimeMs: st.mtimeMs });
        } catch (e) {
          noteUnreadable(full, e);
        }
      }
    } catch (e) {
      noteUnreadable(dir, e);
    }
    for (const sub of subdirs) await walk(sub, depth + 1, accept);
  }

  function noteUnreadable(p: string, e: unknown): void {
    const code = (e as NodeJS.ErrnoException)?.code;
    if (code === 'ENOENT') return; // gone meanwhile, or never there
    stats.unreadable++;
    o.log('warn', `history: cannot read ${p}: ${(e as Error)?.message ?? e}`);
  }

  const codexHome = o.codexHome ? path.resolve(o.codexHome) : null;
  const claudeHome = o.claudeHome ? path.resolve(o.claudeHome) : null;
  if (codexHome) {
    await walk(path.join(codexHome, 'sessions'), 0, f => (isRolloutFile(f) ? 'codex' : null));
    await walk(path.join(codexHome, 'archived_sessions'), 0, f => (isRolloutFile(f) ? 'codexArchived' : null));
  }
  if (claudeHome) {
    await walk(path.join(claudeHome, 'projects'), 0, f => (!f.endsWith('.jsonl') ? null : SUBAGENT.test(f) ? 'claudeSubagent' : 'claude'));
  }
  // Parents before their subagents; within a kind, oldest first (a session's files in the order written).
  const rank: Record<HistoryFileKind, number> = { codex: 0, codexArchived: 1, claude: 2, claudeSubagent: 3 };
  files.sort((a, b) => rank[a.kind] - rank[b.kind] || a.mtimeMs - b.mtimeMs || a.path.localeCompare(b.path));
  return { files, stats };
}
