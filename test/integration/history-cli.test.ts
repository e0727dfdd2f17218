// `flightdeck import` as a user runs it: the compiled CLI as a child process over a machine's past
// sessions, then the store it wrote read back. Includes SIGKILL at seeded random points.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { MAX_PROCESSORS_FOR_OWN_THREAD_SCAVENGE } from '../../src/cli/gcThreads';
import { systemClock } from '../../src/engine/platform/clock';
import { openStore } from '../../src/engine/store/sqliteStore';
import { WORLD_FILES, WORLD_SESSIONS, type World, dumpStore, world } from '../fixtures/history/world';
import { seededRng } from '../fixtures/bench/rng';
import { CLI, startServe } from '../helpers/serveProcess';
import { TEST_DRIVER } from '../helpers/storeDriver';
import { cleanupTmpDirs, tmpDir } from '../helpers/tmp';

interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** The bundled command a user runs (dist/cli.js and the command bundles beside it, esbuild.mjs). */
const DIST_CLI = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js');

function runImport(w: World, opts: { killAfterMs?: number; cli?: string; args?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  const child = spawn(process.execPath, [opts.cli ?? CLI, 'import', '--codex-home', w.codexHome, '--claude-home', w.claudeHome, '--data-dir', w.dataDir, ...(opts.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FLIGHTDECK_LEADER_DIR: path.join(w.dataDir, '..', 'run'), FLIGHTDECK_SQLITE_DRIVER: TEST_DRIVER, ...opts.env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', d => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', d => { stderr += d; });
  const timer = opts.killAfterMs !== undefined ? setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs) : null;
  return new Promise(resolve => child.on('exit', (code, signal) => { if (timer) clearTimeout(timer); resolve({ code, signal, stdout, stderr }); }));
}

function read(w: World): string {
  const store = openStore({ file: path.join(w.dataDir, 'flightdeck.db'), clock: systemClock, driver: TEST_DRIVER });
  try { return dumpStore(store, w); } finally { store.close(); }
}

describe('flightdeck import (CLI)', function () {
  this.timeout(120_000);
  after(cleanupTmpDirs);

  it('imports every past session with a progress line and a summary; run again, it adds nothing', async () => {
    const w = world();
    const first = await runImport(w);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /import: done \d+\/\d+ files, [\d.]+\/[\d.]+ MB, [\d.]+ MB\/s/);
    assert.match(first.stdout, new RegExp(`flightdeck: import done: ${WORLD_FILES}/${WORLD_FILES} file\\(s\\).* ${WORLD_SESSIONS} new session\\(s\\)`));
    const stored = read(w);
    assert.equal(JSON.parse(stored).sessions.length, WORLD_SESSIONS);
    const again = await runImport(w);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`0/0 file\\(s\\).* 0 new session\\(s\\), 0 item\\(s\\), ${WORLD_FILES} unchanged`));
    assert.equal(read(w), stored);
    const mode = fs.statSync(w.dataDir).mode & 0o777;
    assert.equal(mode, 0o700, 'the data folder is private');
  });

  it('on two processors or fewer each thread scavenges its own garbage (FLIGHTDECK_OWN_THREAD_SCAVENGE=0: V8\'s helpers), and stores the same', async () => {
    const own = world();
    const withOwn = await runImport(own, { args: ['--log-level', 'info'] });
    assert.equal(withOwn.code, 0, withOwn.stderr);
    const said = /import: young-generation garbage collected on the thread that made it \(\d+ processors\)/.test(withOwn.stderr);
    assert.equal(said, os.availableParallelism() <= MAX_PROCESSORS_FOR_OWN_THREAD_SCAVENGE, `${os.availableParallelism()} processors: ${withOwn.stderr}`);
    const helpers = world();
    const withHelpers = await runImport(helpers, { args: ['--log-level', 'info'], env: { FLIGHTDECK_OWN_THREAD_SCAVENGE: '0' } });
    assert.equal(withHelpers.code, 0, withHelpers.stderr);
    assert.doesNotMatch(withHelpers.stderr, /garbage collected/);
    assert.equal(read(own), read(helpers));
  });

  it('killed with SIGKILL at random points, it goes on and ends equal to an import never killed (seeded)', async () => {
    const clean = world();
    const t0 = performance.now();
    assert.equal((await runImport(clean)).code, 0);
    // Kill points within the time a whole import takes on this machine: fixed times (150–1,050 ms)
    // all fell after the end of the import on a faster machine, and nothing was killed.
    const whole = performance.now() - t0;
    const expected = read(clean);
    const w = world();
    const rng = seededRng(20261203);
    let killed = 0;
    for (let i = 0; i < 8; i++) {
      const r = await runImport(w, { killAfterMs: Math.floor(whole * (0.1 + 0.85 * rng())) });
      if (r.signal === 'SIGKILL') killed++;
      else assert.equal(r.code, 0, r.stderr);
    }
    const last = await runImport(w);
    assert.equal(last.code, 0, last.stderr);
    assert.ok(killed > 0, 'at least one run was killed');
    assert.deepEqual(JSON.parse(read(w)), JSON.parse(expected));
  });

  it('with an engine serving the same data folder, the engine imports and the command shows its progress and summary (the bundled CLI)', async () => {
    const w = world();
    const serve = startServe(['--port', '0', '--data-dir', w.dataDir, '--codex-home', w.codexHome, '--claude-home', w.claudeHome],
      { FLIGHTDECK_LEADER_DIR: path.join(w.dataDir, '..', 'run'), FLIGHTDECK_SQLITE_DRIVER: TEST_DRIVER });
    try {
      await serve.waitForLine(/WebSocket (ws:\/\/\S+)\)/);
      const r = await runImport(w, { cli: DIST_CLI, args: ['--log-level', 'info'] });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /the Flightdeck engine running on .* does the import/);
      assert.doesNotMatch(r.stderr, /did not answer/);
      assert.match(r.stdout, /^flightdeck: import done: /m);
    } finally {
      serve.child.kill('SIGTERM');
      await serve.exited;
    }
    assert.equal(JSON.parse(read(w)).sessions.length, WORLD_SESSIONS, 'every past session is stored');
  });

  it('the bundled command loads the import alone: not the engine and hub of serve, nor the protocol client', () => {
    const w = world();
    // dist/cli.js required (its main() not run on require), then `import` run; the modules this thread loaded, by file name.
    const script = `const cli = require(${JSON.stringify(DIST_CLI)});
cli.main(['import', '--codex-home', ${JSON.stringify(w.codexHome)}, '--claude-home', ${JSON.stringify(w.claudeHome)}, '--data-dir', ${JSON.stringify(w.dataDir)}])
  .then(code => { process.stdout.write(JSON.stringify({ code, loaded: Object.keys(require.cache).map(f => require('node:path').basename(f)) })); });`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, FLIGHTDECK_LEADER_DIR: path.join(w.dataDir, '..', 'run') } });
    assert.equal(r.status, 0, r.stderr);
    const { code, loaded } = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as { code: number; loaded: string[] };
    assert.equal(code, 0);
    assert.ok(loaded.includes('cli-import.js'), loaded.join(' '));
    for (const other of ['cli-serve.js', 'cli-usage.js', 'cli-import-via-engine.js', 'engine.js']) assert.ok(!loaded.includes(other), `${other} loaded: ${loaded.join(' ')}`);
    assert.equal(JSON.parse(read(w)).sessions.length, WORLD_SESSIONS);
  });

  it('refuses unknown options with a usage text', async () => {
    const child = spawn(process.execPath, [CLI, 'import', '--nope'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', d => { err += d; });
    const code = await new Promise(r => child.on('exit', r));
    assert.equal(code, 2);
    assert.match(err, /flightdeck import/);
    void tmpDir;
  });
});
