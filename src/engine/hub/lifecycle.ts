// The WebSocket hub's life next to a leading engine, shared by the VS Code extension and
// `flightdeck serve`: started once (a second start returns the running hub), restarted on a new
// address, stopped, and given a new token (which closes the connections that used the old one).
import type { ReplayBuffer } from '../clients/replay';
import type { RemoteEngines } from '../remotes';
import type { LogFn } from '../platform/log';
import type { SessionEngine } from '../sessions/engine';
import { type HubHandle, type HubOptions, startHub } from './server';

/** Where the hub listens and whom it lets in (flightdeck.hub.* settings, or serve's flags). */
export type HubAddress = Pick<HubOptions, 'host' | 'port' | 'allowNonLoopback' | 'allowedOrigins'>;

export class HubLifecycle {
  private hub: HubHandle | undefined;
  /** A start under way: a second start (command + setting at once) joins it instead of binding twice. */
  private starting: Promise<HubHandle> | undefined;

  constructor(private readonly base: { log: LogFn; version: string; webRoot?: string }) {}

  get running(): HubHandle | undefined { return this.hub; }

  /** Starts the hub for this engine, or returns the one running. */
  async start(services: { engine: SessionEngine; replay: ReplayBuffer; remotes?: RemoteEngines }, token: string, address: HubAddress): Promise<HubHandle> {
    if (this.hub) return this.hub;
    this.starting ??= startHub({ ...this.base, ...address, engine: services.engine, replay: services.replay, remotes: services.remotes, token }).then(hub => {
      this.hub = hub;
      this.base.log('info', `Flightdeck hub: ${hub.httpUrl} (WebSocket ${hub.url})`);
      return hub;
    }).finally(() => { this.starting = undefined; });
    return this.starting;
  }

  /** Stops a running hub (its clients are disconnected); nothing when none runs. */
  async stop(why: string): Promise<void> {
    const hub = this.hub;
    if (!hub) return;
    this.hub = undefined;
    await hub.close();
    this.base.log('info', `Flightdeck hub stopped (${why})`);
  }

  /** Gives a running hub a new token; returns how many clients it closed (0 when none runs). */
  rotateToken(token: string): number {
    if (!this.hub) return 0;
    const dropped = this.hub.connectionCount();
    this.hub.setToken(token);
    return dropped;
  }
}
