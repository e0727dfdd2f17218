// Every error code Flightdeck uses is one of ErrorCode's (src/engine/protocol/errorCodes.ts): the code
// of every failure written in the product code — an engine error, a protocol client error, a command
// outcome, a panel host answer — is looked up here, so a code invented in one place fails this test.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ClientErrorCode, ErrorCode, WireErrorCode } from '../../src/engine/protocol';

const REPO = path.resolve(__dirname, '../../..');
const SOURCES = ['src', 'web', 'webview'];

function files(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) files(p, out);
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** Where a code is written as a literal: `code: 'x'`, `code === 'x'`, `…Error('x', …)`, `answerError(id, 'x', …)`. */
const LITERAL_CODE = [
  /\bcode\s*:\s*'([a-z][a-z_]*)'/g,
  /(?<!typeof\s+)\bcode\s*[!=]==?\s*'([a-z][a-z_]*)'/g,
  /\b(?:Protocol|Engine)Error\(\s*'([a-z][a-z_]*)'/g,
  /\banswerError\([^,]+,\s*'([a-z][a-z_]*)'/g,
];
/** Where a code is named through the table: ErrorCode.x / WireErrorCode.x / ClientErrorCode.x. */
const NAMED_CODE = /\b(?:Wire|Client)?ErrorCode\.([A-Za-z]+)\b/g;

describe('error codes: one table', () => {
  const all = new Set<string>(Object.values(ErrorCode));
  const sources = SOURCES.flatMap(d => files(path.join(REPO, d))).map(f => ({ file: path.relative(REPO, f), text: fs.readFileSync(f, 'utf8') }));

  it('reads the product sources', () => {
    assert.ok(sources.length > 100, `only ${sources.length} files under ${SOURCES.join(', ')}`);
  });

  it('every literal code in src/, web/ and webview/ is in ErrorCode', () => {
    const strays: string[] = [];
    for (const { file, text } of sources) {
      for (const re of LITERAL_CODE) {
        for (const m of text.matchAll(re)) { if (!all.has(m[1])) strays.push(`${file}: '${m[1]}'`); }
      }
    }
    assert.deepEqual(strays, []);
  });

  it('every code named through the table exists in it', () => {
    const keys = new Set([...Object.keys(ErrorCode), ...Object.keys(WireErrorCode), ...Object.keys(ClientErrorCode)]);
    const named = sources.flatMap(({ file, text }) => [...text.matchAll(NAMED_CODE)].map(m => ({ file, key: m[1] })));
    assert.ok(named.length > 30, `only ${named.length} uses of ErrorCode found`);
    assert.deepEqual(named.filter(n => !keys.has(n.key)).map(n => `${n.file}: ${n.key}`), []);
  });

  it('the engine sends wire codes only, and client codes never collide with them', () => {
    const wire = new Set<string>(Object.values(WireErrorCode));
    assert.deepEqual(Object.values(ClientErrorCode).filter(c => wire.has(c)), []);
    assert.equal(all.size, wire.size + Object.keys(ClientErrorCode).length);
  });
});
