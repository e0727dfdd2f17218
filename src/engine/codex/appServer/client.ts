// The one app-server connection Flightdeck keeps for all its Codex threads. It starts the process on
// demand, restarts it when it dies (bounded, so a broken binary does not spin), and numbers each
// process with a generation: a server request can only be answered on the process that asked it.
import type { Clock, TimerHandle } from '../../platform/clock';
import type { RpcId } from './schemas';
import { AppServerProcess, type AppServerSpawnOptions, type ExitInfo, describeExit } from './process';

export interface AppServerClientOptions extends Omit<AppServerSpawnOptions, 'binary'> {
  /** The codex binary, or how to find it (looked up at each start, so a later install is found). */
  binary: string | (() => string);
  /** Wait before restarting a crashed process. */
  restartDelayMs?: number;
  /** At most this many automatic restarts per restartWindowMs; after that, only on demand. */
  maxRestarts?: number;
  restartWindowMs?: number;
}

export interface AppServerHandlers {
  notification(method: string, params: unknown, generation: number): void;
  request(id: RpcId, method: string, params: unknown, generation: number): void;
  /** The process died without being asked to stop. */
  exit(info: ExitInfo, generation: number): void;
  /** A process finished its handshake (generation 1 is the first). */
  ready(generation: number): void;
}

export class AppServerClient {
  handlers: Partial<AppServerHandlers> = {};
  private proc: AppServerProcess | null = null;
  private starting: Promise<AppServerProcess> | null = null;
  private gen = 0;
  private stopped = false;
  private restarts: number[] = [];
  private restartTimer: TimerHandle | null = null;
  private readonly clock: Clock;

  constructor(private readonly opts: AppServerClientOptions) { this.clock = opts.clock; }

  get generation(): number { return this.gen; }
  get pid(): number | undefined { return this.proc?.pid; }
  get running(): boolean { return !!this.proc?.alive; }

  /** The live process, starting one if needed. */
  ensure(): Promise<AppServerProcess> {
    if (this.stopped) return Promise.reject(new Error('the Codex connector is stopped'));
    if (this.proc?.alive) return Promise.resolve(this.proc);
    if (!this.starting) {
      this.starting = this.spawn().finally(() => { this.starting = null; });
    }
    return this.starting;
  }

  async request(method: string, params: unknown, timeoutMs?: number): Promise<unknown> {
    const p = await this.ensure();
    return p.peer.request(method, params, timeoutMs);
  }

  /** Answers a server request; false when the process that asked is gone. */
  respond(generation: number, id: RpcId, result: unknown): boolean {
    if (generation !== this.gen || !this.proc?.alive) return false;
    this.proc.peer.respond(id, result);
    return true;
  }

  respondError(generation: number, id: RpcId, code: number, message: string): boolean {
    if (generation !== this.gen || !this.proc?.alive) return false;
    this.proc.peer.respondError(id, code, message);
    return true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.restartTimer?.cancel();
    const starting = this.starting;
    if (starting) await starting.catch(() => {});
    const p = this.proc;
    this.proc = null;
    if (p) await p.stop();
  }

  private async spawn(): Promise<AppServerProcess> {
    // Only one spawn runs at a time (ensure), so the next generation number is known up front.
    const generation = this.gen + 1;
    const binary = typeof this.opts.binary === 'function' ? this.opts.binary() : this.opts.binary;
    const p = await AppServerProcess.start({ ...this.opts, binary }, peer => {
      peer.onNotification = (method, params) => this.handlers.notification?.(method, params, generation);
      peer.onRequest = (id, method, params) => this.handlers.request?.(id, method, params, generation);
    });
    if (this.stopped) { await p.stop(); throw new Error('the Codex connector is stopped'); }
    this.gen = generation;
    this.proc = p;
    void p.exited.then(info => this.onExit(p, info, generation));
    this.handlers.ready?.(generation);
    return p;
  }

  private onExit(p: AppServerProcess, info: ExitInfo, generation: number): void {
    if (this.proc === p) this.proc = null;
    if (this.stopped) return;
    this.opts.log('error', `codex app-server exited unexpectedly (${describeExit(info)})`);
    this.handlers.exit?.(info, generation);
    const now = this.clock.now();
    const windowMs = this.opts.restartWindowMs ?? 60_000;
    this.restarts = this.restarts.filter(t => now - t < windowMs);
    if (this.restarts.length >= (this.opts.maxRestarts ?? 5)) {
      this.opts.log('error', 'codex app-server keeps exiting; it will be started again on the next request');
      return;
    }
    this.restarts.push(now);
    this.restartTimer = this.clock.setTimeout(() => {
      this.restartTimer = null;
      this.ensure().catch(e => this.opts.log('error', `codex app-server restart failed: ${(e as Error).message}`));
    }, this.opts.restartDelayMs ?? 250);
  }
}
