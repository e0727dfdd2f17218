// Run in a newer VS Code (code-server 4.139.1) whose extension host is Node 24, where the bundled
// better-sqlite3 (built for Node 20's ABI) cannot load: the extension must start on node:sqlite and
// show the engine's sessions. scripts/test-host.sh runs it as the "newer-host" suite.
import * as assert from 'node:assert';
import * as vscode from 'vscode';
import type { FlightdeckApi } from '../../src/extension';
import { putStateSessions } from './fixtures';
import { activateFlightdeck, waitFor } from './helpers';

suite('newer VS Code host (Node ≥ 22, better-sqlite3 unloadable)', () => {
  let api: FlightdeckApi;

  suiteSetup(async () => { ({ api } = await activateFlightdeck()); });

  test('the extension host runs Node ≥ 22, where the bundled better-sqlite3 does not load', () => {
    const major = Number(process.versions.node.split('.')[0]);
    assert.ok(major >= 22, `extension host on Node ${process.versions.node}`);
    assert.throws(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const Database = require('better-sqlite3') as typeof import('better-sqlite3');
      new Database(':memory:').close();
    }, (e: NodeJS.ErrnoException) => e.code === 'ERR_DLOPEN_FAILED' || /NODE_MODULE_VERSION/.test(e.message));
  });

  test('the engine starts on node:sqlite, with full-text search', async () => {
    await api.ready();
    const store = api.runtime?.services?.store;
    assert.ok(store, 'this window leads and runs the store');
    assert.strictEqual(store.driver, 'node:sqlite');
    assert.strictEqual(store.ftsAvailable, true);
  });

  test('sessions put into the engine show in the tree', async () => {
    await api.ready();
    const s = putStateSessions(api.runtime!.engine!, 'newer');
    const labels = () => api.tree.getChildren().filter(g => g.kind === 'group')
      .flatMap(g => api.tree.getChildren(g)).map(n => String(api.tree.getTreeItem(n).label));
    await waitFor('the five sessions in the tree', () => Object.values(s).every(x => labels().includes(x.displayName)));
    // A command that goes through the protocol answers from this engine too.
    const found = await vscode.commands.executeCommand<{ ok: boolean; data?: unknown[] }>('flightdeck.search', 'newer');
    assert.ok(found.ok, JSON.stringify(found));
  });
});
