// Shared by the hub tests: a real engine over a real SQLite file in a temp dir, a hub on an
// ephemeral loopback port, and protocol clients over real sockets that wait for messages with
// bounded deadlines (never sleeps).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import WebSocket from 'ws';
import { ServerMessage, type ClientMessage } from '../../src/engine/protocol';
import { ClientState } from '../../src/engine/protocol/mirror/clientState';
import { attachReplay } from '../../src/engine/clients/connection';
import type { ReplayBuffer } from '../../src/engine/clients/replay';
import { type HubHandle, type HubOptions, startHub } from '../../src/engine/hub/server';
import { generateToken } from '../../src/engine/hub/token';
import { FakeClock } from '../../src/engine/platform/clock';
import { SessionEngine } from '../../src/engine/sessions/engine';
import { openStore } from '../../src/engine/store';
import type { Store } from '../../src/engine/store/types';

export interface Rig {
  dir: string;
  clock: FakeClock;
  store: Store;
  engine: SessionEngine;
  replay: ReplayBuffer;
  hub: HubHandle;
  token: string;
  logs: string[];
  /** Waits for a condition about the hub, re-checked at every line it logs (connects, drops, refusals). */
  until<T>(check: () => T | undefined | false, ms?: number, what?: string): Promise<T>;
  close(): Promise<void>;
}

export async function startRig(over: Partial<HubOptions> = {}, clock = new FakeClock()): Promise<Rig> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-hub-'));
  const store = openStore({ file: path.join(dir, 'flightdeck.db'), clock });
  const engine = new SessionEngine({ store, clock });
  engine.start();
  const replay = attachReplay(engine);
  const token = generateToken();
  const logs: string[] = [];
  const wakers = new Set<() => void>();
  const hub = await startHub({
    engine, replay, port: 0, token, version: '0.1.0-test', ...over,
    log: (level, msg) => { logs.push(`${level}: ${msg}`); for (const w of [...wakers]) w(); },
  });
  return {
    dir, clock, store, engine, replay, hub, token: over.token ?? token, logs,
    until: (check, ms = 10_000, what = 'the hub') => until(check, w => { wakers.add(w); return () => { wakers.delete(w); }; }, ms, what),
    async close() {
      await hub.close();
      engine.stop();
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits for a condition re-checked whenever `subscribe` signals, failing after ms. */
export function until<T>(check: () => T | undefined | false, subscribe: (wake: () => void) => () => void, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const first = check();
    if (first) return resolve(first);
    let off = () => {};
    const timer = setTimeout(() => { off(); reject(new Error(`timed out after ${ms} ms waiting for ${what}`)); }, ms);
    off = subscribe(() => {
      const v = check();
      if (v) { clearTimeout(timer); off(); resolve(v); }
    });
  });
}

export class TestClient {
  readonly received: ServerMessage[] = [];
  readonly state: ClientState;
  private wakers = new Set<() => void>();
  private nextId = 1;
  closeCode: number | null = null;

  private constructor(readonly ws: WebSocket, state?: ClientState) {
    this.state = state ?? new ClientState();
    ws.on('message', data => {
      // Every server message must match the protocol schema.
      const m = ServerMessage.parse(JSON.parse(String(data)));
      this.received.push(m);
      this.state.apply(m);
      for (const w of [...this.wakers]) w();
    });
    ws.on('close', code => { this.closeCode = code; for (const w of [...this.wakers]) w(); });
  }

  /** `state`: carry a previous connection's state over, as a reconnecting client does. */
  static async connect(url: string, opts: { token?: string; headers?: Record<string, string>; protocols?: string[]; state?: ClientState } = {}): Promise<TestClient> {
    const headers = { ...(opts.token ? { Authorization: `Bearer ${opts.token}` } : {}), ...opts.headers };
    const ws = new WebSocket(url, opts.protocols ?? [], { headers });
    const c = new TestClient(ws, opts.state);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
    });
    return c;
  }

  send(m: ClientMessage | Record<string, unknown> | string): void {
    this.ws.send(typeof m === 'string' ? m : JSON.stringify(m));
  }

  waitFor<T extends ServerMessage>(pred: (m: ServerMessage) => m is T, ms?: number, what?: string): Promise<T>;
  waitFor(pred: (m: ServerMessage) => boolean, ms?: number, what?: string): Promise<ServerMessage>;
  waitFor(pred: (m: ServerMessage) => boolean, ms = 10_000, what = 'a message'): Promise<ServerMessage> {
    let seen = 0;
    return until(() => {
      for (; seen < this.received.length; seen++) if (pred(this.received[seen])) return this.received[seen];
      return undefined;
    }, w => this.onWake(w), ms, what);
  }

  waitUntil<T>(check: () => T | undefined | false, ms = 10_000, what = 'a condition'): Promise<T> {
    return until(check, w => this.onWake(w), ms, what);
  }

  /** Sends with a fresh requestId and resolves with the answer that echoes it (error included). */
  async request(m: Record<string, unknown>, ms = 10_000): Promise<ServerMessage> {
    const requestId = `t${this.nextId++}`;
    this.send({ ...m, requestId });
    return this.waitFor(x => 'requestId' in x && x.requestId === requestId, ms, `the answer to ${String(m.type)}`);
  }

  closed(ms = 10_000): Promise<number> {
    return this.waitUntil(() => this.closeCode ?? undefined, ms, 'the socket to close');
  }

  close(): void { this.ws.terminate(); }

  private onWake(w: () => void): () => void {
    this.wakers.add(w);
    return () => { this.wakers.delete(w); };
  }
}

/** An HTTP response status for an upgrade attempt that should fail. */
export async function upgradeStatus(url: string, opts: { headers?: Record<string, string>; protocols?: string[] } = {}): Promise<number> {
  try {
    const c = await TestClient.connect(url, opts);
    c.close();
    return 101;
  } catch (e) {
    const status = (e as { status?: number }).status;
    if (status === undefined) throw e;
    return status;
  }
}
