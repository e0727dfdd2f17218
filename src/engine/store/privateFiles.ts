// The data directory holds every transcript (and whatever secret an agent printed): it is the
// user's alone, whatever the options and the umask. New folders are made 0700; an existing one that
// is looser (an older version, a hand-made folder) is tightened, or, when it is not ours to change
// (the home folder itself, another owner), a warning says so. The database and its WAL/SHM are
// 0600: the empty database file is created 0600 before SQLite opens it, because SQLite gives the
// WAL and SHM files the mode of the database file.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import type { LogFn } from '../platform/log';

const POSIX = process.platform !== 'win32';

export function ensurePrivateDir(dir: string, log: LogFn): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!POSIX) return;
  const st = fs.statSync(dir);
  if ((st.mode & 0o077) === 0) return;
  const mine = typeof process.getuid === 'function' && st.uid === process.getuid();
  const shared = path.resolve(dir) === path.resolve(os.homedir()) || path.dirname(path.resolve(dir)) === path.resolve(dir);
  if (mine && !shared) {
    fs.chmodSync(dir, 0o700);
    log('warn', `store: ${dir} was readable by other users (mode ${(st.mode & 0o777).toString(8)}); set to 0700`);
  } else {
    log('warn', `store: ${dir} is readable by other users (mode ${(st.mode & 0o777).toString(8)}); Flightdeck's files in it are 0600, but choose a private folder (chmod 700)`);
  }
}

/** Before SQLite opens `file`: create it empty with 0600 when missing; tighten it when looser. */
export function preparePrivateDb(file: string): void {
  if (!POSIX) return;
  fs.closeSync(fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW, 0o600));
  tighten(file);
}

/** After open (WAL on): the database, -wal and -shm files are 0600. */
export function tightenDbFiles(file: string): void {
  if (!POSIX) return;
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) tighten(f);
}

function tighten(f: string): void {
  try {
    const st = fs.lstatSync(f);
    if (st.isFile() && (st.mode & 0o077) !== 0) fs.chmodSync(f, 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}
