// Decoding a JSON line without a member its reader never reads (platform/jsonMemberCut.ts): the rest
// of the line must parse to exactly what the whole line parses to, minus that member — on the real
// transcripts Claude Code wrote and on generated values of every JSON shape — and a line the cut
// cannot be sure of is handed out whole.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { JsonMemberCut, valueEnd } from '../../src/engine/platform/jsonMemberCut';
import { REPO_ROOT } from '../fixtures/claudeEnv';

const TRANSCRIPTS = path.join(REPO_ROOT, 'test', 'fixtures', 'claude', 'transcripts');

function withoutMember(line: string, name: string): unknown {
  const v = JSON.parse(line) as Record<string, unknown>;
  delete v[name];
  return v;
}

function cutText(cut: JsonMemberCut, line: string): string {
  const b = Buffer.from(line, 'utf8');
  return cut.decode(b, 0, b.length);
}

describe('jsonMemberCut', () => {
  const cut = new JsonMemberCut('toolUseResult');

  it('leaves out toolUseResult of every line the real claude binary wrote, and nothing else', () => {
    let cutLines = 0;
    for (const f of fs.readdirSync(TRANSCRIPTS).filter(n => n.endsWith('.jsonl'))) {
      for (const line of fs.readFileSync(path.join(TRANSCRIPTS, f), 'utf8').split('\n').filter(Boolean)) {
        const text = cutText(cut, line);
        assert.deepEqual(JSON.parse(text), withoutMember(line, 'toolUseResult'), `${f}: ${line.slice(0, 80)}`);
        if (line.includes('"toolUseResult":')) {
          assert.ok(!text.includes('"toolUseResult":'), `${f}: the member is cut from the text, not only absent after parsing`);
          cutLines++;
        }
      }
    }
    assert.ok(cutLines >= 4, `the fixtures have tool results to cut (${cutLines})`);
  });

  it('cuts values of every JSON shape, with escapes and multi-byte characters around them', () => {
    const member = fc.jsonValue({ maxDepth: 3 });
    fc.assert(fc.property(fc.string(), member, fc.jsonValue({ maxDepth: 2 }), fc.boolean(), (before, value, after, spaced) => {
      // Claude Code writes compact JSON; whitespace inside and around the value is cut too
      const v = spaced ? ` ${JSON.stringify(value, null, 1)}\n` : JSON.stringify(value);
      const line = `{"a":${JSON.stringify(before)},"toolUseResult":${v},"z":${JSON.stringify(after)}}`;
      const text = cutText(cut, line);
      assert.ok(!text.includes('"toolUseResult":'));
      assert.deepEqual(JSON.parse(text), { a: before, z: JSON.parse(JSON.stringify(after)) as unknown }); // -0 is written as 0
    }), { numRuns: 500 });
    const tricky = { type: 'user', message: { content: 'é ✓ "q" \\ } ] ,' }, toolUseResult: { stdout: 'a\\"b\\\\', s: ['}', '{', '"'], n: -1.5e3, t: true, f: null }, last: 'ü' };
    assert.deepEqual(JSON.parse(cutText(cut, JSON.stringify(tricky))), withoutMember(JSON.stringify(tricky), 'toolUseResult'));
  });

  it('cuts a scalar value ended by the next member or by the object', () => {
    assert.equal(cutText(cut, '{"a":1,"toolUseResult":12,"b":2}'), '{"a":1,"b":2}');
    assert.equal(cutText(cut, '{"a":1,"toolUseResult":true}'), '{"a":1}');
    assert.equal(cutText(cut, '{"a":1,"toolUseResult":"x\\"}"}'), '{"a":1}');
  });

  it('hands out the whole line when the member is first, absent, only text, or its value does not end', () => {
    const whole = [
      '{"toolUseResult":{"stdout":"x"},"a":1}', // first member: no comma before the key
      '{"a":"no member here"}',
      '{"a":"text with \\",\\"toolUseResult\\":1 in it"}', // inside a string every quote is escaped
      '{"a":1,"toolUseResult":{"stdout":"cut off', // a truncated line: JSON.parse reports it as before
      '{"a":1,"toolUseResult":{"stdout":"x"]}',
    ];
    for (const line of whole) assert.equal(cutText(cut, line), line);
    // what follows the object is not the cut's business: the line stays invalid JSON
    assert.throws(() => JSON.parse(cutText(cut, '{"a":1,"toolUseResult":{"stdout":"x"}} trailing')));
  });

  it('decodes lines under its threshold whole, and a line of several MB through a buffer it does not keep', () => {
    const small = new JsonMemberCut('toolUseResult', 4096);
    const short = '{"a":1,"toolUseResult":{"stdout":"x"}}';
    assert.equal(cutText(small, short), short);
    const big = 'ü'.repeat(3_000_000);
    const line = JSON.stringify({ a: big, toolUseResult: { stdout: big } });
    assert.equal(cutText(small, line), JSON.stringify({ a: big }));
    assert.equal(cutText(small, '{"b":2,' + '"pad":"' + 'x'.repeat(5000) + '","toolUseResult":[1]}'), '{"b":2,"pad":"' + 'x'.repeat(5000) + '"}');
  });

  it('searches the line alone, not the lines after it in the read buffer', () => {
    // A read buffer of 4.5 KB lines without the member and one with it at the end: each line's search
    // must stop at its end (before, each ran on to the last line: quadratic in the lines of a read).
    const plain = JSON.stringify({ type: 'assistant', text: 'p'.repeat(4500) });
    const last = JSON.stringify({ type: 'user', toolUseResult: { stdout: 'o'.repeat(5000) } });
    const buf = Buffer.from(Array.from({ length: 50 }, () => plain).concat(last).join('\n'));
    const small = new JsonMemberCut('toolUseResult', 4096);
    const searched: number[] = [];
    const indexOf = Buffer.prototype.indexOf;
    Buffer.prototype.indexOf = function (this: Buffer, ...args: Parameters<Buffer['indexOf']>) {
      searched.push(this.length - (typeof args[1] === 'number' ? args[1] : 0));
      return indexOf.apply(this, args);
    };
    try {
      for (let s = 0; s < buf.length;) {
        let e = buf.indexOf(0x0a, s);
        if (e === -1) e = buf.length;
        searched.length = 0;
        const text = small.decode(buf, s, e);
        assert.ok(searched.length > 0 && searched.every(n => n <= e - s), `searched ${JSON.stringify(searched)} for a line of ${e - s} bytes`);
        assert.equal(text, e === buf.length ? '{"type":"user"}' : plain);
        s = e + 1;
      }
    } finally {
      Buffer.prototype.indexOf = indexOf;
    }
  });

  it('reads only within the bounds it is given', () => {
    const b = Buffer.from('{"a":1,"toolUseResult":"x"}\n{"b":2,"toolUseResult":"y"}\n');
    const first = b.indexOf(0x0a);
    assert.equal(cut.decode(b, 0, first), '{"a":1}');
    assert.equal(cut.decode(b, first + 1, b.length - 1), '{"b":2}');
    // a value whose closing quote lies past the end of the line's view does not end there
    const open = Buffer.from('{"a":1,"toolUseResult":"x\n"}');
    assert.equal(valueEnd(open.subarray(0, open.indexOf(0x0a)), open.indexOf('"x')), -1);
  });
});
