// Only regular files are ever opened from paths that others can create: rollouts under
// `$CODEX_HOME/sessions`, Claude transcripts, and the `transcript_path` a hook names. A FIFO named
// `*.jsonl` would block `open()` — and with it the whole engine's event loop — until a writer came;
// a symlink to a device could hang or have side effects on open. So: stat first (no open at all for
// anything that is not a regular file), open non-blocking without acquiring a terminal, and check
// the opened descriptor again (the path may have been swapped between the stat and the open).
import * as fs from 'node:fs';

export class NotRegularFileError extends Error {
  readonly code = 'ENOTREG';
  constructor(readonly file: string, readonly kind: string) {
    super(`${file} is ${kind}, not a regular file; skipped`);
    this.name = 'NotRegularFileError';
  }
}

const FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOCTTY ?? 0);

/**
 * Opens `file` for reading if it is (or, unless `followLinks` is false, a symlink points at) a regular
 * file; throws ENOENT as fs does. Without following links a symlink is refused (ELOOP from the open).
 */
export function openRegularFile(file: string, o: { followLinks?: boolean } = {}): number {
  const follow = o.followLinks ?? true;
  const before = follow ? fs.statSync(file) : fs.lstatSync(file);
  if (!before.isFile()) throw new NotRegularFileError(file, before.isSymbolicLink() ? 'a symlink' : kindOf(before));
  const fd = fs.openSync(file, follow ? FLAGS : FLAGS | (fs.constants.O_NOFOLLOW ?? 0));
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.ino !== before.ino || st.dev !== before.dev) throw new NotRegularFileError(file, st.isFile() ? 'a file that was just replaced' : kindOf(st));
    return fd;
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

/** Whether `file` is a regular file now (following symlinks); false when it is missing. */
export function isRegularFile(file: string): boolean {
  try { return fs.statSync(file).isFile(); } catch { return false; }
}

function kindOf(st: fs.Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a directory';
  return 'not a regular file';
}
