// Issue 19, item 5: the data dir is the user's alone whatever the options (it holds every transcript),
// and the hub token never goes on the command line, where every local user can read it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FakeClock } from '../../src/engine/platform/clock';
import { SessionEngine } from '../../src/engine/sessions/engine';
import { generateToken } from '../../src/engine/hub/token';
import { openStore } from '../../src/engine/store/sqliteStore';
import { type ServeProcess, startServe } from '../helpers/serveProcess';
import { TEST_DRIVER } from '../helpers/storeDriver';
import { cleanupTmpDirs, tmpDir } from '../helpers/tmp';
import { upgradeStatus } from './hub-harness';

const mode = (f: string) => fs.statSync(f).mode & 0o777;

function dbModes(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).filter(f => f.startsWith('flightdeck.db')).map(f => [f, mode(path.join(dir, f)).toString(8)]));
}

describe('private files and the hub token (issue 19)', function () {
  this.timeout(60_000);
  const procs: ServeProcess[] = [];
  let umask = 0;
  before(() => { umask = process.umask(0o022); });
  after(() => { process.umask(umask); for (const p of procs) p.child.kill('SIGKILL'); cleanupTmpDirs(); });

  it('a new data dir is 0700 and the database, WAL and SHM are 0600 under umask 022', () => {
    const dir = path.join(tmpDir('fd-priv-'), 'nested', 'data');
    const store = openStore({ file: path.join(dir, 'flightdeck.db'), clock: new FakeClock(), driver: TEST_DRIVER });
    try {
      const engine = new SessionEngine({ store, clock: new FakeClock() });
      engine.createSession({ provider: 'codex', mode: 'passive', cwd: dir });
      store.flush();
      assert.equal(mode(dir).toString(8), '700');
      const modes = dbModes(dir);
      assert.ok(modes['flightdeck.db-wal'], `WAL exists: ${JSON.stringify(modes)}`);
      for (const [f, m] of Object.entries(modes)) assert.equal(m, '600', `${f} is ${m}`);
    } finally { store.close(); }
  });

  it('an existing dir and database left readable by an older version are tightened, with a warning', () => {
    const dir = path.join(tmpDir('fd-priv-'), 'old');
    fs.mkdirSync(dir, { mode: 0o755 });
    fs.chmodSync(dir, 0o755);
    const first = openStore({ file: path.join(dir, 'flightdeck.db'), clock: new FakeClock(), driver: TEST_DRIVER });
    first.close();
    for (const f of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, f), 0o644);
    fs.chmodSync(dir, 0o755);
    const logs: string[] = [];
    const store = openStore({ file: path.join(dir, 'flightdeck.db'), clock: new FakeClock(), driver: TEST_DRIVER, log: (l, m) => logs.push(`${l}: ${m}`) });
    try {
      assert.equal(mode(dir).toString(8), '700');
      for (const [f, m] of Object.entries(dbModes(dir))) assert.equal(m, '600', `${f} is ${m}`);
      assert.ok(logs.some(l => /^warn: .*readable by other users/.test(l)), logs.join('\n'));
    } finally { store.close(); }
  });

  async function serve(name: string, args: string[], env: Record<string, string> = {}): Promise<{ p: ServeProcess; wsUrl: string; data: string }> {
    const base = path.join(tmpDir('fd-tok-'), name);
    const data = path.join(base, 'data');
    const p = startServe(['--port', '0', '--data-dir', data, '--codex-home', path.join(base, 'codex'), ...args],
      { FLIGHTDECK_LEADER_DIR: path.join(base, 'run'), HOME: base, CLAUDE_CONFIG_DIR: path.join(base, 'claude'), ...env });
    procs.push(p);
    const m = await p.waitForLine(/serving \S+ \(WebSocket (\S+)\)/);
    return { p, wsUrl: m[1], data };
  }

  it('serve takes the token from --token-file or FLIGHTDECK_TOKEN, keeps it off the command line, and makes its files private', async () => {
    const token = generateToken();
    const file = path.join(tmpDir('fd-tokf-'), 'hub-token');
    fs.writeFileSync(file, `${token}\n`, { mode: 0o600 });
    const a = await serve('file', ['--token-file', file]);
    assert.equal(await upgradeStatus(a.wsUrl, { headers: { Authorization: `Bearer ${token}` } }), 101);
    assert.equal(fs.readFileSync(`/proc/${a.p.child.pid}/cmdline`, 'utf8').includes(token), false, 'the token is not in /proc/<pid>/cmdline');
    assert.equal(mode(a.data).toString(8), '700');
    for (const [f, m] of Object.entries(dbModes(a.data))) assert.equal(m, '600', `${f} is ${m}`);
    assert.equal(/warning/.test(a.p.stderr()), false, a.p.stderr());

    const other = generateToken();
    const b = await serve('env', [], { FLIGHTDECK_TOKEN: other });
    assert.equal(await upgradeStatus(b.wsUrl, { headers: { Authorization: `Bearer ${other}` } }), 101);
    assert.equal(await upgradeStatus(b.wsUrl, { headers: { Authorization: `Bearer ${token}` } }), 401);
  });

  it('--token still works but warns on stderr that every local user can read it', async () => {
    const token = generateToken();
    const c = await serve('argv', ['--token', token]);
    assert.equal(await upgradeStatus(c.wsUrl, { headers: { Authorization: `Bearer ${token}` } }), 101);
    assert.match(c.p.stderr(), /warning: --token puts the token on the command line/);
    assert.equal(mode(c.data).toString(8), '700', 'the data dir is private with --token too');
    for (const [f, m] of Object.entries(dbModes(c.data))) assert.equal(m, '600', `${f} is ${m}`);
  });

  it('a token file that is not a token is refused with a clear message', async () => {
    const file = path.join(tmpDir('fd-tokf-'), 'bad');
    fs.writeFileSync(file, 'not a token!\n', { mode: 0o600 });
    const base = tmpDir('fd-tokbad-');
    const p = startServe(['--port', '0', '--data-dir', path.join(base, 'data'), '--token-file', file], { FLIGHTDECK_LEADER_DIR: path.join(base, 'run'), HOME: base });
    procs.push(p);
    const exit = await p.exited;
    assert.equal(exit.code, 2);
    assert.match(p.stderr(), /--token-file .* is not a token/);
  });
});
