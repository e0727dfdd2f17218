// Remote engines in a real VS Code (issue 20): Flightdeck: Add Remote Engine joins a real second
// `flightdeck serve` (its own data folder, homes and leader folder, seeded with a dev box's sessions);
// its sessions appear in the Sessions tree named by their host, count in the attention badge and
// notify with the host's name; the token is in SecretStorage, not in settings; a remote diff never
// reads this machine's file at the same path; kill -9 of the remote turns its live sessions
// unreachable; Remove Remote Engine takes them out of the tree.
import * as assert from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FlightdeckApi } from '../../src/extension';
import type { Outcome } from '../../src/vscode/commands';
import type { RemoteStatus } from '../../src/vscode/remoteEngines';
import { type ServeProcess, startServe } from '../helpers/serveProcess';
import { activateFlightdeck, waitFor } from './helpers';

suite('remote engines', () => {
  let api: FlightdeckApi;
  let serve: ServeProcess | undefined;
  let dir: string;
  let url: string;
  let token: string;
  /** A file on THIS machine at the path the remote session changed (on the remote machine). */
  let sameLocalPath: string;
  let runDir: string | undefined;

  const run = (id: string, ...args: unknown[]) => vscode.commands.executeCommand<Outcome>(`flightdeck.${id}`, ...args);
  const rows = () => {
    const out: { group: string; id: string; item: vscode.TreeItem }[] = [];
    for (const g of api.tree.getChildren()) {
      if (g.kind !== 'group') continue;
      for (const node of api.tree.getChildren(g)) {
        const item = api.tree.getTreeItem(node);
        out.push({ group: g.label, id: String(item.id), item });
      }
    }
    return out;
  };
  const remoteRows = () => rows().filter(r => r.id.startsWith('devbox/'));
  const remoteStates = async () => ((await run('showRemoteEngines', false)) as { data: RemoteStatus[] }).data;

  suiteSetup(async function () {
    this.timeout(60_000);
    ({ api } = await activateFlightdeck());
    await api.ready();
    assert.strictEqual(api.runtime?.role, 'leader', 'this window runs the engine');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flightdeck-remote-host-'));
    sameLocalPath = path.join(dir, 'same-path', 'retry.ts');
    fs.mkdirSync(path.dirname(sameLocalPath));
    // Exactly the file the remote's change leads to (RETRIES = 3): read, it would give whole files.
    fs.writeFileSync(sameLocalPath, 'export const RETRIES = 3;\nexport const BASE_MS = 1_000;\n');
    for (const d of ['codex-home', 'claude-home']) fs.mkdirSync(path.join(dir, d));
    // The real engine seeds the dev box's data folder (a child process: not this extension host's engine).
    execFileSync(process.execPath, [path.join(__dirname, '..', 'helpers', 'seedHost.js'), path.join(dir, 'data'), 'devbox', sameLocalPath]);
    // The leader socket's folder is short and under /tmp: the host's own temp folder (inside the
    // checkout's .cache/) can make the socket path longer than the 107 bytes a Unix socket allows.
    runDir = fs.mkdtempSync('/tmp/fd-rh-');
    serve = startServe(['--port', '0', '--data-dir', path.join(dir, 'data'), '--codex-home', path.join(dir, 'codex-home'), '--claude-home', path.join(dir, 'claude-home')],
      { FLIGHTDECK_LEADER_DIR: path.join(runDir, 'run'), FLIGHTDECK_DATA_DIR: path.join(dir, 'data'), CODEX_HOME: path.join(dir, 'codex-home'), CLAUDE_CONFIG_DIR: path.join(dir, 'claude-home') });
    url = (await serve.waitForLine(/WebSocket (ws:\/\/\S+)\)/, 30_000))[1];
    token = fs.readFileSync(path.join(dir, 'data', 'token'), 'utf8').trim();
  });

  suiteTeardown(async () => {
    await run('removeRemoteEngine', 'devbox');
    serve?.child.kill('SIGKILL');
    if (runDir) fs.rmSync(runDir, { recursive: true, force: true });
  });

  test('Add Remote Engine: the setting holds name and URL, never the token; the engine joins it', async () => {
    const o = await run('addRemoteEngine', 'devbox', url, token);
    assert.ok(o.ok, JSON.stringify(o));
    const setting = vscode.workspace.getConfiguration('flightdeck').inspect<unknown>('remotes');
    assert.deepStrictEqual(setting?.globalValue, [{ name: 'devbox', url }]);
    assert.ok(!JSON.stringify(setting).includes(token), 'the token is not in any settings scope');
    const connected = await waitFor('devbox connected', async () => (await remoteStates()).find(r => r.name === 'devbox' && r.state === 'connected'), 20_000);
    assert.strictEqual(connected.url, url);
    assert.ok(!JSON.stringify(connected).includes(token));
  });

  test('its sessions are in the tree under their host: the host leads the row, the tooltip says where it runs', async () => {
    const list = await waitFor('the two devbox sessions in the tree', () => remoteRows().length === 2 ? remoteRows() : undefined, 20_000);
    const approval = list.find(r => r.group === 'Needs attention');
    const other = list.find(r => r !== approval);
    assert.ok(approval && other && other.group !== 'Ended', JSON.stringify(list.map(r => [r.group, r.item.description])));
    assert.match(String(approval.item.description), /^devbox · needs approval · /);
    assert.match(String(other.item.description), /^devbox · (working|waiting for you|idle) · /);
    assert.strictEqual(approval.item.contextValue, 'remote:session:codex:direct:active:needsApproval');
    assert.match((approval.item.tooltip as vscode.MarkdownString).value, /Host: On&nbsp;devbox:&nbsp;its&nbsp;engine&nbsp;owns/);
    // Local rows keep their look: no host prefix.
    for (const r of rows().filter(x => !x.id.includes('/'))) assert.doesNotMatch(String(r.item.description), /^devbox/);
    // The remote approval counts, and its notification names the host.
    await waitFor('the remote approval in the attention count', () => api.tree.attentionCount >= 1);
    const shown = await waitFor('a notification naming devbox', () => api.notifier.shown.find(n => n.sessionId === approval.id));
    assert.match(shown.message, /^Codex on devbox · .*wants approval: pnpm test webhooks/);
  });

  test('a remote session\'s diff never reads this machine\'s file at the same path; local-file commands refuse', async () => {
    // Waited for, not read once: on a loaded machine a run of other suites first left the row briefly
    // outside the tree (undefined here) while the link re-listed the remote's sessions.
    const row = await waitFor('the devbox approval row', () => remoteRows().find(r => r.group === 'Needs attention'), 20_000);
    const s = api.tree.getSession(row.id)!;
    const o = await run('openDiff', s.id, null, sameLocalPath);
    assert.ok(o.ok, JSON.stringify(o));
    assert.strictEqual((o as { data: { source: string } }).data.source, 'hunks', 'the diff alone: the local file was not read');
    await waitFor('the diff tab titled with the host', () => vscode.window.tabGroups.all.flatMap(g => g.tabs).find(t => t.label === 'retry.ts (Flightdeck: turn changes on devbox, changed lines only)'));
    const reveal = await run('revealCwd', s.id);
    assert.ok(reveal.ok && (reveal as { data: { revealed: string } }).data.revealed === 'clipboard', JSON.stringify(reveal));
    assert.strictEqual(await vscode.env.clipboard.readText(), '/srv/app');
  });

  test('a wrong token: Show Remote Engines says unauthorized, with the error; the other remote is unaffected', async () => {
    const o = await run('addRemoteEngine', 'wrongbox', url, 'w'.repeat(32));
    assert.ok(o.ok, JSON.stringify(o));
    const refused = await waitFor('wrongbox unauthorized', async () => (await remoteStates()).find(r => r.name === 'wrongbox' && r.state === 'unauthorized'), 20_000);
    assert.ok(refused.lastError, 'the state carries the reason');
    await waitFor('the status bar names the refused remote', () => /wrongbox: unauthorized/.test(api.remoteStatus.tooltip) ? true : undefined);
    assert.ok((await remoteStates()).find(r => r.name === 'devbox' && r.state === 'connected'), 'devbox stays connected');
    assert.strictEqual(remoteRows().length, 2);
    assert.ok((await run('removeRemoteEngine', 'wrongbox')).ok);
    await waitFor('wrongbox gone', async () => !(await remoteStates()).some(r => r.name === 'wrongbox'));
  });

  test('kill -9 of the remote: its live sessions turn unreachable (not ended, not working, not counted), the state says why', async () => {
    const before = api.tree.attentionCount;
    serve!.child.kill('SIGKILL');
    await serve!.exited;
    const list = await waitFor('both devbox sessions unreachable', () => {
      const r = remoteRows();
      return r.length === 2 && r.every(x => x.group === 'Unreachable') ? r : undefined;
    }, 20_000);
    for (const r of list) {
      assert.match(String(r.item.description), /^devbox · unreachable · /);
      assert.match(String(r.item.contextValue), /^remote:session:unreachable:/);
      assert.strictEqual((r.item.iconPath as vscode.ThemeIcon).id, 'debug-disconnect');
      const s = api.tree.getSession(r.id)!;
      assert.strictEqual(s.status, 'active');
      assert.deepStrictEqual(s.host, { name: 'devbox', reachable: false });
    }
    assert.strictEqual(api.tree.attentionCount, before - 1, 'the unreachable approval is no longer counted');
    const state = await waitFor('devbox unreachable in Show Remote Engines', async () => (await remoteStates()).find(r => r.name === 'devbox' && r.state === 'unreachable'));
    assert.ok(state.lastError, 'the state carries the error');
  });

  test('Remove Remote Engine: its sessions leave the tree, the setting is empty', async () => {
    const o = await run('removeRemoteEngine', 'devbox');
    assert.ok(o.ok, JSON.stringify(o));
    await waitFor('no devbox rows', () => remoteRows().length === 0);
    assert.deepStrictEqual(vscode.workspace.getConfiguration('flightdeck').inspect<unknown>('remotes')?.globalValue, []);
    assert.deepStrictEqual((await remoteStates()).map(r => r.name), []);
  });
});
