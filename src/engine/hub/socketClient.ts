// One authenticated WebSocket: frame limits, the bounded send queue and keepalive around a
// ClientConnection. A slow or broken client only ever costs itself: it is told to resync or dropped,
// and the engine and the other clients never wait for it.
import type { WebSocket } from 'ws';
import { ErrorCode, type ServerMessage } from '../protocol';
import type { LogFn } from '../platform/log';
import type { SessionEngine } from '../sessions/engine';
import { ClientConnection } from '../clients/connection';
import type { ReplayBuffer } from '../clients/replay';
import type { RemoteEngines } from '../remotes';

export const MAX_FRAME_BYTES = 1024 * 1024;

export interface SocketLimits {
  /** Above this many bytes waiting in the socket, broadcast events are dropped and a resync follows. */
  softQueueBytes: number;
  /** Above this, or lagging longer than maxLagMs, the client is dropped. */
  hardQueueBytes: number;
  maxLagMs: number;
  pingIntervalMs: number;
}

export const DEFAULT_LIMITS: SocketLimits = {
  softQueueBytes: 4 * 1024 * 1024,
  hardQueueBytes: 16 * 1024 * 1024,
  maxLagMs: 30_000,
  pingIntervalMs: 30_000,
};

/** Events a client can afford to miss and re-fetch: the broadcast ones (answers to requests are kept). */
const BROADCAST = new Set<ServerMessage['type']>([
  'session_created', 'session_removed', 'session_delta', 'session_ended', 'message_appended', 'message_updated',
  'approval_requested', 'tokens_updated',
]);

export interface SocketClientOptions {
  ws: WebSocket;
  engine: SessionEngine;
  replay: ReplayBuffer;
  remotes?: RemoteEngines;
  serverVersion: string;
  capabilities: string[];
  limits: SocketLimits;
  log: LogFn;
  label: string;
  onClose: () => void;
}

export class SocketClient {
  readonly conn: ClientConnection;
  private ws: WebSocket;
  private lagSince: number | null = null;
  private lagTimer: ReturnType<typeof setInterval> | null = null;
  private pingTimer: ReturnType<typeof setInterval>;
  private alive = true;
  private closed = false;

  constructor(private opts: SocketClientOptions) {
    this.ws = opts.ws;
    this.conn = new ClientConnection({
      engine: opts.engine, replay: opts.replay, remotes: opts.remotes, serverVersion: opts.serverVersion, capabilities: opts.capabilities,
      log: opts.log, send: m => this.send(m), drained: () => this.drained(),
    });
    this.ws.on('message', (data, isBinary) => this.receive(data, isBinary));
    this.ws.on('pong', () => { this.alive = true; });
    this.ws.on('close', () => this.dispose());
    this.ws.on('error', e => opts.log('debug', `hub: ${opts.label}: socket error: ${e.message}`));
    this.pingTimer = setInterval(() => this.keepalive(), opts.limits.pingIntervalMs);
    this.pingTimer.unref();
  }

  /** Closes with a code the client sees (e.g. after a token rotation). */
  close(code: number, reason: string): void {
    this.ws.close(code, reason);
    // A client that does not answer the close handshake is cut off.
    setTimeout(() => this.ws.terminate(), 2_000).unref();
  }

  private receive(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (buf.length > MAX_FRAME_BYTES) {
      this.send({ type: 'error', code: ErrorCode.tooLarge, message: `message of ${buf.length} bytes is over the limit of ${MAX_FRAME_BYTES} bytes` });
      return;
    }
    if (isBinary) {
      this.send({ type: 'error', code: ErrorCode.badRequest, message: 'binary frames are not part of the protocol; send JSON text' });
      return;
    }
    void this.conn.handle(buf.toString('utf8'));
  }

