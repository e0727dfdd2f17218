// How a process joins Flightdeck: it becomes the one leader (and runs the engine) or attaches to the
// leader as a client. When the leader goes away, the followers elect a new one within about 2 s.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { ProtocolClient } from './protocol/client';
import { inProcessTransport } from './clients/inProcess';
import { defaultLeaderDir, socketPathFor, tryBecomeLeader } from './leader/election';
import { connectFollower, serveFollower } from './leader/socketTransport';
import type { SessionEngine } from './sessions/engine';
import { type ServiceOptions, type Services, startServices } from './services';

export interface RuntimeOptions extends ServiceOptions {
  /** Where the leader socket lives; one per user and machine by default. */
  leaderDir?: string;
  /** Called after this process became the leader and its services run (e.g. to start the hub). */
  onLeader?: (services: Services) => Promise<void> | void;
}

export type Role = 'leader' | 'follower';

export interface Runtime {
  readonly role: Role;
  /** The engine, when this process is the leader. */
  readonly engine: SessionEngine | undefined;
  readonly services: Services | undefined;
  /** A protocol client: in-process when leader, over the leader socket when follower. */
  connect(): Promise<ProtocolClient>;
  onRoleChange(cb: (role: Role) => void): () => void;
  stop(): Promise<void>;
}

const RETRY_MS = 250;

export async function startRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const leaderDir = opts.leaderDir ?? defaultLeaderDir();
  const socketPath = socketPathFor(leaderDir);
  let role: Role = 'follower';
  let services: Services | undefined;
  let server: net.Server | undefined;
  let stopped = false;
  let electing: Promise<void> | null = null;
  const roleListeners = new Set<(r: Role) => void>();

  async function elect(): Promise<void> {
    while (!stopped && role === 'follower') {
      const candidate = net.createServer(socket => {
        if (!services) { socket.destroy(); return; }
        serveFollower(socket, { engine: services.engine, replay: services.replay, remotes: services.remotes, serverVersion: opts.version, log: opts.log });
      });
      if (await tryBecomeLeader(leaderDir, candidate)) {
        server = candidate;
        try {
          services = await startServices({ endpointDir: leaderDir, ...opts });
        } catch (e) {
          // Without a store there is no engine: give the socket up so the error is not hidden behind a dead leader.
          candidate.close();
          server = undefined;
          throw e;
        }
        role = 'leader';
        writeLeaderInfo(leaderDir, opts);
        opts.log('info', `runtime: this process (pid ${process.pid}) is the Flightdeck leader`);
        try {
          await opts.onLeader?.(services);
        } catch (e) {
          // The leader could not finish starting (e.g. the hub port is taken): leave no endpoint,
          // socket or leader file behind for hooks and other windows to find.
          await services.stop().catch(() => {});
          services = undefined;
          await new Promise<void>(r => candidate.close(() => r()));
          server = undefined;
          role = 'follower';
          try { fs.unlinkSync(path.join(leaderDir, 'leader.json')); } catch { /* gone */ }
          throw e;
        }
        for (const l of roleListeners) l(role);
        return;
      }
      candidate.close();
      // Someone else leads: attach (connect() checks it answers).
      return;
    }
  }

  function watchLeader(client: ProtocolClient): void {
    client.onClose(() => {
      if (stopped || role === 'leader') return;
      // The leader went away: after a short random delay (so followers do not all race at once) try to take over.
      setTimeout(() => { void ensureElected(); }, Math.floor(Math.random() * RETRY_MS));
    });
  }

  function ensureElected(): Promise<void> {
    if (!electing) electing = elect().finally(() => { electing = null; });
    return electing;
  }

  await ensureElected();

  const runtime: Runtime = {
    get role() { return role; },
    get engine() { return services?.engine; },
    get services() { return services; },
    async connect() {
      const deadline = Date.now() + 10_000;
      for (;;) {
        if (stopped) throw new Error('the Flightdeck runtime is stopped');
        if (role === 'leader' && services) {
          return new ProtocolClient(inProcessTransport({ engine: services.engine, replay: services.replay, remotes: services.remotes, serverVersion: opts.version, log: opts.log }), 'local');
        }
        try {
          const client = new ProtocolClient(await connectFollower(socketPath), `f${process.pid}-`);
          watchLeader(client);
          return client;
        } catch (e) {
          if (Date.now() > deadline) throw new Error(`cannot reach the Flightdeck engine: ${(e as Error).message}`);
          await ensureElected();
          if (role !== 'leader') await new Promise(r => setTimeout(r, RETRY_MS));
        }
      }
    },
    onRoleChange(cb) { roleListeners.add(cb); return () => { roleListeners.delete(cb); }; },
    async stop() {
      stopped = true;
      await services?.stop();
      await new Promise<void>(r => (server ? server.close(() => r()) : r()));
      if (role === 'leader') { try { fs.unlinkSync(path.join(leaderDir, 'leader.json')); } catch { /* gone */ } }
    },
  };
  return runtime;
}

function writeLeaderInfo(leaderDir: string, opts: RuntimeOptions): void {
  const info = { pid: process.pid, dataDir: opts.dataDir, version: opts.version, since: new Date().toISOString() };
  fs.writeFileSync(path.join(leaderDir, 'leader.json'), JSON.stringify(info, null, 2), { mode: 0o600 });
}
