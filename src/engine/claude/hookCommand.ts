// The logic of dist/hook.js, the command Claude runs for every installed hook: read the payload from
// stdin, post it to the running engine over its Unix socket with the token from the endpoint file, and print
// the engine's answer (a decision) if there is one. Whatever goes wrong — engine down, stale endpoint
// file, bad payload, slow engine — it ends quietly with no output, so Claude carries on with its own
// flow and is never blocked beyond the deadline. Kept free of dependencies so the bundle starts fast.
import * as fs from 'node:fs';
import type * as Http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  DEFAULT_LEADER_SUBDIR, ENDPOINT_FILE_NAME, HOOK_PATH, LEADER_DIR_ENV, MAX_PAYLOAD_BYTES, PERMISSION_GRACE_MS, PROJECT_DIR_HEADER,
  REPORT_DEADLINE_MS, SOCKET_FILE_NAME, TOKEN_HEADER,
} from './hookWire';

const MARKER = '--flightdeck-hook';

export interface HookIo {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadableStream;
  /** Called at most once, with the whole answer. */
  write(answer: string): void;
  /** Diagnostics; Claude shows a hook's stderr only in its debug log. */
  warn?(msg: string): void;
}

interface EndpointInfo { socket: string; token: string; pid: number; permissionWaitMs: number }

/** Resolves when the hook is done; never rejects. */
export async function runHook(io: HookIo): Promise<void> {
  try {
    const endpoint = endpointDirsOf(io.argv, io.env).map(readEndpoint).find(e => e !== null) ?? null;
    // Engine not running (no file, or the file of an engine that crashed): no opinion, exit at once.
    if (!endpoint || !processAlive(endpoint.pid)) return;
    const started = Date.now();
    const payload = await readStdin(io.stdin, REPORT_DEADLINE_MS);
    if (payload === null) { io.warn?.('flightdeck hook: payload missing, too large or too slow; ignored'); return; }
    const waitsForDecision = /"hook_event_name"\s*:\s*"PermissionRequest"/.test(payload.toString('latin1'));
    const deadline = (waitsForDecision ? endpoint.permissionWaitMs + PERMISSION_GRACE_MS : REPORT_DEADLINE_MS) - (Date.now() - started);
    const answer = await post(endpoint, payload, io.env.CLAUDE_PROJECT_DIR, Math.max(0, deadline));
    if (answer) io.write(answer);
  } catch (e) {
    io.warn?.(`flightdeck hook: ${(e as Error).message}`);
  }
}

/** The folder given at install time, then the default leader folder of this user. */
export function endpointDirsOf(argv: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const i = argv.indexOf(MARKER);
  const given = (i >= 0 ? argv[i + 1] : undefined) || env.FLIGHTDECK_DATA_DIR;
  const leader = env[LEADER_DIR_ENV] || (env.FLIGHTDECK_DATA_DIR ? path.join(env.FLIGHTDECK_DATA_DIR, 'run') : path.join(os.homedir(), ...DEFAULT_LEADER_SUBDIR));
  return given && given !== leader ? [given, leader] : [leader];
}

/**
 * The endpoint, only when nobody but this user can have written it or be listening on it: the payload
 * (and the token) go nowhere else, and no answer from anyone else is ever trusted. The folder, the
 * file and the socket are this user's and closed to others (0700 / 0600), and the socket is the one
 * in that folder, whatever the file says. An old (version 1) file names a TCP port, which anyone could
 * bind after the engine went away: refused.
 */
function readEndpoint(dataDir: string): EndpointInfo | null {
  const file = path.join(dataDir, ENDPOINT_FILE_NAME);
  const socket = process.platform === 'win32' ? null : path.join(dataDir, SOCKET_FILE_NAME);
  if (process.platform !== 'win32' && !(privateTo(dataDir, 'dir') && privateTo(file, 'file') && privateTo(socket!, 'socket'))) return null;
  let data: unknown;
  try { data = JSON.parse(fs.readFileSync(file, 'utf8')); } catch { return null; }
  const e = data as Partial<EndpointInfo> & { version?: unknown };
  const valid = typeof e === 'object' && e !== null && e.version === 2 && typeof e.socket === 'string' && typeof e.token === 'string' &&
    Number.isInteger(e.pid) && Number.isInteger(e.permissionWaitMs) && (socket === null || e.socket === socket);
  return valid ? { socket: e.socket!, token: e.token!, pid: e.pid!, permissionWaitMs: e.permissionWaitMs! } : null;
}

/** Owned by this user, not a symlink, of the expected kind, and no access for group or others. */
function privateTo(p: string, kind: 'dir' | 'file' | 'socket'): boolean {
  let st: fs.Stats;
  try { st = fs.lstatSync(p); } catch { return false; }
  const isKind = kind === 'dir' ? st.isDirectory() : kind === 'file' ? st.isFile() : st.isSocket();
  return isKind && st.uid === process.getuid!() && (st.mode & 0o077) === 0;
}

function processAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** The whole of stdin, or null when it is larger than the limit or does not end in time. */
function readStdin(stdin: NodeJS.ReadableStream, deadlineMs: number): Promise<Buffer | null> {
  return new Promise(resolve => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (v: Buffer | null) => { clearTimeout(timer); stdin.removeAllListeners('data'); resolve(v); };
    const timer = setTimeout(() => finish(null), deadlineMs);
    stdin.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_PAYLOAD_BYTES) finish(null); else chunks.push(c);
    });
    stdin.on('end', () => finish(Buffer.concat(chunks)));
    stdin.on('error', () => finish(null));
  });
}

function post(endpoint: EndpointInfo, body: Buffer, projectDir: string | undefined, deadlineMs: number): Promise<string | null> {
  // Loaded only when the engine is there: it is most of this script's start-up cost.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain require: no ESM loader start-up
  const http = require('node:http') as typeof Http;
  return new Promise(resolve => {
    const headers: Http.OutgoingHttpHeaders = {
      'content-type': 'application/json', 'content-length': body.length, [TOKEN_HEADER]: endpoint.token,
    };
    if (projectDir) headers[PROJECT_DIR_HEADER] = encodeURIComponent(projectDir);
    let done = false;
    const finish = (v: string | null) => { if (!done) { done = true; clearTimeout(timer); req.destroy(); resolve(v); } };
    const timer = setTimeout(() => finish(null), deadlineMs);
    const req = http.request({ socketPath: endpoint.socket, path: HOOK_PATH, method: 'POST', headers }, res => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const out = Buffer.concat(chunks).toString('utf8').trim();
        // Only a JSON object is a decision; anything else would be shown to the model as text.
        finish(res.statusCode === 200 && out.startsWith('{') ? out : null);
      });
      res.on('error', () => finish(null));
    });
    req.on('error', () => finish(null));
    req.end(body);
  });
}
