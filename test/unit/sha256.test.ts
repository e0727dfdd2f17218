// platform/sha256.ts: the one-shot hash gives exactly what createHash gives (item and session ids are
// derived from it, so a change would split stored history from new imports).
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { sha256Hex } from '../../src/engine/platform/sha256';

describe('sha256Hex', () => {
  it('equals createHash(sha256).update(text).digest(hex) for any text, non-ASCII and lone surrogates included', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), t => sha256Hex(t) === createHash('sha256').update(t).digest('hex')), { numRuns: 2_000 });
    assert.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(sha256Hex('\ud800 é'), createHash('sha256').update('\ud800 é').digest('hex'));
  });
});
