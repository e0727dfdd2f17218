// The hook receiver: an HTTP server on a Unix socket in the private leader folder (0700, the socket
// 0600), so only this user's processes can reach it and no other user can ever stand in for it (a
// TCP port could be bound by anyone once the engine was gone). It takes hook payloads from the hook
// command, checks the token in constant time, validates the payload with zod and hands it on. Bad
// input gets a clear 4xx and a log line; the engine keeps running. A request the handler holds
// (a PermissionRequest waiting for a decision) is aborted when Claude kills the hook.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LogFn } from '../platform/log';
import { removeEndpointFile, writeEndpointFile } from './endpointFile';
import { HOOK_EVENTS, type HookAnswer, HookPayload } from './hookPayload';
import { HOOK_PATH, MAX_PAYLOAD_BYTES, PROJECT_DIR_HEADER, SOCKET_FILE_NAME, TOKEN_HEADER } from './hookWire';

export interface HookContext {
  /** CLAUDE_PROJECT_DIR of the hook process, when it had one. */
  projectDir: string | null;
  /** Aborted when the hook went away before an answer (Claude killed it: answered in the terminal). */
  signal: AbortSignal;
}

export type HookHandler = (payload: HookPayload, ctx: HookContext) => Promise<HookAnswer> | HookAnswer;

export interface HookReceiverOptions {
  dataDir: string;
  log: LogFn;
  /** Written to the endpoint file so the hook command knows how long to wait for a decision. */
  permissionWaitMs: number;
  handle: HookHandler;
  maxPayloadBytes?: number;
}

const KNOWN_EVENTS: ReadonlySet<string> = new Set(HOOK_EVENTS);

export class HookReceiver {
  private server: http.Server | null = null;
  private token = randomBytes(32).toString('hex');
  private tokenDigest = digest(this.token);
  private readonly maxBytes: number;
  private handling = 0;
  /** Where it listens (set by start). */
  socketPath = '';

  constructor(private readonly opts: HookReceiverOptions) {
    this.maxBytes = opts.maxPayloadBytes ?? MAX_PAYLOAD_BYTES;
  }

  /** Starts listening on the socket and writes the endpoint file the hook command reads. */
  async start(): Promise<{ socketPath: string; endpointFile: string }> {
    const dir = this.opts.dataDir;
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (process.platform !== 'win32') fs.chmodSync(dir, 0o700);
    const socketPath = process.platform === 'win32'
      ? `\\\\.\\pipe\\flightdeck-claude-hook-${this.token.slice(0, 16)}`
      : path.join(dir, SOCKET_FILE_NAME);
    // Only the leader runs a receiver, so a socket file left here is a crashed engine's.
    if (process.platform !== 'win32') { try { if (fs.lstatSync(socketPath).isSocket()) fs.unlinkSync(socketPath); } catch { /* none */ } }
    const server = http.createServer((req, res) => { void this.onRequest(req, res); });
    server.headersTimeout = 10_000;
    server.requestTimeout = 0; // a PermissionRequest may be held for minutes by design
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => { server.off('error', reject); resolve(); });
    });
    if (process.platform !== 'win32') fs.chmodSync(socketPath, 0o600);
    this.server = server;
    this.socketPath = socketPath;
    const endpointFile = writeEndpointFile(dir, {
      version: 2, socket: socketPath, token: this.token, pid: process.pid, permissionWaitMs: this.opts.permissionWaitMs,
    });
    this.opts.log('info', `claude: hook receiver listening on ${socketPath}`);
    return { socketPath, endpointFile };
  }

  async stop(): Promise<void> {
    removeEndpointFile(this.opts.dataDir, this.token);
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>(resolve => server.close(() => resolve()));
  }

  /** Hook requests being handled now (held PermissionRequests included). */
  get inFlight(): number { return this.handling; }

  /** For tests and in-process clients: the secret never leaves this object otherwise. */
  get secretForTests(): string { return this.token; }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.method !== 'POST' || req.url !== HOOK_PATH) return this.reject(req, res, 404, 'not found');
    // Browsers send Origin; the hook command never does. Refuse anything a web page could send.
    if (req.headers.origin !== undefined) return this.reject(req, res, 403, 'requests with an Origin header are refused');
    if (!this.tokenMatches(req.headers[TOKEN_HEADER])) return this.reject(req, res, 401, 'missing or wrong token');
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > this.maxBytes) return this.reject(req, res, 413, `payload of ${declared} bytes is over the limit of ${this.maxBytes}`);

    const body = await readBody(req, this.maxBytes);
    if (body === 'tooLarge') return this.reject(req, res, 413, `payload is over the limit of ${this.maxBytes} bytes`);
    if (body === 'aborted') return;
    let text: string;
    try { text = new TextDecoder('utf-8', { fatal: true }).decode(body); } catch {
      return this.reject(req, res, 400, 'payload is not valid UTF-8');
    }
    let data: unknown;
    try { data = JSON.parse(text); } catch (e) {
      return this.reject(req, res, 400, `payload is not valid JSON: ${(e as Error).message}`);
    }
    const event = typeof data === 'object' && data !== null ? (data as { hook_event_name?: unknown }).hook_event_name : undefined;
    if (typeof event === 'string' && !KNOWN_EVENTS.has(event)) {
      this.opts.log('debug', `claude: ignored hook event ${event.slice(0, 100)}`);
      return void res.writeHead(200).end();
    }
    const parsed = HookPayload.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return this.reject(req, res, 400, `invalid hook payload: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }

    const aborter = new AbortController();
    res.on('close', () => { if (!res.writableEnded) aborter.abort(); });
    const rawDir = req.headers[PROJECT_DIR_HEADER];
    let projectDir: string | null = null;
    try { projectDir = typeof rawDir === 'string' && rawDir ? decodeURIComponent(rawDir) : null; } catch { projectDir = null; }
    this.handling++;
    try {
      const answer = await this.opts.handle(parsed.data, { projectDir, signal: aborter.signal });
      if (res.destroyed) return;
      if (answer) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      else res.writeHead(200).end();
    } catch (e) {
      this.opts.log('error', `claude: handling ${parsed.data.hook_event_name} failed: ${(e as Error)?.stack ?? e}`);
      if (!res.destroyed) res.writeHead(500).end();
    } finally {
      this.handling--;
    }
  }

  private reject(req: http.IncomingMessage, res: http.ServerResponse, status: number, why: string): void {
    this.opts.log('warn', `claude: rejected hook request (${status}): ${why}`);
    res.writeHead(status, { 'content-type': 'text/plain', connection: 'close' }).end(why);
    // Drop the rest of an oversized or refused body instead of reading it.
    req.once('end', () => {}).resume();
    if (status === 413) res.once('finish', () => req.destroy());
  }

  private tokenMatches(given: string | string[] | undefined): boolean {
    if (typeof given !== 'string') return false;
    return timingSafeEqual(digest(given), this.tokenDigest);
  }
}

/** Hashing first makes the comparison constant-time whatever the length of what was sent. */
function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

function readBody(req: http.IncomingMessage, max: number): Promise<Buffer | 'tooLarge' | 'aborted'> {
  return new Promise(resolve => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (v: Buffer | 'tooLarge' | 'aborted') => { if (!done) { done = true; resolve(v); } };
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > max) finish('tooLarge'); else chunks.push(c);
    });
    req.on('end', () => finish(Buffer.concat(chunks)));
    req.on('error', () => finish('aborted'));
    req.on('close', () => finish('aborted'));
  });
}