  private send(m: ServerMessage): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    const queued = this.ws.bufferedAmount;
    if (queued > this.opts.limits.hardQueueBytes) return this.drop(`send queue over ${this.opts.limits.hardQueueBytes} bytes`);
    if (BROADCAST.has(m.type)) {
      if (this.lagSince !== null) return;
      if (queued > this.opts.limits.softQueueBytes) return this.startLag();
    }
    batchWrites(this.ws);
    // The same bytes for every client: a Buffer, so ws does not encode the text again per socket.
    this.ws.send(serialized(m), { binary: false });
  }

  /**
   * Resolves once the socket's queue is down to a quarter of the soft limit (the next page of a long
   * list may go). A client that takes nothing for maxLagMs is dropped, as when it lags on events.
   */
  private drained(): Promise<void> {
    const low = () => this.closed || this.ws.bufferedAmount <= this.opts.limits.softQueueBytes / 4;
    if (low()) return new Promise(resolve => setImmediate(resolve));
    return new Promise(resolve => {
      let queued = this.ws.bufferedAmount;
      let progressAt = Date.now();
      const timer = setInterval(() => {
        if (low()) { clearInterval(timer); resolve(); return; }
        if (this.ws.bufferedAmount < queued) { queued = this.ws.bufferedAmount; progressAt = Date.now(); return; }
        if (Date.now() - progressAt > this.opts.limits.maxLagMs) {
          clearInterval(timer);
          this.drop(`not reading the session list for ${this.opts.limits.maxLagMs} ms`);
          resolve();
        }
      }, 20);
      timer.unref();
    });
  }

  /** Stops forwarding events until the socket drains, then tells the client to resync what it follows. */
  private startLag(): void {
    this.lagSince = Date.now();
    this.opts.log('info', `hub: ${this.opts.label}: slow client, pausing events`);
    this.lagTimer = setInterval(() => this.checkLag(), 50);
    this.lagTimer.unref();
  }

  private checkLag(): void {
    if (this.lagSince === null || this.closed) return;
    if (this.ws.bufferedAmount <= this.opts.limits.softQueueBytes / 4) {
      this.stopLagTimer();
      this.lagSince = null;
      const subs = this.conn.subscriptions;
      if (subs.list) this.send({ type: 'resync', reason: 'slow_client' });
      for (const sessionId of subs.sessions) this.send({ type: 'resync', sessionId, reason: 'slow_client' });
      return;
    }
    if (Date.now() - this.lagSince > this.opts.limits.maxLagMs) this.drop(`not reading for ${this.opts.limits.maxLagMs} ms`);
  }

  private keepalive(): void {
    if (!this.alive) return this.drop('no pong to the last ping');
    this.alive = false;
    try { this.ws.ping(); } catch { /* the close event follows */ }
  }

  private drop(why: string): void {
    this.opts.log('warn', `hub: ${this.opts.label}: dropped: ${why}`);
    this.ws.terminate();
    this.dispose();
  }

  private stopLagTimer(): void {
    if (this.lagTimer) clearInterval(this.lagTimer);
    this.lagTimer = null;
  }

  private dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopLagTimer();
    clearInterval(this.pingTimer);
    this.conn.close();
    this.opts.onClose();
    this.opts.log('debug', `hub: ${this.opts.label} disconnected`);
  }
}

/**
 * The engine publishes one event object to every connection: serialize it once, to one Buffer, not
 * once per client (with 100 clients this was most of the fan-out cost).
 */
const serializedCache = new WeakMap<object, Buffer>();
function serialized(m: ServerMessage): Buffer {
  let bytes = serializedCache.get(m);
  if (bytes === undefined) { bytes = Buffer.from(JSON.stringify(m)); serializedCache.set(m, bytes); }
  return bytes;
}

/**
 * One socket write per client per event-loop turn, not one per message: the first send in a turn
 * corks the socket and the check phase right after this turn's I/O uncorks every corked one. When
 * several stream windows fire in the same turn (50 sessions, or a late timer), each client gets them
 * in one writev — per-message writev syscalls were a third of the engine's time at 50 × 100.
 */
const corked = new Set<{ cork(): void; uncork(): void }>();
let flushScheduled = false;
function batchWrites(ws: WebSocket): void {
  const socket = (ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
  if (!socket || corked.has(socket)) return;
  socket.cork();
  corked.add(socket);
  if (flushScheduled) return;
  flushScheduled = true;
  setImmediate(() => {
    flushScheduled = false;
    const all = [...corked];
    corked.clear();
    for (const s of all) s.uncork();
  });
}
