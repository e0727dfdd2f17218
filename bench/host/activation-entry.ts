// Test entry (VS Code's extensionTestsPath) for `npm run bench`: activates Flightdeck once inside the
// real extension host that scripts/vscode-host.sh starts, and prints one machine-readable line:
//   FD-ACTIVATION {"activateMs":…,"engineReadyMs":…,…}
// activateMs = `await getExtension('flightdeck.flightdeck').activate()` (the host loads dist/extension.js
// and runs activate()); engineReadyMs = from the same start until the returned API's ready() resolves
// (engine started in the background, protocol client connected). One activation per host start: it
// fails when the extension is already active. Compiled by the root tsconfig to
// out/bench/host/activation-entry.js; not a host test (test/host/index.ts loads only out/test/host/).
import * as vscode from 'vscode';
import type { FlightdeckApi } from '../../src/extension';

const EXTENSION_ID = 'flightdeck.flightdeck';
/** Set by bench/hostActivation.ts to fresh temp dirs, so the machine's real sessions stay out of the measurement. */
const ISOLATION_ENV = ['FLIGHTDECK_DATA_DIR', 'FLIGHTDECK_LEADER_DIR', 'CODEX_HOME', 'CLAUDE_CONFIG_DIR'] as const;

export async function run(): Promise<void> {
  const unset = ISOLATION_ENV.filter(name => !process.env[name]);
  if (unset.length) throw new Error(`FD-ACTIVATION: ${unset.join(', ')} not set; run this entry through npm run bench (bench/hostActivation.ts)`);
  const ext = vscode.extensions.getExtension<FlightdeckApi>(EXTENSION_ID);
  if (!ext) throw new Error(`FD-ACTIVATION: extension ${EXTENSION_ID} is not loaded in this host (engines.vscode newer than VS Code ${vscode.version}?)`);
  if (ext.isActive) throw new Error(`FD-ACTIVATION: ${EXTENSION_ID} is already active before the measurement; this run cannot time a cold activation`);

  const t0 = performance.now();
  const api = await ext.activate();
  const activateMs = performance.now() - t0;
  await api.ready();
  const engineReadyMs = performance.now() - t0;

  console.log(`FD-ACTIVATION ${JSON.stringify({
    activateMs, engineReadyMs, role: api.runtime?.role ?? 'none', vscode: vscode.version, node: process.versions.node,
  })}`);
}
