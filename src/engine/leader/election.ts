// One engine per machine and user (SPEC §6): the process that binds the leader socket owns the
// database, watchers, hook endpoint and hub port; the others attach to it as protocol clients.
//
// The socket lives in a 0700 directory (only this user can connect). Binding is the atomic step;
// a socket file left by a killed leader is detected (connect → ECONNREFUSED) and replaced, under a
// short-lived lock file so two starters cannot both replace it.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';

/**
 * The leader socket's folder: `$FLIGHTDECK_LEADER_DIR`; else `run/` in `$FLIGHTDECK_DATA_DIR`, which
 * moves all of Flightdeck's files; else `~/.flightdeck/run`. The Claude hook resolves it the same way.
 */
export function defaultLeaderDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FLIGHTDECK_LEADER_DIR) return env.FLIGHTDECK_LEADER_DIR;
  if (env.FLIGHTDECK_DATA_DIR) return path.join(env.FLIGHTDECK_DATA_DIR, 'run');
  return path.join(os.homedir(), '.flightdeck', 'run');
}

/** sockaddr_un's sun_path is 108 bytes on Linux, including the terminating NUL. */
export const MAX_SOCKET_PATH_BYTES = 107;

export function socketPathFor(leaderDir: string): string {
  if (process.platform === 'win32') {
    return `\\\\.\\pipe\\flightdeck-${createHash('sha256').update(leaderDir).digest('hex').slice(0, 16)}`;
  }
  return path.join(leaderDir, 'engine.sock');
}

/** Resolves true when something answers on the socket. */
export function probe(socketPath: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise(resolve => {
    const s = net.connect(socketPath);
    const done = (v: boolean) => { clearTimeout(t); s.destroy(); resolve(v); };
    const t = setTimeout(() => done(false), timeoutMs);
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

function listen(server: net.Server, socketPath: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (e.code === 'EADDRINUSE') resolve(false); else reject(e);
    };
    const onListening = () => { server.off('error', onError); resolve(true); };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(socketPath);
  });
}

const LOCK_STALE_MS = 5_000;

async function withLock<T>(lockPath: string, fn: () => Promise<T>): Promise<T | null> {
  try {
    fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx', mode: 0o600 });
  } catch {
    try {
      if (Date.now() - fs.statSync(lockPath).mtimeMs > LOCK_STALE_MS) fs.unlinkSync(lockPath);
    } catch { /* another process removed it first */ }
    return null;
  }
  try { return await fn(); } finally { try { fs.unlinkSync(lockPath); } catch { /* already gone */ } }
}

/**
 * Tries once to become the leader. Returns the listening server when this process won, or null
 * when another live process holds the socket (attach to it instead).
 */
export async function tryBecomeLeader(leaderDir: string, server: net.Server): Promise<boolean> {
  const socketPath = socketPathFor(leaderDir);
  // A Unix socket's path holds at most 107 bytes; a longer one is bound cut short, somewhere else
  // (the engine then failed with "ENOENT, chmod …/engine.sock"). Said plainly instead.
  if (process.platform !== 'win32' && Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) {
    throw new Error(`the leader folder's socket path is ${Buffer.byteLength(socketPath)} bytes, over the ${MAX_SOCKET_PATH_BYTES} a Unix socket allows: set FLIGHTDECK_LEADER_DIR to a shorter folder (${socketPath})`);
  }
  fs.mkdirSync(leaderDir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') fs.chmodSync(leaderDir, 0o700);
  if (await probe(socketPath)) return false;
  const won = await withLock(path.join(leaderDir, 'election.lock'), async () => {
    if (await probe(socketPath)) return false;
    if (process.platform !== 'win32') { try { fs.unlinkSync(socketPath); } catch { /* no stale file */ } }
    return listen(server, socketPath);
  });
  if (won && process.platform !== 'win32') fs.chmodSync(socketPath, 0o600);
  return won === true;
}
