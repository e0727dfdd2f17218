import * as assert from 'node:assert/strict';
import { GAP_MARKER, diffSides, fileSides, hunkLineNumbers } from '../../src/vscode/diffContents';

describe('diff editor contents from a unified diff', () => {
  it('an added file is its whole content after, nothing before', () => {
    const s = diffSides({ path: 'a.ts', kind: 'add', diff: '--- /dev/null\n+++ b/a.ts\n@@ -0,0 +1,2 @@\n+one\n+two\n' });
    assert.deepEqual(s, { before: '', after: 'one\ntwo\n', partial: false });
  });

  it('an update shows the hunks on both sides, a marker where the diff skips lines', () => {
    const diff = '--- a/x\n+++ b/x\n@@ -2,2 +2,2 @@\n a\n-b\n+B\n@@ -10,1 +10,2 @@\n z\n+y\n';
    const s = diffSides({ path: 'x', kind: 'update', diff });
    assert.equal(s.before, `${GAP_MARKER}\na\nb\n${GAP_MARKER}\nz\n`);
    assert.equal(s.after, `${GAP_MARKER}\na\nB\n${GAP_MARKER}\nz\ny\n`);
    assert.equal(s.partial, true);
  });

  it('sides from the hunks: each shown line maps to its line in the file (a review comment names that line)', () => {
    const diff = '--- a/x\n+++ b/x\n@@ -2,2 +2,2 @@\n a\n-b\n+B\n@@ -10,1 +10,2 @@\n z\n+y\n';
    const change = { path: 'x', kind: 'update' as const, diff };
    const lines = hunkLineNumbers(change)!;
    // before: gap, a(2), b(3), gap, z(10); after: gap, a(2), B(3), gap, z(10), y(11) — as diffSides shows them.
    assert.deepEqual(lines, { before: [null, 2, 3, null, 10], after: [null, 2, 3, null, 10, 11] });
    const s = diffSides(change);
    assert.equal(s.before.split('\n').length - 1, lines.before.length);
    assert.equal(s.after.split('\n').length - 1, lines.after.length);
    assert.equal(hunkLineNumbers({ path: 'x', kind: 'add', diff: 'just text' }), null, 'no hunks: the sides are whole');
  });

  it('a deleted file: the removed lines before, nothing after', () => {
    const s = diffSides({ path: 'x', kind: 'delete', diff: '--- a/x\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-p\n-q\n' });
    assert.deepEqual(s, { before: 'p\nq\n', after: '', partial: false });
  });

  it('text that is not a unified diff (or a broken one) is shown as is, never thrown on', () => {
    assert.deepEqual(diffSides({ path: 'n', kind: 'add', diff: 'plain content\n' }), { before: '', after: 'plain content\n', partial: false });
    const broken = diffSides({ path: 'n', kind: 'update', diff: '@@ -1,9 +1,9 @@\n-only one line\n' });
    assert.equal(broken.after, '@@ -1,9 +1,9 @@\n-only one line\n');
  });

  describe('whole files from the file on disk', () => {
    const before = 'a\nb\nc\nd\ne\nf\ng\n';
    const after = 'a\nb\nC\nd\ne\nf\ng\n';
    const change = { path: 'x', kind: 'update' as const, diff: '@@ -2,3 +2,3 @@\n b\n-c\n+C\n d\n' };
    it('applied: the file now on the right, the patch reversed on the left', () => {
      assert.deepEqual(fileSides(change, after), { before, after, partial: false, source: 'whole' });
    });
    it('proposed (not applied yet): the file now on the left, the patch applied on the right', () => {
      assert.deepEqual(fileSides(change, before, true), { before, after, partial: false, source: 'proposed' });
    });
    it('edited again since: the hunks, and it says so', () => {
      const r = fileSides(change, 'a\nb\nX\nd\n');
      assert.equal(r.source, 'changedSince');
      assert.equal(r.partial, true);
    });
    it('no file: the hunks; an added file edited since says so', () => {
      assert.equal(fileSides(change, null).source, 'hunks');
      const add = { path: 'n', kind: 'add' as const, diff: '@@ -0,0 +1 @@\n+new\n' };
      assert.equal(fileSides(add, 'new\n').source, 'whole');
      assert.equal(fileSides(add, 'newer\n').source, 'changedSince');
    });
  });
});
