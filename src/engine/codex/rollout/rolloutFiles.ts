// Finding rollout files on disk: `$CODEX_HOME/sessions/YYYY/MM/DD/rollout-<stamp>-<thread id>.jsonl`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openRegularFile } from '../../platform/regularFile';

const ROLLOUT_NAME = /^rollout-.*\.jsonl$/;
const UUID_AT_END = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$/i;

export function isRolloutFile(file: string): boolean {
  return ROLLOUT_NAME.test(path.basename(file));
}

/** The thread id in the file name; only a fallback: the session_meta line inside is authoritative. */
export function threadIdFromFileName(file: string): string | null {
  return UUID_AT_END.exec(path.basename(file))?.[1].toLowerCase() ?? null;
}

export interface RolloutFileInfo { path: string; mtimeMs: number; size: number }

/** Every rollout file under dir (recursively), with its mtime; a missing dir gives none. */
export function listRolloutFiles(dir: string): RolloutFileInfo[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: RolloutFileInfo[] = [];
  for (const name of names) {
    if (!isRolloutFile(name)) continue;
    const full = path.join(dir, name);
    try {
      const st = fs.statSync(full);
      if (st.isFile()) out.push({ path: full, mtimeMs: st.mtimeMs, size: st.size });
    } catch {
      // Deleted between the listing and the stat: nothing to watch.
    }
  }
  return out;
}

/**
 * The same listing without holding the event loop (10,000 files: a few hundred ms of stat calls):
 * the directory walk and the stats run on libuv's thread pool, a bounded number at a time.
 */
export async function listRolloutFilesAsync(dir: string, concurrency = 64): Promise<RolloutFileInfo[]> {
  let names: string[];
  try {
    names = await fs.promises.readdir(dir, { recursive: true, encoding: 'utf8' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const paths = names.filter(isRolloutFile).map(name => path.join(dir, name));
  const out: RolloutFileInfo[] = [];
  for (let i = 0; i < paths.length; i += concurrency) {
    const batch = await Promise.all(paths.slice(i, i + concurrency).map(p => fs.promises.stat(p).then(
      st => (st.isFile() ? { path: p, mtimeMs: st.mtimeMs, size: st.size } : null),
      () => null, // deleted between the listing and the stat
    )));
    for (const f of batch) if (f) out.push(f);
  }
  return out;
}

/**
 * The first line of a file (the session_meta of a rollout, ~25 KB in 0.169), read in chunks up to
 * maxBytes; null when the file is missing or has no complete first line within the limit.
 */
export function readFirstLine(file: string, maxBytes = 4 * 1024 * 1024): string | null {
  let fd: number;
  try { fd = openRegularFile(file); } catch { return null; }
  try {
    const chunks: Buffer[] = [];
    const buf = Buffer.allocUnsafe(64 * 1024);
    let pos = 0;
    while (pos < maxBytes) {
      const n = fs.readSync(fd, buf, 0, buf.length, pos);
      if (n <= 0) return null;
      const nl = buf.subarray(0, n).indexOf(0x0a);
      if (nl >= 0) {
        chunks.push(Buffer.from(buf.subarray(0, nl)));
        return Buffer.concat(chunks).toString('utf8');
      }
      chunks.push(Buffer.from(buf.subarray(0, n)));
      pos += n;
    }
    return null;
  } finally {
    fs.closeSync(fd);
  }
}
