// `flightdeck import` and V8's garbage collection threads (src/cli/gcThreads.ts): on two processors or
// fewer each thread collects its own garbage, unless FLIGHTDECK_SINGLE_THREADED_GC says no.
import * as assert from 'node:assert/strict';
import { MAX_PROCESSORS_FOR_OWN_THREAD_GC, collectGarbageOnOwnThreads, ownThreadGcWanted } from '../../src/cli/gcThreads';

describe('flightdeck import: garbage collected on the thread that made it', () => {
  it('is wanted on two processors or fewer, unless the switch says 0 / false / no', () => {
    assert.equal(MAX_PROCESSORS_FOR_OWN_THREAD_GC, 2);
    assert.equal(ownThreadGcWanted({}, 1), true);
    assert.equal(ownThreadGcWanted({}, 2), true);
    assert.equal(ownThreadGcWanted({}, 3), false, 'with a processor to spare, V8\'s helpers find it');
    assert.equal(ownThreadGcWanted({}, 16), false);
    for (const no of ['0', 'false', 'NO']) assert.equal(ownThreadGcWanted({ FLIGHTDECK_SINGLE_THREADED_GC: no }, 2), false, no);
    assert.equal(ownThreadGcWanted({ FLIGHTDECK_SINGLE_THREADED_GC: '1' }, 2), true);
  });

  it('sets V8\'s --single-threaded-gc when wanted, and nothing otherwise', () => {
    const set: string[] = [];
    assert.equal(collectGarbageOnOwnThreads({}, 2, f => set.push(f)), true);
    assert.deepEqual(set, ['--single-threaded-gc']);
    assert.equal(collectGarbageOnOwnThreads({}, 8, f => set.push(f)), false);
    assert.equal(collectGarbageOnOwnThreads({ FLIGHTDECK_SINGLE_THREADED_GC: '0' }, 2, f => set.push(f)), false);
    assert.deepEqual(set, ['--single-threaded-gc'], 'set once, by the wanted call only');
  });
});
