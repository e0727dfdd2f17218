// The WebSocket hub (SPEC §8): one HTTP server with `GET /health`, the web client at `/`, and the
// protocol at `/ws`. Every upgrade is authenticated before it happens; after it, each socket is a
// ClientConnection like any other client of the engine.
import * as http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { LogFn } from '../platform/log';
import type { SessionEngine } from '../sessions/engine';
import {
  DEFAULT_RATE_LIMIT, FailureLimiter, type RateLimitOptions, SUBPROTOCOL, originAllowed, presentedToken, tokenMatches,
} from './auth';
import { ConnectionGuard, DEFAULT_GUARD_LIMITS, type GuardLimits } from './connectionGuard';
import type { ReplayBuffer } from '../clients/replay';
import type { RemoteEngines } from '../remotes';
import { DEFAULT_LIMITS, SocketClient, type SocketLimits } from './socketClient';
import { isWellFormedToken } from './token';
import { defaultWebRoot, serveWeb } from './webPage';


export interface HubOptions {
  engine: SessionEngine;
  /** The engine's replay buffer (attachReplay), shared by every transport. */
  replay: ReplayBuffer;
  /** The remote engines the engine joined: browsers and phones see their sessions too (engines joining this hub do not). */
  remotes?: RemoteEngines;
  /** Defaults to 127.0.0.1. Anything but loopback needs allowNonLoopback. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  token: string;
  /** Browser origins allowed besides the hub's own (e.g. 'https://my.tunnel.example'). */
  allowedOrigins?: string[];
  allowNonLoopback?: boolean;
  log: LogFn;
  version: string;
  /** Directory holding web.js / web.css; defaults to the bundle next to the code. */
  webRoot?: string;
  rateLimit?: RateLimitOptions;
  limits?: Partial<SocketLimits>;
  /** Bounds on sockets that have not authenticated yet, and on clients per address. */
  guard?: Partial<GuardLimits>;
}

export interface HubHandle {
  port: number;
  host: string;
  /** ws://host:port/ws */
  url: string;
  /** http://host:port/ (the web client) */
  httpUrl: string;
  /** Replaces the token; clients that authenticated with the old one are disconnected (code 4001). */
  setToken(token: string): void;
  connectionCount(): number;
  close(): Promise<void>;
}

export const CAPABILITIES = ['replay', 'load_messages', 'get_message', 'search', 'approvals', 'questions', 'resync', 'peer'];
const MAX_WS_PAYLOAD = 4 * 1024 * 1024;
/** A peer has this long to send its request headers (the upgrade request included), then it is cut. */
export const HEADERS_TIMEOUT_MS = 5_000;

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

