// Timestamps read by hand (platform/clock.ts parseIsoMs, canonicalIsoMs) must give what Date.parse
// gives, and take the fast way only where iso() gives the string back: a history import parses every
// line's timestamp, and what it parses is stored.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalIsoMs, iso, isoCached, parseIsoMs } from '../../src/engine/platform/clock';

const same = (a: number, b: number) => (Number.isNaN(a) ? Number.isNaN(b) : a === b);
const two = (max: number) => fc.integer({ min: 0, max }).map(n => String(n).padStart(2, '0'));
/** Strings of iso()'s shape with every field also out of its range (month 13, day 31 of February, hour 24, second 60). */
const shaped = fc.tuple(fc.integer({ min: 0, max: 9999 }).map(n => String(n).padStart(4, '0')), two(14), two(33), two(25), two(61), two(61), fc.integer({ min: 0, max: 999 }))
  .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${String(ms).padStart(3, '0')}Z`);

describe('timestamps read by hand', () => {
  it('parse as Date.parse does, for every date-shaped string', () => {
    fc.assert(fc.property(shaped, t => same(parseIsoMs(t), Date.parse(t))), { numRuns: 30_000 });
  });

  it('parse every time iso() can write as Date.parse does, years 0000–9999', () => {
    fc.assert(fc.property(fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }), ms => {
      const t = iso(ms);
      return parseIsoMs(t) === ms && canonicalIsoMs(t) === ms;
    }), { numRuns: 20_000 });
  });

  it('take the fast way only for a form iso() gives back unchanged', () => {
    fc.assert(fc.property(shaped, t => {
      const ms = canonicalIsoMs(t);
      return Number.isNaN(ms) || (ms === Date.parse(t) && iso(ms) === t);
    }), { numRuns: 30_000 });
    for (const t of ['2026-02-30T00:00:00.000Z', '2026-02-29T00:00:00.000Z', '1900-02-29T00:00:00.000Z', '2026-04-31T00:00:00.000Z',
      '2026-11-25T24:00:00.000Z', '2026-11-25T11:34:14Z',
      '2026-11-25T11:34:14.123+01:00', '2026-1a-01T00:00:00.000Z', ' 2026-11-25T11:34:14.123Z', '2026-11-25T11:34:14.123z', '']) {
      assert.ok(Number.isNaN(canonicalIsoMs(t)), t);
      assert.ok(same(parseIsoMs(t), Date.parse(t)), t);
    }
    assert.equal(canonicalIsoMs('2026-11-25T11:34:14.123Z'), Date.parse('2026-11-25T11:34:14.123Z'));
    assert.equal(canonicalIsoMs('0000-01-01T00:00:00.000Z'), Date.parse('0000-01-01T00:00:00.000Z'));
    for (const t of ['2024-02-29T23:59:59.999Z', '2000-02-29T00:00:00.000Z', '2026-12-31T12:00:00.000Z', '2026-11-30T00:00:00.000Z']) {
      assert.equal(canonicalIsoMs(t), Date.parse(t), t);
    }
    assert.equal(canonicalIsoMs('1969-12-28T23:59:59.999Z'), -259_200_001);
  });

  it('a time read in iso()\'s form is what iso() would write for it when asked again (isoCached)', () => {
    // parseIsoMs remembers the text it read; isoCached must still give iso(ms) for every ms, read or not.
    const op = fc.oneof(shaped.map(t => ({ read: t })), fc.integer({ min: 0, max: 4_102_444_800_000 }).map(ms => ({ ms })));
    fc.assert(fc.property(fc.array(op, { maxLength: 30 }), ops => {
      for (const o of ops) {
        if ('read' in o) {
          const ms = parseIsoMs(o.read);
          if (Number.isFinite(ms) && isoCached(ms) !== iso(ms)) return false;
        } else if (isoCached(o.ms) !== iso(o.ms)) return false;
      }
      return true;
    }), { numRuns: 5_000 });
  });
});
