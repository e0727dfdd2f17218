import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { type TailPosition, type TailRead, readAppended, readAppendedLazily } from '../../src/engine/platform/jsonlTail';

describe('jsonlTail.readAppended', function () {
  this.timeout(20_000);
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-tail-'));
    file = path.join(dir, 'a.jsonl');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const next = (r: TailRead): TailPosition => ({ offset: r.offset, carry: r.carry });

  it('returns complete lines with their byte offsets and commits past the last newline', () => {
    fs.writeFileSync(file, '{"a":1}\n{"b":"é"}\n');
    const r = readAppended(file, { offset: 0 });
    assert.deepEqual(r.lines.map(l => [l.offset, l.end, l.text]), [[0, 8, '{"a":1}'], [8, 19, '{"b":"é"}']]);
    assert.equal(r.offset, 19);
    assert.equal(r.more, false);
    const again = readAppended(file, next(r));
    assert.equal(again.lines.length, 0, 'nothing is read twice');
  });

  it('keeps a partial last line until its newline arrives', () => {
    fs.writeFileSync(file, '{"a":1}\n{"b":');
    const r1 = readAppended(file, { offset: 0 });
    assert.deepEqual(r1.lines.map(l => l.text), ['{"a":1}']);
    assert.equal(r1.offset, 8, 'the offset stays at the start of the unfinished line');
    fs.appendFileSync(file, '2}\n');
    const r2 = readAppended(file, next(r1));
    assert.deepEqual(r2.lines.map(l => [l.offset, l.text]), [[8, '{"b":2}']]);
    assert.equal(r2.offset, 16);
    // A restart knows only the persisted offset: the same line is read whole from there.
    const fresh = readAppended(file, { offset: r1.offset });
    assert.deepEqual(fresh.lines.map(l => l.text), ['{"b":2}']);
  });

  it('starts over from 0 when the file shrank', () => {
    fs.writeFileSync(file, '{"a":1}\n{"b":2}\n');
    const r1 = readAppended(file, { offset: 0 });
    fs.writeFileSync(file, '{"c":3}\n');
    const r2 = readAppended(file, next(r1));
    assert.equal(r2.restarted, true);
    assert.deepEqual(r2.lines.map(l => [l.offset, l.text]), [[0, '{"c":3}']]);
    assert.equal(r2.offset, 8);
  });

  it('starts over when the file was replaced by another one', () => {
    fs.writeFileSync(file, '{"a":1}\n');
    const r1 = readAppended(file, { offset: 0 });
    const other = path.join(dir, 'b.jsonl');
    fs.writeFileSync(other, '{"x":1}\n{"y":2}\n{"z":3}\n');
    fs.renameSync(other, file);
    const r2 = readAppended(file, next(r1));
    assert.equal(r2.restarted, true);
    assert.equal(r2.lines.length, 3);
  });

  it('reports a missing file instead of throwing', () => {
    const r = readAppended(path.join(dir, 'gone.jsonl'), { offset: 42 });
    assert.equal(r.missing, true);
    assert.equal(r.offset, 42);
    assert.equal(r.lines.length, 0);
  });

  it('decodes invalid UTF-8 with replacement characters and counts it', () => {
    fs.writeFileSync(file, Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n{"ok":1}\n')]));
    const r = readAppended(file, { offset: 0 });
    assert.equal(r.invalidUtf8, 1);
    assert.equal(r.lines[0].text, '{"a":"\uFFFD\uFFFD"}');
    assert.equal(r.lines[1].text, '{"ok":1}');
  });

  it('drops CR of CRLF line ends and skips empty lines', () => {
    fs.writeFileSync(file, '{"a":1}\r\n\n\n{"b":2}\n');
    const r = readAppended(file, { offset: 0 });
    assert.deepEqual(r.lines.map(l => l.text), ['{"a":1}', '{"b":2}']);
    assert.equal(r.offset, fs.statSync(file).size);
  });

  it('skips a 50 MB line past the cap without buffering it, and reads on after it', () => {
    const big = 50 * 1024 * 1024;
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, '{"first":1}\n{"huge":"');
    const block = Buffer.alloc(1024 * 1024, 0x61);
    for (let i = 0; i < 50; i++) fs.writeSync(fd, block);
    fs.closeSync(fd);
    const opts = { maxLineBytes: 1024 * 1024, chunkBytes: 256 * 1024, maxBytesPerCall: 64 * 1024 * 1024 };
    const r1 = readAppended(file, { offset: 0 }, opts);
    assert.deepEqual(r1.lines.map(l => l.text), ['{"first":1}']);
    assert.equal(r1.offset, 12, 'the offset stays at the start of the unfinished huge line');
    assert.equal(r1.carry?.oversized, true);
    assert.equal(r1.carry?.pending.length, 0, 'no bytes of the huge line are held');
    fs.appendFileSync(file, '"}\n{"after":2}\n');
    const r2 = readAppended(file, next(r1), opts);
    assert.equal(r2.oversized.length, 1);
    assert.equal(r2.oversized[0].offset, 12);
    assert.ok(r2.oversized[0].bytes > big);
    assert.deepEqual(r2.lines.map(l => l.text), ['{"after":2}']);
    assert.equal(r2.offset, fs.statSync(file).size);
  });

  it('reads at most maxBytesPerCall per call and says there is more', () => {
    fs.writeFileSync(file, Array.from({ length: 100 }, (_, i) => `{"i":${i}}`).join('\n') + '\n');
    let pos: TailPosition = { offset: 0 };
    const seen: string[] = [];
    let calls = 0;
    for (;;) {
      const r = readAppended(file, pos, { chunkBytes: 64, maxBytesPerCall: 128 });
      calls++;
      seen.push(...r.lines.map(l => l.text));
      pos = next(r);
      if (!r.more) break;
    }
    assert.ok(calls > 5);
    assert.equal(seen.length, 100);
    assert.equal(seen[99], '{"i":99}');
  });

  it('hands out every line exactly once however the appends and chunks are split (property)', () => {
    const line = fc.string({ unit: fc.constantFrom('a', 'é', '字', '😀', '"', ' '), minLength: 1, maxLength: 30 });
    fc.assert(fc.property(
      fc.array(line, { minLength: 1, maxLength: 20 }), fc.array(fc.nat(400), { maxLength: 6 }), fc.integer({ min: 1, max: 17 }),
      (lines, cuts, chunkBytes) => {
        const all = Buffer.from(lines.map(l => l + '\n').join(''));
        const points = [...new Set(cuts.map(c => c % (all.length + 1)))].sort((a, b) => a - b);
        fs.writeFileSync(file, '');
        let pos: TailPosition = { offset: 0 };
        const got: string[] = [];
        let written = 0;
        for (const p of [...points, all.length]) {
          fs.appendFileSync(file, all.subarray(written, p));
          written = p;
          for (;;) {
            const r = readAppended(file, pos, { chunkBytes, maxBytesPerCall: 64 });
            got.push(...r.lines.map(l => l.text));
            pos = next(r);
            if (!r.more) break;
          }
        }
        assert.deepEqual(got, lines);
        assert.equal(pos.offset, all.length);
      },
    ), { numRuns: 200 });
  });

  it('readAppendedLazily hands out the same lines, offsets and counts as readAppended, decoded when asked (property)', () => {
    // Bytes that make every case: multi-byte characters, invalid UTF-8, CR, empty lines, newlines.
    const piece = fc.constantFrom(...['a', 'é', '字', '😀', '\r', '\n', '\n\n', '{"x":1}'].map(t => Buffer.from(t)), Buffer.from([0xff]), Buffer.from([0xe5, 0xad]));
    fc.assert(fc.property(
      fc.array(piece, { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 23 }), fc.integer({ min: 1, max: 80 }), fc.integer({ min: 4, max: 40 }),
      (pieces, chunkBytes, maxBytesPerCall, maxLineBytes) => {
        fs.writeFileSync(file, Buffer.concat(pieces));
        const opts = { chunkBytes, maxBytesPerCall, maxLineBytes };
        const eager: unknown[] = [];
        const lazy: unknown[] = [];
        let a: TailPosition = { offset: 0 };
        let b: TailPosition = { offset: 0 };
        for (;;) {
          const r = readAppended(file, a, opts);
          eager.push({ lines: r.lines.map(l => [l.offset, l.end, l.text]), offset: r.offset, invalid: r.invalidUtf8, oversized: r.oversized });
          a = next(r);
          if (!r.more) break;
        }
        for (;;) {
          const r = readAppendedLazily(file, b, opts);
          // Decoded only after the whole call: lines of an earlier read in the same call must still hold their bytes.
          lazy.push({ lines: Array.from({ length: r.lines.length }, (_, i) => [r.lines.offset(i), r.lines.end(i), r.lines.text(i)]), offset: r.offset, invalid: r.invalidUtf8, oversized: r.oversized });
          b = { offset: r.offset, carry: r.carry };
          if (!r.more) break;
        }
        assert.deepEqual(lazy, eager);
      },
    ), { numRuns: 300 });
  });
});
