// The hub's bearer token. In VS Code it lives in SecretStorage (wired by the extension); headless it
// is a file readable only by the user (mode 0600) in the data directory.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const TOKEN_FILE = 'token';

/**
 * 32 random bytes, base64url: only RFC 7230 token characters, so it also fits in a subprotocol.
 * Never starting with '-': such a token given as `--token <token>` reads as an option (Node's
 * parseArgs refuses it as ambiguous; one in 64 tokens did, and a CI run failed on it).
 */
export function generateToken(): string {
  for (;;) {
    const token = randomBytes(32).toString('base64url');
    if (!token.startsWith('-')) return token;
  }
}

/** A valid token: what generateToken makes (and what a browser can carry as `bearer.<token>`). */
export function isWellFormedToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{20,200}$/.test(token);
}

export function tokenPath(dataDir: string): string {
  return path.join(dataDir, TOKEN_FILE);
}

/** Reads `<dataDir>/token`, creating it (mode 0600) when missing or unusable. */
export function loadOrCreateToken(dataDir: string): string {
  const file = tokenPath(dataDir);
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    if (isWellFormedToken(existing)) {
      // A file created by hand or by an older version may be too open: tighten it.
      if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
      return existing;
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  return rotateToken(dataDir);
}

/** Writes a fresh token to `<dataDir>/token` (mode 0600) and returns it. The old one stops working
 *  once the running hub is told (HubHandle.setToken). */
export function rotateToken(dataDir: string): string {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const token = generateToken();
  const file = tokenPath(dataDir);
  // Write to a private temp file and rename, so the token is never briefly world-readable or half-written.
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, token + '\n', { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
  return token;
}
