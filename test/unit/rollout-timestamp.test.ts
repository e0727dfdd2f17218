// A rollout line's timestamp as items and events store it (codex/rollout/rolloutFields.ts timestampOf):
// one already in iso()'s form is returned as it is, which must give exactly what parsing and
// formatting it gives — the days V8 rolls over (February 30, 24:00) included.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { timestampOf } from '../../src/engine/codex/rollout/rolloutFields';

const NOW = Date.parse('2026-12-05T12:00:00.000Z');
/** What timestampOf gave before it returned canonical strings as they are. */
const parsedAndFormatted = (t: string | null | undefined, now: number) => {
  const ms = t ? Date.parse(t) : NaN;
  return new Date(Number.isFinite(ms) ? ms : now).toISOString();
};

describe('rollout timestamps', () => {
  it('are what parsing and formatting them gives, for every date-shaped string', () => {
    const two = (max: number) => fc.integer({ min: 0, max }).map(n => String(n).padStart(2, '0'));
    const shaped = fc.tuple(fc.integer({ min: 0, max: 9999 }).map(n => String(n).padStart(4, '0')), two(14), two(33), two(25), two(61), two(61), fc.integer({ min: 0, max: 999 }))
      .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${String(ms).padStart(3, '0')}Z`);
    fc.assert(fc.property(shaped, t => timestampOf(t, NOW) === parsedAndFormatted(t, NOW)), { numRuns: 20_000 });
    fc.assert(fc.property(fc.integer({ min: -62_000_000_000_000, max: 250_000_000_000_000 }), ms => {
      const t = new Date(ms).toISOString();
      return timestampOf(t, NOW) === t;
    }), { numRuns: 5_000 });
  });

  it('keep the rollover cases and other forms on the long way', () => {
    for (const t of ['2026-02-30T00:00:00.000Z', '2026-11-25T24:00:00.000Z', '2026-11-31T10:00:00.000Z', '2026-11-25T11:34:14Z',
      '2026-11-25T11:34:14.123+01:00', '2026-13-01T00:00:00.000Z', 'yesterday', '', null, undefined]) {
      assert.equal(timestampOf(t, NOW), parsedAndFormatted(t, NOW), String(t));
    }
    assert.equal(timestampOf('2026-02-30T00:00:00.000Z', NOW), '2026-03-02T00:00:00.000Z');
    assert.equal(timestampOf('2026-11-25T11:34:14.123Z', NOW), '2026-11-25T11:34:14.123Z');
  });
});
