// Finding the files a history import reads: Codex rollouts under `<codex-home>/sessions/**` and
// `<codex-home>/archived_sessions/`, Claude Code transcripts under `<claude-home>/projects/**`
// (subagent transcripts listed apart: they only add usage to their parent session).
//
// Only regular files are listed; FIFOs, sockets and devices are counted and left alone. Symlinks are
// followed once: a directory reached twice (a loop, or two links to one place) is not walked again.
// On the engine's thread the walk is asynchronous, and yields every few hundred entries, so a tree of
// 50,000 files (or a slow mount) does not hold the event loop. On a thread of its own (the import
// thread) the same walk blocks in each call instead: a thread-pool round trip per folder and per
// stat cost ~0.1 ms each, 30–60 ms for the 418 files of 100 MB of history, against ~3 ms blocking.
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
  /**
   * The caller runs on a thread of its own (the import thread): each file-system call blocks it
   * instead of a round trip through the thread pool. A hung mount then hangs the import, not the engine.
   */
  blocking?: boolean;
}

const SUBAGENT = /[\\/]subagents[\\/]agent-[^\\/]*\.jsonl$/;
const MAX_DEPTH = 32;
/** Stats in flight at once on the thread pool: enough to keep it busy, few enough to leave it room for other work. */
const STATS_IN_FLIGHT = 32;

/** What the walk asks of the file system; `await` takes either flavour's answers. */
interface WalkFs {
  realpath(p: string): string | Promise<string>;
  list(dir: string): fs.Dirent[] | Promise<fs.Dirent[]>;
  /** fs.stat of each path (null: none wanted); the error in the place of a failed one. */
  statAll(paths: (string | null)[]): StatResult[] | Promise<StatResult[]>;
}
type StatResult = fs.Stats | NodeJS.ErrnoException | null;

const blockingFs: WalkFs = {
  realpath: p => fs.realpathSync.native(p), // as fs.promises.realpath resolves (realpath(3))
  list: dir => fs.readdirSync(dir, { withFileTypes: true }),
  statAll: paths => paths.map(p => {
    if (p === null) return null;
    try { return fs.statSync(p); } catch (e) { return e as NodeJS.ErrnoException; }
  }),
};

const asyncFs: WalkFs = {
  realpath: p => fs.promises.realpath(p),
  list: dir => fs.promises.readdir(dir, { withFileTypes: true }),
  // All at once: one stat awaited after another cost a round trip each.
  async statAll(paths) {
    const out: StatResult[] = new Array(paths.length).fill(null);
    let next = 0;
    const one = async (): Promise<void> => {
      while (next < paths.length) {
        const i = next++;
        const p = paths[i];
        if (p === null) continue;
        try { out[i] = await fs.promises.stat(p); } catch (e) { out[i] = e as NodeJS.ErrnoException; }
      }
    };
    await Promise.all(Array.from({ length: Math.min(STATS_IN_FLIGHT, paths.length) }, one));
    return out;
  },
};

export async function discoverHistoryFiles(o: DiscoverOptions): Promise<{ files: HistoryFile[]; stats: DiscoverStats }> {
  const stats: DiscoverStats = { notRegular: 0, symlinksSkipped: 0, unreadable: 0 };
  const files: HistoryFile[] = [];
  const visited = new Set<string>();
  let entries = 0;
  const fsOps = o.blocking ? blockingFs : asyncFs;

  async function walk(dir: string, depth: number, accept: (file: string) => HistoryFileKind | null): Promise<void> {
    if (o.signal?.aborted) return;
    let real: string;
    try { real = await fsOps.realpath(dir); } catch (e) { noteUnreadable(dir, e); return; }
    if (visited.has(real)) { stats.symlinksSkipped++; o.log('debug', `history: ${dir} was walked already (symlink loop or second link); skipped`); return; }
    visited.add(real);
    if (depth > MAX_DEPTH) { o.log('warn', `history: ${dir} is nested deeper than ${MAX_DEPTH} folders; not walked`); return; }
    let dirents: fs.Dirent[];
    try { dirents = await fsOps.list(dir); } catch (e) { noteUnreadable(dir, e); return; }
    // The folder's entries first, then the stats they need (all at once), taken in the folder's order.
    const listed: { full: string; kind: HistoryFileKind | null; isDir: boolean; isFile: boolean; link: boolean }[] = [];
    for (const d of dirents) {
      if (o.signal?.aborted) break;
      if (++entries % 500 === 0) await o.onEntries?.(entries);
      const full = path.join(dir, d.name);
      const link = d.isSymbolicLink();
      const isDir = d.isDirectory();
      const kind = isDir || link ? null : accept(full);
      if (isDir || link || kind) listed.push({ full, kind, isDir, isFile: d.isFile(), link });
    }
    const statted = await fsOps.statAll(listed.map(e => (e.isDir ? null : e.full)));
    const subdirs: string[] = [];
    listed.forEach((e, i) => {
      const st = statted[i];
      if (e.isDir) { subdirs.push(e.full); return; }
      if (e.link) {
        // A link is what it leads to: a folder to walk, a file to read, or nothing.
        if (!(st instanceof fs.Stats)) { stats.symlinksSkipped++; return; }
        if (st.isDirectory()) { subdirs.push(e.full); return; }
        if (!st.isFile()) { stats.notRegular++; o.log('warn', `history: ${e.full} links to something that is not a regular file; skipped`); return; }
        const kind = accept(e.full);
        if (kind) files.push({ path: e.full, kind, size: st.size, mtimeMs: st.mtimeMs });
        return;
      }
      if (!e.isFile) { stats.notRegular++; o.log('warn', `history: ${e.full} is not a regular file (FIFO, socket or device); skipped`); return; }
      if (!(st instanceof fs.Stats)) { noteUnreadable(e.full, st); return; }
      if (!st.isFile()) { stats.notRegular++; return; }
      files.push({ path: e.full, kind: e.kind!, size: st.size, mtimeMs: st.mtimeMs });
    });
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
