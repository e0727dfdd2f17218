// A real engine over a real SQLite file in a temp dir, with a fake clock, on the store suites' driver.
import * as path from 'node:path';
import { FakeClock } from '../../src/engine/platform/clock';
import { SessionEngine } from '../../src/engine/sessions/engine';
import type { OpenFilesProbe } from '../../src/engine/sessions/openFiles';
import { openStore } from '../../src/engine/store/sqliteStore';
import type { Store } from '../../src/engine/store/types';
import type { EngineEvent } from '../../src/engine/sessions/bus';
import { TEST_DRIVER } from './storeDriver';
import { tmpDir } from './tmp';

export interface TestEngine { engine: SessionEngine; store: Store; clock: FakeClock; dir: string; file: string; events: EngineEvent[]; restart(): TestEngine; close(): void }

/**
 * @param opts.openFiles which files processes hold open (passive sessions' liveness); by default the
 * engine cannot tell, so no test depends on the processes of the machine it runs on.
 */
export function makeEngine(opts: { dir?: string; clock?: FakeClock; openFiles?: OpenFilesProbe } = {}): TestEngine {
  const dir = opts.dir ?? tmpDir();
  const clock = opts.clock ?? new FakeClock();
  const file = path.join(dir, 'flightdeck.db');
  const store = openStore({ file, clock, driver: TEST_DRIVER });
  const engine = new SessionEngine({ store, clock, openFiles: opts.openFiles ?? (() => null) });
  const events: EngineEvent[] = [];
  engine.bus.subscribe(e => events.push(e));
  engine.start();
  const t: TestEngine = {
    engine, store, clock, dir, file, events,
    restart() { engine.stop(); store.close(); return makeEngine({ dir, clock, openFiles: opts.openFiles }); },
    close() { engine.stop(); store.close(); },
  };
  return t;
}
