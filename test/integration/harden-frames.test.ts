// Issue 19, under load: authenticated frames of ~800 KB nested a hundred thousand levels deep used
// to take the engine hundreds of milliseconds each (parse, validate, describe), so /health p50 went
// to 741 ms. A cheap depth scan refuses them before parsing: each gets a bad_request, and /health
// stays fast while they keep coming.
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { jsonTooDeep } from '../../src/engine/protocol/parse';
import { deeplyNested } from '../fixtures/bench/fuzz';
import { type Rig, TestClient, startRig } from './hub-harness';

function healthMs(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    http.get({ host: '127.0.0.1', port, path: '/health', agent: false }, res => { res.resume(); res.on('end', () => resolve(performance.now() - t0)); }).on('error', reject);
  });
}

describe('deeply nested frames (issue 19)', function () {
  this.timeout(60_000);
  let rig: Rig;
  afterEach(async () => { await rig?.close(); });

  it('jsonTooDeep counts only structure, not brackets inside strings', () => {
    assert.equal(jsonTooDeep('{"a":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\""}', 3), false);
    assert.equal(jsonTooDeep(deeplyNested(4), 3), true);
    assert.equal(jsonTooDeep(deeplyNested(3), 3), false);
  });

  it('800 KB frames nested 160,000 deep are refused one by one; /health p50 stays low meanwhile', async () => {
    rig = await startRig();
    const c = await TestClient.connect(rig.hub.url, { token: rig.token });
    const nested = deeplyNested(160_000);
    // The baseline, in the same run and interleaved with the deep rounds so machine load hits both
    // alike: frames of the same size that are flat (one long string), which the engine parses as usual.
    const flat = JSON.stringify('x'.repeat(nested.length));
    const deepTimes: number[] = [];
    const flatTimes: number[] = [];
    for (let i = 0; i < 15; i++) {
      for (let k = 0; k < 3; k++) c.send(`{"type":"ping","requestId":"flat-${i}-${k}","x":${flat}}`);
      flatTimes.push(await healthMs(rig.hub.port));
      for (let k = 0; k < 3; k++) c.send(`{"type":"ping","requestId":"deep-${i}-${k}","x":${nested}}`);
      deepTimes.push(await healthMs(rig.hub.port));
    }
    const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const deep = p50(deepTimes);
    const base = p50(flatTimes);
    const all = (xs: number[]) => xs.map(t => t.toFixed(0)).join(' ');
    // Before the depth scan each deep frame cost hundreds of ms (p50 741 ms against a few ms flat).
    assert.ok(deep <= 3 * base + 20, `/health p50 ${deep.toFixed(0)} ms while deep frames arrive against ${base.toFixed(0)} ms with flat frames of the same size (deep: ${all(deepTimes)}; flat: ${all(flatTimes)})`);
    const answers = await c.waitUntil(() => {
      const errs = c.received.filter(m => m.type === 'error');
      return errs.length >= 45 ? errs : undefined;
    }, 30_000, '45 refusals');
    for (const e of answers) assert.ok(e.type === 'error' && e.code === 'bad_request' && /nests deeper/.test(e.message), JSON.stringify(e).slice(0, 300));
    assert.equal((await c.request({ type: 'ping' })).type, 'pong', 'the connection stays usable');
    c.close();
  });
});
