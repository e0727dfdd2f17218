// JSON-RPC over newline-delimited JSON, as `codex app-server` speaks it on stdio: no "jsonrpc" field,
// and server→client requests carry both `method` and an `id` from their own counter (starting at 0,
// so they collide with ours): we route on "has method" first (shared/recipes/codex.md §5.1).
import type { Readable, Writable } from 'node:stream';
import type { Clock, TimerHandle } from '../../platform/clock';
import type { LogFn } from '../../platform/log';
import { RpcEnvelope, type RpcId } from './schemas';


/** An error answer from the peer, or a local failure (timeout, closed connection). */
export class RpcError extends Error {
  constructor(readonly method: string, readonly code: number | null, message: string) {
    super(message);
    this.name = 'RpcError';
  }
}

export interface JsonRpcPeerOptions {
  input: Readable;
  output: Writable;
  clock: Clock;
  log: LogFn;
  /** Default time a request may wait for its answer. */
  requestTimeoutMs?: number;
  /** Longer lines are dropped with an error; the stream goes on at the next newline. */
  maxLineBytes?: number;
}

interface Pending { method: string; resolve(v: unknown): void; reject(e: Error): void; timer: TimerHandle }

const NEWLINE = 0x0a;

export class JsonRpcPeer {
  onNotification: (method: string, params: unknown) => void = () => {};
  onRequest: (id: RpcId, method: string, params: unknown) => void = () => {};

  private nextId = 0;
  private pending = new Map<RpcId, Pending>();
  private chunks: Buffer[] = [];
  private buffered = 0;
  private discarding = false;
  private closedReason: string | null = null;
  private readonly requestTimeoutMs: number;
  private readonly maxLineBytes: number;

  constructor(private readonly opts: JsonRpcPeerOptions) {
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.maxLineBytes = opts.maxLineBytes ?? 64 * 1024 * 1024;
    opts.input.on('data', (chunk: Buffer | string) => this.onData(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
    opts.input.on('end', () => this.close('the app-server closed its output'));
    opts.input.on('error', e => this.close(`reading from the app-server failed: ${e.message}`));
    opts.output.on('error', e => this.close(`writing to the app-server failed: ${e.message}`));
  }

  get closed(): boolean { return this.closedReason !== null; }

  request(method: string, params: unknown, timeoutMs = this.requestTimeoutMs): Promise<unknown> {
    if (this.closedReason) return Promise.reject(new RpcError(method, null, `${method}: ${this.closedReason}`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = this.opts.clock.setTimeout(() => {
        this.pending.delete(id);
        reject(new RpcError(method, null, `${method}: no answer from the app-server within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { method, resolve, reject, timer });
      this.write({ method, id, params });
    });
  }

  notify(method: string, params?: unknown): void {
    this.write(params === undefined ? { method } : { method, params });
  }

  respond(id: RpcId, result: unknown): void { this.write({ id, result }); }

  respondError(id: RpcId, code: number, message: string): void { this.write({ id, error: { code, message } }); }

  /** Fails every waiting request; later calls fail at once. */
  close(reason: string): void {
    if (this.closedReason) return;
    this.closedReason = reason;
    for (const [id, p] of this.pending) {
      p.timer.cancel();
      p.reject(new RpcError(p.method, null, `${p.method}: ${reason}`));
      this.pending.delete(id);
    }
  }

  private write(msg: object): void {
    if (this.closedReason) return;
    this.opts.output.write(JSON.stringify(msg) + '\n');
  }

  private onData(chunk: Buffer): void {
    let start = 0;
    for (let i = chunk.indexOf(NEWLINE); i !== -1; i = chunk.indexOf(NEWLINE, start)) {
      this.push(chunk.subarray(start, i));
      this.endLine();
      start = i + 1;
    }
    if (start < chunk.length) this.push(chunk.subarray(start));
  }

  private push(part: Buffer): void {
    if (this.discarding || part.length === 0) return;
    this.buffered += part.length;
    if (this.buffered > this.maxLineBytes) {
      this.opts.log('error', `codex app-server: dropped a line longer than ${this.maxLineBytes} bytes`);
      this.chunks = [];
      this.buffered = 0;
      this.discarding = true;
      return;
    }
    this.chunks.push(part);
  }

  private endLine(): void {
    const line = Buffer.concat(this.chunks).toString('utf8').trim();
    this.chunks = [];
    this.buffered = 0;
    this.discarding = false;
    if (line) this.dispatch(line);
  }

  private dispatch(line: string): void {
    let raw: unknown;
    try { raw = JSON.parse(line); } catch {
      this.opts.log('error', `codex app-server: ignored a line that is not JSON: ${line.slice(0, 200)}`);
      return;
    }
    const parsed = RpcEnvelope.safeParse(raw);
    if (!parsed.success) {
      this.opts.log('error', `codex app-server: ignored a message that is not JSON-RPC: ${line.slice(0, 200)}`);
      return;
    }
    const m = parsed.data;
    if (m.method !== undefined && m.id !== undefined) {
      this.onRequest(m.id, m.method, m.params);
    } else if (m.method !== undefined) {
      this.onNotification(m.method, m.params);
    } else if (m.id !== undefined && (m.result !== undefined || m.error !== undefined)) {
      const p = this.pending.get(m.id);
      if (!p) {
        this.opts.log('warn', `codex app-server: answer to unknown request id ${m.id}`);
        return;
      }
      this.pending.delete(m.id);
      p.timer.cancel();
      if (m.error) p.reject(new RpcError(p.method, m.error.code, `${p.method}: ${m.error.message}`));
      else p.resolve(m.result);
    } else {
      this.opts.log('error', `codex app-server: ignored a message with neither method nor answer: ${line.slice(0, 200)}`);
    }
  }
}
