// Shared by the host tests: the activated extension's API and bounded polling (never fixed sleeps).
import * as assert from 'node:assert';
import * as vscode from 'vscode';
import type { FlightdeckApi } from '../../src/extension';

export const EXTENSION_ID = 'flightdeck.flightdeck';

export async function activateFlightdeck(): Promise<{ ext: vscode.Extension<FlightdeckApi>; api: FlightdeckApi }> {
  const ext = vscode.extensions.getExtension<FlightdeckApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded (engines.vscode newer than the host?)`);
  const api = await ext.activate();
  return { ext, api };
}

/** Polls `probe` until it returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v as NonNullable<T>;
    } catch (e) { last = e; }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise(r => setTimeout(r, 50));
  }
}
