// Issue 19, item 3: anyone who can reach the hub's port (every local user; the network through a
// tunnel) opens thousands of connections and never finishes a request. The engine runs as a real
// `flightdeck serve` child under `ulimit -n 512`, so holding them all would exhaust its descriptors:
// /health and a client with the token must keep working during and after the flood, and the Codex
// watcher must not be left blind: a rollout in a date folder made after the flood is found.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { generateToken } from '../../src/engine/hub/token';
import { type ServeProcess, startServe } from '../helpers/serveProcess';
import { cleanupTmpDirs, tmpDir } from '../helpers/tmp';
import { TestClient } from './hub-harness';
import { oneTurn, rolloutPath, writeRollout } from '../fixtures/rollouts/lines';

function health(port: number, ms = 3_000): Promise<number> {
  return new Promise(resolve => {
    const started = Date.now();
    const req = http.get({ host: '127.0.0.1', port, path: '/health', agent: false, timeout: ms }, res => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200 ? Date.now() - started : -1));
    });
    req.on('timeout', () => { req.destroy(); resolve(-2); });
    req.on('error', () => resolve(-3));
  });
}

/** Opens `n` connections that send half an upgrade request and then nothing; resolves once all connected or failed. */
async function halfOpen(port: number, n: number, into: net.Socket[]): Promise<void> {
  const batch = 100;
  for (let i = 0; i < n; i += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, n - i) }, () => new Promise<void>(resolve => {
      const s = net.connect({ host: '127.0.0.1', port });
      into.push(s);
      s.on('error', () => resolve());
      s.on('close', () => resolve());
      s.on('connect', () => { s.write('GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'); resolve(); });
    })));
  }
}

describe('hub under a flood of unfinished connections (issue 19)', function () {
  this.timeout(90_000);
  let p: ServeProcess | undefined;
  const sockets: net.Socket[] = [];
  after(() => { for (const s of sockets) s.destroy(); p?.child.kill('SIGKILL'); cleanupTmpDirs(); });

  it('3,000 half-open upgrades from the same address: /health and a valid client keep working (engine under ulimit -n 512)', async () => {
    const dir = tmpDir('fd-flood-');
    const token = generateToken();
    fs.mkdirSync(path.join(dir, 'codex', 'sessions'), { recursive: true });
    p = startServe(['--port', '0', '--data-dir', path.join(dir, 'data'), '--codex-home', path.join(dir, 'codex'), '--log-level', 'warn'],
      { FLIGHTDECK_TOKEN: token, FLIGHTDECK_LEADER_DIR: path.join(dir, 'run'), HOME: dir, CLAUDE_CONFIG_DIR: path.join(dir, 'claude') },
      { openFiles: 512 });
    const m = await p.waitForLine(/serving http:\/\/127\.0\.0\.1:(\d+)\/ \(WebSocket (\S+)\)/);
    const port = Number(m[1]);
    assert.ok((await health(port)) >= 0, 'healthy before');

    await halfOpen(port, 1_500, sockets);
    const during = halfOpen(port, 1_500, sockets); // the flood goes on while we check
    const times: number[] = [];
    for (let i = 0; i < 10; i++) times.push(await health(port));
    const client = await TestClient.connect(m[2], { token });
    assert.equal((await client.request({ type: 'ping' })).type, 'pong', 'a client with the token gets in and is answered');
    await client.request({ type: 'subscribe_list' });
    await during;
    // The flood is still held: a new date folder and a rollout in it must still be found (file event or the 30 s rescan).
    const thread = '0000f100-0000-7000-8000-000000000001';
    writeRollout(rolloutPath(path.join(dir, 'codex'), thread, '18'), oneTurn(thread, 'Written during the flood', 'ok'));
    await client.waitUntil(() => [...client.state.list.values()].some(s => s.providerSessionId === thread), 45_000, 'the rollout written during the flood');
    for (let i = 0; i < 10; i++) times.push(await health(port));
    assert.equal((await client.request({ type: 'ping' })).type, 'pong', 'and stays connected');
    client.close();
    assert.deepEqual(times.filter(t => t < 0), [], `every /health answered 200 (ms, negative = failed): ${times.join(' ')}`);
    times.sort((a, b) => a - b);
    assert.ok(times[Math.floor(times.length / 2)] < 500, `/health p50 stays low: ${times.join(' ')}`);
    assert.equal(p.child.exitCode, null, 'the engine is still running');
  });
});
