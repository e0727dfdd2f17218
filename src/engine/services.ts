// The engine and everything the leader runs around it: store, replay buffer, providers, watchers.
// Used by the VS Code extension host (when it is the leader) and by `flightdeck serve`.
import * as path from 'node:path';
import { ReplayBuffer } from './hub/replay';
import { attachReplay } from './hub/connection';
import { type Clock, systemClock } from './sessions/clock';
import { type LogFn, SessionEngine } from './sessions/engine';
import { openStore } from './store/sqliteStore';
import type { Store } from './store/types';

export interface ServiceOptions {
  dataDir: string;
  version: string;
  log: LogFn;
  clock?: Clock;
  codexHome?: string;
  claudeHome?: string;
  codexPath?: string;
  claudePath?: string;
}

export interface Services {
  engine: SessionEngine;
  store: Store;
  replay: ReplayBuffer;
  stop(): Promise<void>;
}

export const DB_FILE = 'flightdeck.db';

export async function startServices(opts: ServiceOptions): Promise<Services> {
  const clock = opts.clock ?? systemClock;
  const store = openStore({ file: path.join(opts.dataDir, DB_FILE), clock, log: opts.log });
  const engine = new SessionEngine({ store, clock, log: opts.log });
  const replay = attachReplay(engine);
  engine.start();
  const stoppers: (() => Promise<void> | void)[] = [];
  return {
    engine, store, replay,
    async stop() {
      for (const s of stoppers.reverse()) await s();
      engine.stop();
      store.close();
    },
  };
}
