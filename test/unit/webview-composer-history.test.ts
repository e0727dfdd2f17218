import * as assert from 'node:assert/strict';
import { ComposerHistory } from '../../webview/session/composerHistory';

describe('webview composer history', () => {
  it('walks older and newer entries and gives the draft back at the newest end', () => {
    const h = new ComposerHistory(['first', 'second']);
    assert.equal(h.step(1, 'draft'), null, 'nothing newer than the draft');
    assert.equal(h.step(-1, 'draft'), 'second');
    assert.equal(h.step(-1, 'second'), 'first');
    assert.equal(h.step(-1, 'first'), null, 'nothing older than the first entry');
    assert.equal(h.step(1, 'first'), 'second');
    assert.equal(h.step(1, 'second'), 'draft');
  });

  it('records sent messages once in a row, keeps the newest up to its limit, and restarts at the end', () => {
    const h = new ComposerHistory([], 3);
    for (const t of ['a', 'b', 'b', 'c', 'd']) h.push(t);
    assert.deepEqual(h.all, ['b', 'c', 'd']);
    h.step(-1, '');
    h.push('e');
    assert.equal(h.step(-1, ''), 'e', 'a push goes back to the newest end');
  });
});