export async function startHub(opts: HubOptions): Promise<HubHandle> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopback(host) && !opts.allowNonLoopback) {
    throw new Error(`refusing to listen on ${host}: the hub binds to loopback only unless non-loopback binding is enabled explicitly (use TLS or an SSH tunnel, see docs/protocol.md)`);
  }
  if (!isWellFormedToken(opts.token)) throw new Error('the hub token is missing or malformed (expected 20-200 characters of A-Z a-z 0-9 - _)');
  if (!isLoopback(host)) {
    opts.log('warn', `hub: listening on ${host}, reachable beyond this machine. The token travels in clear text unless you put TLS or an SSH tunnel in front (docs/protocol.md).`);
  }
  let token = opts.token;
  const limits: SocketLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const limiter = new FailureLimiter(opts.rateLimit ?? DEFAULT_RATE_LIMIT);
  const webRoot = opts.webRoot ?? defaultWebRoot();
  /** Each live client and the token it authenticated with (a rotation drops the others). */
  const clients = new Map<SocketClient, string>();
  let allowed = new Set<string>();
  let nextClient = 1;

  const guard = new ConnectionGuard({ ...DEFAULT_GUARD_LIMITS, ...opts.guard }, addr => {
    if (guard.evicted % 1000 === 1) opts.log('warn', `hub: too many unfinished connections (latest from ${addr}); closing the oldest ones (${guard.evicted} so far)`);
  });

  const server = http.createServer({
    headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: 2 * HEADERS_TIMEOUT_MS, keepAliveTimeout: HEADERS_TIMEOUT_MS,
    connectionsCheckingInterval: 1_000,
  }, (req, res) => {
    guard.idle(req.socket);
    const pathname = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    if (pathname === '/health') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      res.end(JSON.stringify({ ok: true, version: opts.version }));
      return;
    }
    if (serveWeb(req, res, webRoot)) return;
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
  });

  server.on('connection', socket => guard.admit(socket));

  const wss = new WebSocketServer({
    noServer: true,
    // Over 1 MiB is answered with an error by SocketClient (the connection stays usable); ws itself
    // only closes the connection beyond this hard cap.
    maxPayload: MAX_WS_PAYLOAD,
    perMessageDeflate: false,
    handleProtocols: offered => (offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });

  server.on('upgrade', (req, socket: Duplex, head) => {
    // Node drops its own error handler from upgrade sockets: without one, a peer that resets
    // mid-handshake would crash the engine's process.
    const onSocketError = (e: Error) => opts.log('debug', `hub: upgrade socket error: ${e.message}`);
    socket.on('error', onSocketError);
    const addr = req.socket.remoteAddress ?? 'unknown';
    const pathname = (req.url ?? '/').split('?')[0];
    if (pathname !== '/ws') return refuse(socket, 404, 'Not Found', 'no WebSocket endpoint here; use /ws');
    if (!originAllowed(req.headers.origin, allowed)) {
      // Not counted as a failed attempt: the token is never checked for a foreign page, and counting
      // would let any web page lock local clients out by knocking repeatedly.
      opts.log('warn', `hub: refused a connection from origin ${String(req.headers.origin).slice(0, 200)} (not on the allow list)`);
      return refuse(socket, 403, 'Forbidden', 'origin not allowed');
    }
    // The right token is never refused (every local process and tunnel shares 127.0.0.1, so a
    // lock-out by address would let any of them lock the hub); only failures are limited.
    if (!tokenMatches(presentedToken(req), token)) {
      if (limiter.blocked(addr)) return refuse(socket, 429, 'Too Many Requests', 'too many failed attempts; try again later');
      limiter.fail(addr);
      opts.log('info', `hub: refused an unauthenticated connection from ${addr}`);
      return refuse(socket, 401, 'Unauthorized', 'a valid bearer token is required (Authorization header or the bearer.<token> subprotocol)', { 'WWW-Authenticate': 'Bearer' });
    }
    if (!guard.clientAllowed(addr)) return refuse(socket, 503, 'Service Unavailable', 'too many connections from this address');
    const authedWith = token;
    wss.handleUpgrade(req, socket, head, ws => {
      socket.off('error', onSocketError); // ws handles socket errors from here on
      const release = guard.upgraded(req.socket);
      ws.once('close', release);
      const label = `client ${nextClient++} (${addr})`;
      const client: SocketClient = new SocketClient({
        ws, engine: opts.engine, replay: opts.replay, remotes: opts.remotes, serverVersion: opts.version, capabilities: CAPABILITIES,
        limits, log: opts.log, label, onClose: () => clients.delete(client),
      });
      clients.set(client, authedWith);
      opts.log('info', `hub: ${label} connected`);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => { server.off('error', reject); resolve(); });
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the hub has no TCP address');
  const port = address.port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  allowed = new Set([
    `http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`, `http://${urlHost}:${port}`,
    ...(opts.allowedOrigins ?? []),
  ].map(o => o.toLowerCase().replace(/\/+$/, '')));
  opts.log('info', `hub: listening on http://${urlHost}:${port} (WebSocket at /ws)`);

  return {
    port,
    host,
    url: `ws://${urlHost}:${port}/ws`,
    httpUrl: `http://${urlHost}:${port}/`,
    setToken(next) {
      if (!isWellFormedToken(next)) throw new Error('the hub token is malformed');
      token = next;
      for (const [c, used] of clients) if (used !== next) c.close(4001, 'token rotated');
    },
    connectionCount: () => clients.size,
    async close() {
      for (const c of clients.keys()) c.close(1001, 'hub closing');
      // Give clients a moment to answer the close handshake, then cut whoever is left.
      const deadline = Date.now() + 500;
      while (clients.size > 0 && Date.now() < deadline) await new Promise(r => setTimeout(r, 10));
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>(resolve => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>(resolve => server.close(() => resolve()));
    },
  };
}

function refuse(socket: Duplex, status: number, statusText: string, body: string, headers: Record<string, string> = {}): void {
  const lines = [`HTTP/1.1 ${status} ${statusText}`, 'Connection: close', 'Content-Type: text/plain; charset=utf-8', `Content-Length: ${Buffer.byteLength(body)}`];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  socket.end(lines.join('\r\n') + '\r\n\r\n' + body);
}
