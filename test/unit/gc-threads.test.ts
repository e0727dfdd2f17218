// `flightdeck import` and V8's scavenger threads (src/cli/gcThreads.ts): on two processors or fewer each
// thread scavenges its own young generation, unless FLIGHTDECK_OWN_THREAD_SCAVENGE says no.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  MAX_PROCESSORS_FOR_OWN_THREAD_SCAVENGE, OWN_THREAD_SCAVENGE_FLAG, ownThreadScavengeWanted, scavengeOnOwnThreads,
} from '../../src/cli/gcThreads';

describe('flightdeck import: young generation scavenged on the thread that made it', () => {
  it('is wanted on two processors or fewer, unless the switch says 0 / false / no', () => {
    assert.equal(MAX_PROCESSORS_FOR_OWN_THREAD_SCAVENGE, 2);
    assert.equal(ownThreadScavengeWanted({}, 1), true);
    assert.equal(ownThreadScavengeWanted({}, 2), true);
    assert.equal(ownThreadScavengeWanted({}, 3), false, 'with a processor to spare, V8\'s helpers find it');
    assert.equal(ownThreadScavengeWanted({}, 16), false);
    for (const no of ['0', 'false', 'NO']) assert.equal(ownThreadScavengeWanted({ FLIGHTDECK_OWN_THREAD_SCAVENGE: no }, 2), false, no);
    assert.equal(ownThreadScavengeWanted({ FLIGHTDECK_OWN_THREAD_SCAVENGE: '1' }, 2), true);
  });

  it('sets the flag when wanted, and nothing otherwise', () => {
    const set: string[] = [];
    assert.equal(scavengeOnOwnThreads({}, 2, f => set.push(f)), true);
    assert.deepEqual(set, [OWN_THREAD_SCAVENGE_FLAG]);
    assert.equal(scavengeOnOwnThreads({}, 8, f => set.push(f)), false);
    assert.equal(scavengeOnOwnThreads({ FLIGHTDECK_OWN_THREAD_SCAVENGE: '0' }, 2, f => set.push(f)), false);
    assert.deepEqual(set, [OWN_THREAD_SCAVENGE_FLAG], 'set once, by the wanted call only');
  });

  it('sets only a flag this V8 knows (v8.setFlagsFromString ignores a misspelt one; node\'s command line refuses it)', () => {
    assert.equal(OWN_THREAD_SCAVENGE_FLAG, '--no-parallel-scavenge', 'not --single-threaded-gc: V8 aborted when that was set at run time');
    const known = spawnSync(process.execPath, [OWN_THREAD_SCAVENGE_FLAG, '-e', '0'], { encoding: 'utf8' });
    assert.equal(known.status, 0, known.stderr);
    const misspelt = spawnSync(process.execPath, ['--no-parallel-scavange', '-e', '0'], { encoding: 'utf8' });
    assert.notEqual(misspelt.status, 0, 'the check can fail');
  });
});
