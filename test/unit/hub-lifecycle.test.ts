// The hub's lifecycle shared by the extension and `flightdeck serve` (src/engine/hub/lifecycle.ts):
// two starts at once bind one hub, a new token closes the clients of the old one, stop frees the port.
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import WebSocket from 'ws';
import { attachReplay } from '../../src/engine/clients/connection';
import { HubLifecycle } from '../../src/engine/hub/lifecycle';
import { BEARER_PREFIX, SUBPROTOCOL } from '../../src/engine/hub/auth';
import { generateToken } from '../../src/engine/hub/token';
import { type TestEngine, makeEngine } from '../helpers/engine';
import { cleanupTmpDirs } from '../helpers/tmp';

describe('hub lifecycle (shared by the extension and serve)', () => {
  let t: TestEngine;
  const logs: string[] = [];
  before(() => { t = makeEngine(); });
  after(() => { t.close(); cleanupTmpDirs(); });

  it('starts one hub for two starts at once, rotates the token (closing old clients), and stops', async () => {
    const hubs = new HubLifecycle({ log: (level, msg) => logs.push(`${level}: ${msg}`), version: 't' });
    const services = { engine: t.engine, replay: attachReplay(t.engine) };
    const token = generateToken();
    const [a, b] = await Promise.all([hubs.start(services, token, { port: 0 }), hubs.start(services, token, { port: 0 })]);
    assert.equal(a, b);
    assert.equal(hubs.running, a);
    assert.equal(logs.filter(l => l.includes('Flightdeck hub: http')).length, 1);

    const ws = new WebSocket(a.url, [SUBPROTOCOL, `${BEARER_PREFIX}${token}`], { origin: a.httpUrl.replace(/\/$/, '') });
    await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
    const closed = new Promise<number>(resolve => ws.once('close', code => resolve(code)));
    assert.equal(hubs.rotateToken(generateToken()), 1);
    assert.equal(await closed, 4001);

    await hubs.stop('test');
    assert.equal(hubs.running, undefined);
    assert.equal(hubs.rotateToken(generateToken()), 0);
    // The port is free again.
    await new Promise<void>((resolve, reject) => {
      const s = net.createServer().once('error', reject).listen(a.port, '127.0.0.1', () => s.close(() => resolve()));
    });
  });
});
