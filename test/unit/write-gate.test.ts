// The write gate between the engine's thread and a bulk writer on another thread (store/writeGate.ts),
// with a real worker thread: the engine waits for the bulk transaction under way and no longer, and
// the bulk writer does not enter while the engine is announced.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { FakeClock } from '../../src/engine/platform/clock';
import { openStore } from '../../src/engine/store/sqliteStore';
import { createWriteGateBuffer, engineSide } from '../../src/engine/store/writeGate';
import { TEST_DRIVER, openTestDb } from '../helpers/storeDriver';
import { cleanupTmpDirs, tmpDir } from '../helpers/tmp';

const GATE_MODULE = path.join(__dirname, '..', '..', 'src', 'engine', 'store', 'writeGate.js');

// Shared log: [0] next order number; [1] the bulk writer saw the engine announced (its order);
// [2] the bulk writer left (order); [3] the bulk writer's second enter returned (order).
const BULK_THREAD = `
const { workerData, parentPort } = require('node:worker_threads');
const { bulkSide } = require(workerData.module);
const bulk = bulkSide(workerData.gate);
const gate = new Int32Array(workerData.gate);
const log = new Int32Array(workerData.log);
bulk.enter();
parentPort.postMessage('in');
// Hold the transaction until the engine announces itself (gate[0] is its 'wanted' count).
while (Atomics.load(gate, 0) === 0) Atomics.wait(gate, 0, 0, 50);
Atomics.store(log, 1, Atomics.add(log, 0, 1));
Atomics.store(log, 2, Atomics.add(log, 0, 1));
bulk.leave();
bulk.enter();
Atomics.store(log, 3, Atomics.add(log, 0, 1));
bulk.leave();
parentPort.postMessage('done');
`;

describe('write gate between the engine and a bulk writer thread', () => {
  after(cleanupTmpDirs);
  it('the engine waits for the bulk transaction under way; the bulk writer waits for the engine', async () => {
    const gate = createWriteGateBuffer();
    const log = new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT);
    const order = new Int32Array(log);
    Atomics.store(order, 0, 1);
    const worker = new Worker(BULK_THREAD, { eval: true, workerData: { module: GATE_MODULE, gate, log } });
    const messages: unknown[] = [];
    const done = new Promise<void>((resolve, reject) => {
      worker.on('message', m => { messages.push(m); if (m === 'in') onIn(); else resolve(); });
      worker.on('error', reject);
    });
    let engineIn = 0;
    let engineOut = 0;
    const engine = engineSide(gate);
    function onIn(): void {
      engine.enter();
      engineIn = Atomics.add(order, 0, 1);
      engine.enter(); // nested: no second announcement
      engine.leave();
      engineOut = Atomics.add(order, 0, 1);
      engine.leave();
    }
    await done;
    await worker.terminate();
    const [, bulkSaw, bulkLeft, bulkAgain] = [...order];
    assert.ok(bulkSaw < bulkLeft && bulkLeft < engineIn, `the engine entered after the bulk writer left (${bulkLeft} < ${engineIn})`);
    assert.ok(engineOut < bulkAgain, `the bulk writer entered again only after the engine left (${engineOut} < ${bulkAgain})`);
    assert.deepEqual(messages, ['in', 'done']);
  });

  it('the engine waits no longer than its bound for a bulk writer that never leaves', () => {
    const gate = createWriteGateBuffer();
    Atomics.store(new Int32Array(gate), 1, 1); // a bulk writer stuck inside a transaction
    const engine = engineSide(gate, 30);
    const t0 = performance.now();
    engine.enter();
    engine.leave();
    assert.ok(performance.now() - t0 >= 25, 'it waited for the bulk writer');
    assert.equal(Atomics.load(new Int32Array(gate), 0), 0, 'the announcement is withdrawn');
  });

  it('the store\'s batched writes wait for a bulk transaction without blocking, announced, and go in right after it', () => {
    const file = path.join(tmpDir(), 'gate.db');
    const clock = new FakeClock(Date.parse('2026-12-04T12:00:00.000Z'));
    const store = openStore({ file, clock, driver: TEST_DRIVER });
    const flags = new Int32Array(store.writeGate);
    Atomics.store(flags, 1, 1); // a bulk writer is inside a transaction
    const other = openTestDb(file);
    const count = () => Number(other.prepare('SELECT COUNT(*) AS n FROM kv').get()?.n);
    const t0 = performance.now();
    for (let i = 0; i < 60; i++) store.setKv(`k${i}`, 'v'); // past the 50 that flush at once
    assert.ok(performance.now() - t0 < 1_000, 'enqueueing did not wait for the bulk writer');
    assert.equal(count(), 0, 'nothing written while the bulk transaction runs');
    assert.equal(Atomics.load(flags, 0), 1, 'the engine is announced, so the bulk writer steps back after its slice');
    clock.advance(2);
    assert.equal(count(), 0, 'still waiting: the bulk writer has not left');
    Atomics.store(flags, 1, 0); // it left
    clock.advance(2);
    assert.equal(count(), 60, 'written at the next try');
    assert.equal(Atomics.load(flags, 0), 0, 'the announcement is withdrawn');
    other.close();
    store.close();
  });

  it('an announcement that no write follows is taken back', () => {
    const gate = createWriteGateBuffer();
    const flags = new Int32Array(gate);
    Atomics.store(flags, 1, 1);
    const engine = engineSide(gate);
    assert.equal(engine.ready(), false, 'a bulk transaction runs');
    assert.equal(engine.ready(), false);
    assert.equal(Atomics.load(flags, 0), 1, 'announced once');
    engine.withdraw();
    assert.equal(Atomics.load(flags, 0), 0, 'withdrawn');
    Atomics.store(flags, 1, 0);
    assert.equal(engine.ready(), true);
    engine.enter();
    engine.leave();
    assert.equal(Atomics.load(flags, 0), 0, 'enter after ready announces no second time');
  });
});
