// The window's one protocol client to the engine, whoever runs it (this window as leader, or another
// window / `flightdeck serve` over the leader socket). When the client closes because the leader
// went away, it connects again, and views re-subscribe on the new client.
import * as vscode from 'vscode';
import type { ProtocolClient } from '../engine/protocol';

export type EngineState =
  | { kind: 'starting'; detail: string }
  | { kind: 'ready'; client: ProtocolClient }
  | { kind: 'failed'; message: string };

/** Thrown to command handlers when there is no engine to talk to; the message says why. */
export class EngineUnavailableError extends Error {
  constructor(message: string) { super(message); this.name = 'EngineUnavailableError'; }
}

const RECONNECT_DELAYS_MS = [0, 1_000, 3_000, 10_000, 30_000];

export class EngineConnection implements vscode.Disposable {
  private _state: EngineState = { kind: 'starting', detail: 'Starting the Flightdeck engine…' };
  private readonly changed = new vscode.EventEmitter<EngineState>();
  readonly onDidChangeState = this.changed.event;
  private connectFn: (() => Promise<ProtocolClient>) | undefined;
  private disposed = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly log: vscode.LogOutputChannel) {}

  get state(): EngineState { return this._state; }
  get current(): ProtocolClient | undefined { return this._state.kind === 'ready' ? this._state.client : undefined; }

  /** Starts using `connect` (the runtime's) to get clients, now and after every disconnect. */
  attach(connect: () => Promise<ProtocolClient>): void {
    this.connectFn = connect;
    void this.connect(0);
  }

  /** The engine cannot run in this window (e.g. the database driver did not load). */
  fail(message: string): void {
    this.setState({ kind: 'failed', message });
  }

  /** The current client; waits while the engine starts or reconnects, at most `timeoutMs`. */
  async client(timeoutMs = 30_000): Promise<ProtocolClient> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = this._state;
      if (s.kind === 'ready') return s.client;
      if (s.kind === 'failed') throw new EngineUnavailableError(s.message);
      const left = deadline - Date.now();
      if (left <= 0) throw new EngineUnavailableError('The Flightdeck engine is not ready yet (still starting). Try again in a moment.');
      await new Promise<void>(resolve => {
        const t = setTimeout(() => { sub.dispose(); resolve(); }, left);
        const sub = this.onDidChangeState(() => { clearTimeout(t); sub.dispose(); resolve(); });
      });
    }
  }

  dispose(): void {
    this.disposed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.current?.close();
    this.changed.dispose();
  }

  private async connect(attempt: number): Promise<void> {
    if (this.disposed || !this.connectFn) return;
    try {
      const client = await this.connectFn();
      if (this.disposed) { client.close(); return; }
      client.onClose(reason => this.lost(reason));
      this.setState({ kind: 'ready', client });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.log.warn(`engine connection: attempt ${attempt + 1} failed: ${message}`);
      const delay = RECONNECT_DELAYS_MS[Math.min(attempt + 1, RECONNECT_DELAYS_MS.length - 1)];
      this.setState(attempt + 1 >= RECONNECT_DELAYS_MS.length
        ? { kind: 'failed', message: `Flightdeck cannot reach its engine: ${message}. Retrying every ${delay / 1000} s.` }
        : { kind: 'starting', detail: 'Reconnecting to the Flightdeck engine…' });
      this.retryTimer = setTimeout(() => { void this.connect(attempt + 1); }, delay);
    }
  }

  private lost(reason: string): void {
    if (this.disposed) return;
    this.log.info(`engine connection closed (${reason}); reconnecting`);
    this.setState({ kind: 'starting', detail: 'Reconnecting to the Flightdeck engine…' });
    void this.connect(0);
  }

  private setState(s: EngineState): void {
    this._state = s;
    if (!this.disposed) this.changed.fire(s);
  }
}
