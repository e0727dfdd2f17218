// The queue the Codex watcher reads files through (issue 19): work is cut into slices of a time
// budget with a yield between them, every caller in one turn shares the slice, one job per key.
// Wall time and the yield are injected, so the slicing is checked exactly, without timing.
import * as assert from 'node:assert/strict';
import { SlicedQueue } from '../../src/engine/codex/rollout/slicedQueue';

function harness(sliceMs: number, jobMs: number) {
  let now = 0;
  const deferred: (() => void)[] = [];
  const ran: string[] = [];
  const q = new SlicedQueue<string>({
    sliceMs, minPerSlice: 1, now: () => now, defer: fn => { deferred.push(fn); },
    merge: (a, b) => (a === 'read' || b === 'read' ? 'read' : b),
    run: (key, job) => { ran.push(`${job}:${key}`); now += jobMs; },
  });
  /** Lets the event loop turn once: the yields queued so far run. */
  const turn = () => { for (const fn of deferred.splice(0)) fn(); };
  return { q, ran, turn, deferred };
}

describe('SlicedQueue: ingest in slices that yield (issue 19)', () => {
  it('a small backlog is done in the turn that queued it', () => {
    const h = harness(8, 1);
    for (const k of ['a', 'b', 'c']) h.q.add(k, 'read');
    h.q.work();
    assert.deepEqual(h.ran, ['read:a', 'read:b', 'read:c']);
  });

  it('a large backlog runs one budget per turn and yields in between', () => {
    const h = harness(8, 1);
    for (let i = 0; i < 100; i++) h.q.add(`f${i}`, 'read');
    h.q.work();
    assert.equal(h.ran.length, 8, 'one 8 ms slice of 1 ms jobs');
    assert.equal(h.deferred.length, 1, 'the rest waits for a yield');
    h.turn();
    assert.equal(h.ran.length, 16);
    let turns = 1;
    while (h.q.size) { h.turn(); turns++; }
    assert.equal(h.ran.length, 100);
    assert.equal(turns + 1, Math.ceil(100 / 8), 'one slice per turn, the first in the queuing turn');
  });

  it('many callers within one turn share one slice (10,000 timers falling due together cost one budget)', () => {
    const h = harness(8, 1);
    for (let i = 0; i < 1_000; i++) { h.q.add(`f${i}`, 'read'); h.q.work(); }
    assert.equal(h.ran.length, 8);
    assert.equal(h.deferred.length, 1);
  });

  it('one job per key: a read covers a queued check, and keeps its place', async () => {
    const h = harness(1, 1);
    h.q.add('x', 'check');
    h.q.add('y', 'check');
    h.q.add('x', 'read');
    h.q.add('y', 'check');
    assert.equal(h.q.size, 2);
    const idle = h.q.idle();
    h.q.work();
    h.turn();
    await idle;
    assert.deepEqual(h.ran, ['read:x', 'check:y']);
  });

  it('clear() drops the backlog and releases idle() waiters (stop)', async () => {
    const h = harness(1, 1);
    for (let i = 0; i < 10; i++) h.q.add(`f${i}`, 'read');
    const idle = h.q.idle();
    h.q.clear();
    await idle;
    assert.equal(h.q.size, 0);
  });
});
