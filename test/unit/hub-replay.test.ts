// The replay buffer either returns exactly the events after a revision, or null (then the client
// gets a snapshot): never a partial or reordered catch-up, however the buffer was trimmed.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { ClientState } from '../../src/engine/protocol/mirror/clientState';
import { ReplayBuffer, type SessionEvent } from '../../src/engine/clients/replay';
import { newSession } from '../../src/engine/sessions/model';

const T0 = '2026-01-01T00:00:00.000Z';

function events(groupSizes: number[]): SessionEvent[] {
  // Several events can share a revision (a delta and its approval_requested / tokens_updated).
  const out: SessionEvent[] = [];
  groupSizes.forEach((n, i) => {
    for (let k = 0; k < n; k++) out.push({ type: 'session_ended', sessionId: 's', revision: i + 2, reason: `${i}.${k}` });
  });
  return out;
}

describe('hub replay buffer', () => {
  it('returns exactly the events after sinceRevision, or null when it no longer reaches back', () => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 120 }),
      fc.integer({ min: 2, max: 40 }),
      fc.nat(),
      (groups, capacity, pick) => {
        const all = events(groups);
        const buf = new ReplayBuffer(capacity);
        for (const e of all) buf.record(e);
        const current = all[all.length - 1].revision;
        const since = 1 + (pick % (current + 1)); // 1 … current + 1 (one from the future)
        const got = buf.since('s', since, current);
        const want = all.filter(e => e.revision > since);
        const kept = all.length > capacity * 1.25 ? all.slice(-capacity) : all;
        const lost = all.slice(0, all.length - kept.length);
        if (got === null) {
          // Null only when the buffer really lost an event the client needs.
          assert.ok(since > current || lost.some(e => e.revision > since), `null for since ${since} with nothing lost`);
        } else {
          assert.deepEqual(got, want);
        }
      },
    ), { numRuns: 300 });
  });

  it('keeps at least the last `capacity` events', () => {
    const all = events(Array(2_000).fill(1));
    const buf = new ReplayBuffer(1_000);
    for (const e of all) buf.record(e);
    const current = all[all.length - 1].revision;
    assert.equal(buf.since('s', current - 999, current)?.length, 999);
    assert.equal(buf.since('s', current, current)?.length, 0);
    assert.equal(buf.since('s', current + 5, current), null, 'a revision from the future gets a snapshot');
  });
});

describe('hub client state (delta rules)', () => {
  it('a missing key is unchanged, null clears, older deltas are ignored', () => {
    const s = { ...newSession({ id: 's', provider: 'codex', mode: 'direct', cwd: '/w/p', customName: 'Named' }, Date.parse(T0)), revision: 5 };
    const st = new ClientState();
    st.apply({ type: 'session_snapshot', revision: 5, session: s, messages: [], hasMore: false });
    st.apply({ type: 'session_delta', sessionId: 's', revision: 6, listRevision: 1, changes: { customName: null, revision: 6 } });
    assert.equal(st.views.get('s')!.session!.customName, null);
    assert.equal(st.views.get('s')!.session!.cwd, '/w/p', 'untouched fields stay');
    st.apply({ type: 'session_delta', sessionId: 's', revision: 4, listRevision: 1, changes: { cwd: '/old' } });
    assert.equal(st.views.get('s')!.session!.cwd, '/w/p', 'a stale delta changes nothing');
    st.apply({ type: 'message_appended', sessionId: 's', revision: 7, message: { id: 'm', sessionId: 's', seq: 0, kind: 'agent', text: 'a', createdAt: T0 } });
    st.apply({ type: 'message_updated', sessionId: 's', revision: 8, message: { id: 'm', text: 'ab', status: 'completed' } });
    st.apply({ type: 'message_updated', sessionId: 's', revision: 9, message: { id: 'unknown', text: 'x' } });
    assert.deepEqual(st.orderedMessages('s'), [{ id: 'm', sessionId: 's', seq: 0, kind: 'agent', text: 'ab', createdAt: T0, status: 'completed' }]);
    assert.equal(st.views.get('s')!.revision, 9);
  });
});
