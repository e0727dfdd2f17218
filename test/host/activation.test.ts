import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { activateFlightdeck } from './helpers';

interface Manifest {
  contributes: {
    commands: { command: string; title: string; category?: string; icon?: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
    configuration: { properties: Record<string, { description?: string; markdownDescription?: string; scope?: string }> };
  };
}

suite('activation and manifest', () => {
  let manifest: Manifest;
  suiteSetup(async () => {
    const { ext, api } = await activateFlightdeck();
    manifest = ext.packageJSON as Manifest;
    await api.ready();
  });

  test('the extension activates and this window leads the engine', async () => {
    const { ext, api } = await activateFlightdeck();
    assert.ok(ext.isActive);
    assert.strictEqual(api.runtime?.role, 'leader');
    assert.ok(api.runtime?.engine, 'the leader has an engine');
    assert.ok(api.client && !api.client.isClosed, 'a protocol client is connected');
  });

  test('every contributed command is registered, with the Flightdeck category and an icon', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed = manifest.contributes.commands;
    assert.ok(contributed.length >= 11, `only ${contributed.length} commands contributed`);
    for (const c of contributed) {
      assert.ok(registered.has(c.command), `${c.command} is contributed but not registered`);
      assert.strictEqual(c.category, 'Flightdeck', c.command);
      assert.match(c.icon ?? '', /^\$\([a-z-~]+\)$/, `${c.command} has no codicon`);
    }
  });

  test('menus name only contributed commands', () => {
    const ids = new Set(manifest.contributes.commands.map(c => c.command));
    for (const [menu, entries] of Object.entries(manifest.contributes.menus)) {
      for (const e of entries) assert.ok(ids.has(e.command), `${menu} names unknown command ${e.command}`);
    }
  });

  test('item menus match the contextValue of the states they act on', () => {
    const whenOf = (command: string, inline: boolean) => manifest.contributes.menus['view/item/context']
      .find(e => e.command === command && (e.when ?? '').length > 0 && inline === /^inline/.test((e as { group?: string }).group ?? ''))?.when ?? '';
    const regexIn = (when: string) => {
      const m = /viewItem =~ \/(.+)\/$/.exec(when);
      assert.ok(m, `no viewItem regex in "${when}"`);
      return new RegExp(m[1]);
    };
    // The format the tree test checks on real rows.
    const context = (workStatus: string, status = 'active') => `session:codex:direct:${status}:${workStatus}`;
    const approve = regexIn(whenOf('flightdeck.approve', true));
    assert.ok(approve.test(context('needsApproval')));
    assert.ok(!approve.test(context('waiting')) && !approve.test(context('needsAnswer')));
    const interrupt = regexIn(whenOf('flightdeck.interrupt', true));
    assert.ok(interrupt.test(context('working')));
    assert.ok(!interrupt.test(context('idle', 'ended')));
    const end = regexIn(whenOf('flightdeck.endSession', false));
    assert.ok(end.test(context('waiting')) && !end.test(context('idle', 'ended')));
  });

  test('every setting has a description and a scope', () => {
    const props = manifest.contributes.configuration.properties;
    for (const key of ['codex.path', 'codex.home', 'claude.path', 'claude.home', 'hub.enabled', 'hub.port', 'hub.host', 'dataDir', 'notifications.enabled']) {
      const p = props[`flightdeck.${key}`];
      assert.ok(p, `flightdeck.${key} is not contributed`);
      assert.ok(p.description || p.markdownDescription, `flightdeck.${key} has no description`);
      assert.ok(p.scope, `flightdeck.${key} has no scope`);
    }
    assert.strictEqual(vscode.workspace.getConfiguration('flightdeck').get('hub.enabled'), false);
    assert.strictEqual(vscode.workspace.getConfiguration('flightdeck').get('hub.port'), 4000);
  });
});
