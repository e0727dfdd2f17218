// Extension-host side of the screenshot run (scripts/screenshots.sh): VS Code loads this as the
// run's extensionTestsPath, so the test-only recording provider (recordingController.cjs) is
// registered from the test host's own entry, never by the shipped extension. It activates
// Flightdeck, puts the recorder first in line, writes "<decisions file>.ready" for the driver
// (test/host/shots.cjs waits for it before clicking Approve) and then stays pending: the driver
// takes its pictures and stops code-server.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SessionEngine } from '../../src/engine/sessions/engine';
import { activateFlightdeck } from './helpers';

/** Not compiled: read from the source tree next to this file's source. */
const RECORDER = path.join(__dirname, '..', '..', '..', 'test', 'host', 'recordingController.cjs');

export async function run(): Promise<void> {
  const decisions = process.env.FLIGHTDECK_TEST_DECISIONS;
  if (!decisions) throw new Error('FLIGHTDECK_TEST_DECISIONS is not set');
  const { api } = await activateFlightdeck();
  await api.ready();
  const engine = api.runtime?.engine;
  if (!engine) throw new Error('this window does not run the engine (another leader?)');
  (require(RECORDER) as { register(e: SessionEngine): () => void }).register(engine);
  fs.writeFileSync(`${decisions}.ready`, 'registered\n');
  await new Promise<never>(() => { /* until the driver stops code-server */ });
}
