// Run with a data dir whose database cannot be opened (scripts/test-host.sh makes flightdeck.db a
// folder): the engine does not start, and VS Code and the extension keep working and say why.
import * as assert from 'node:assert';
import * as vscode from 'vscode';
import type { Outcome } from '../../src/vscode/commands';
import { activateFlightdeck, waitFor } from './helpers';

suite('when the database cannot be opened', () => {
  test('activation succeeds but the engine reports the store error', async () => {
    const { ext, api } = await activateFlightdeck();
    assert.ok(ext.isActive);
    await assert.rejects(api.ready(), /cannot open its database/);
    assert.strictEqual(api.runtime, undefined);
  });

  test('the tree shows the reason instead of sessions', async () => {
    const { api } = await activateFlightdeck();
    const children = await waitFor('the message row', () => {
      const c = api.tree.getChildren();
      return c.length === 1 && c[0].kind === 'message' ? c : undefined;
    });
    const item = api.tree.getTreeItem(children[0]);
    assert.match(String(item.label), /Flightdeck cannot open its database/);
  });

  test('commands are registered and say why they cannot run', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.ok(registered.has('flightdeck.refresh') && registered.has('flightdeck.search'));
    for (const [command, args] of [['refresh', []], ['search', ['anything']], ['newCodexSession', ['/tmp', 'hi']]] as const) {
      const o = await vscode.commands.executeCommand<Outcome>(`flightdeck.${command}`, ...args);
      assert.ok(!o.ok && o.code === 'engine_unavailable', `${command}: ${JSON.stringify(o)}`);
      assert.match(o.message, /cannot open its database/);
    }
  });
});
