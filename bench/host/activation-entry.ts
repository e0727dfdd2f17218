// Test entry (VS Code's extensionTestsPath) for `npm run bench`: activates Flightdeck once inside the
// real extension host that scripts/vscode-host.sh starts, and prints one machine-readable line:
//   FD-ACTIVATION {"activateMs":…,"engineReadyMs":…,…}
// activateMs = `await getExtension('flightdeck.flightdeck').activate()` (the host loads dist/extension.js
// and runs activate()); engineReadyMs = from the same start until the returned API's ready() resolves
// (engine started in the background, protocol client connected). One activation per host start: it
// fails when the extension is already active. Compiled by the root tsconfig to
// out/bench/host/activation-entry.js; not a host test (test/host/index.ts loads only out/test/host/).
import Module from 'node:module';
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

  // Time every require() made while activating (the host intercepts `vscode` and builds the API
  // object for the extension on its first require): where the bundle's evaluation goes.
  const requires = new Map<string, number>();
  const proto = Module.prototype as unknown as { require(id: string): unknown };
  const original = proto.require;
  let depth = 0;
  proto.require = function (this: unknown, id: string) {
    const start = performance.now();
    depth++;
    try { return original.call(this, id); } finally {
      depth--;
      // The host's require of the bundle (depth 0) and the bundle's own requires (depth 1).
      if (depth <= 1) requires.set(id, (requires.get(id) ?? 0) + performance.now() - start);
    }
  };
  const t0 = performance.now();
  let api: FlightdeckApi;
  try { api = await ext.activate(); } finally { proto.require = original; }
  const activateMs = performance.now() - t0;
  // Where ext.activate() went: the host before it evaluated our bundle, the bundle's evaluation, our
  // activate() itself, and the host after activate() returned (same clock: this is the same process).
  const marks = api.activationMarks;
  const evalStart = marks.evalStart ?? marks.activateStart;
  const evalEnd = marks.evalEnd ?? marks.activateStart;
  const phases = {
    hostBeforeLoadMs: evalStart - t0, bundleEvalMs: evalEnd - evalStart, hostBetweenMs: marks.activateStart - evalEnd,
    activateBodyMs: marks.activateEnd - marks.activateStart, hostAfterMs: t0 + activateMs - marks.activateEnd,
  };
  await api.ready();
  const engineReadyMs = performance.now() - t0;
  // The tree has the engine's list (what a user sees in the Sessions view): from the same start.
  if (!api.tree.loaded) {
    await new Promise<void>(resolve => {
      const sub = api.tree.onDidChangeTreeData(() => { if (api.tree.loaded) { sub.dispose(); resolve(); } });
    });
  }
  const treeLoadedMs = performance.now() - t0;

  console.log(`FD-ACTIVATION ${JSON.stringify({
    activateMs, ...phases, requires: Object.fromEntries([...requires].sort((a, b) => b[1] - a[1]).slice(0, 8)), engineReadyMs, treeLoadedMs, role: api.runtime?.role ?? 'none', vscode: vscode.version, node: process.versions.node,
  })}`);
}
