// Where `flightdeck serve` takes the hub token from. Never the command line if it can be helped:
// /proc/<pid>/cmdline is readable by every user of the machine. In order: --token-file (a file, its
// first line), FLIGHTDECK_TOKEN (the environment, readable only by the same user), --token (kept for
// old scripts, with a warning), else the data dir's own token file (created 0600 on first use).
import * as fs from 'node:fs';
import { isWellFormedToken } from '../engine/hub/token';
import { openRegularFile } from '../engine/platform/regularFile';

export const TOKEN_ENV = 'FLIGHTDECK_TOKEN';

export interface TokenChoice { token?: string; source: 'file' | 'env' | 'argv' | 'data-dir'; warning?: string }

export function chooseToken(o: { tokenFile?: string; tokenArg?: string; env: NodeJS.ProcessEnv }): TokenChoice {
  if (o.tokenFile) {
    const st = fs.statSync(o.tokenFile);
    if (!st.isFile()) throw new Error(`--token-file ${o.tokenFile} is not a regular file`);
    const token = readTokenLine(o.tokenFile);
    if (!isWellFormedToken(token)) throw new Error(`--token-file ${o.tokenFile}: the first line is not a token (20-200 characters of A-Z a-z 0-9 - _)`);
    const warning = (st.mode & 0o077) !== 0 ? `--token-file ${o.tokenFile} is readable by other users (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it` : undefined;
    return { token, source: 'file', warning };
  }
  const fromEnv = o.env[TOKEN_ENV];
  if (fromEnv) {
    if (!isWellFormedToken(fromEnv.trim())) throw new Error(`${TOKEN_ENV} is not a token (20-200 characters of A-Z a-z 0-9 - _)`);
    return { token: fromEnv.trim(), source: 'env' };
  }
  if (o.tokenArg !== undefined) {
    return {
      token: o.tokenArg, source: 'argv',
      warning: `--token puts the token on the command line, where every user of this machine can read it (/proc/<pid>/cmdline); use --token-file FILE or ${TOKEN_ENV} instead`,
    };
  }
  return { source: 'data-dir' };
}

/**
 * The first line of a token file (--token-file, a remote's token file), opened through
 * openRegularFile: a FIFO swapped in after the caller's stat never blocks the read.
 */
export function readTokenLine(file: string): string {
  const fd = openRegularFile(file);
  try { return fs.readFileSync(fd, 'utf8').split(/\r?\n/)[0].trim(); } finally { fs.closeSync(fd); }
}
