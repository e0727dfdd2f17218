// Large Claude tool outputs go from the transcript's bytes into the stored item as JSON text, never
// parsed on the way (history/claudeLines.ts, platform/jsonText.ts; issue 14). Against real SQLite files,
// on one thread and on the import's two threads: the store ends exactly as when every output is parsed
// (the reference: the same import with nothing held back), for outputs of every kind a transcript has —
// quotes, backslashes, non-ASCII, exit codes, escapes a non-Node writer might use, invalid UTF-8, results
// without their call, calls committed before their result, the pattern inside a tool's input.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ClaudeHistoryLines, HELD_LINE_BYTES, HELD_OUTPUT_BYTES } from '../../src/engine/history/claudeLines';
import { importHistory } from '../../src/engine/history/importer';
import { importOnThread } from '../../src/engine/history/workerImport';
import { FakeClock } from '../../src/engine/platform/clock';
import { openStore } from '../../src/engine/store/sqliteStore';
import { TEST_DRIVER, openTestDb } from '../helpers/storeDriver';
import { cleanupTmpDirs, tmpDir } from '../helpers/tmp';

const SESSION = 'e8a949b0-8264-4a31-977e-9192bf42a92c';
const clock = () => new FakeClock(Date.parse('2026-12-04T12:00:00.000Z'));
const big = (head: string) => head + 'line of output "quoted" \\ back ✓ é 漢 😀 \t tab\n'.repeat(120);

/** Lines as Claude Code writes them (keys in its order), from the real transcript of test/fixtures. */
function callLine(n: number, input: Record<string, unknown>, extraText?: string): string {
  const content: unknown[] = [{ type: 'tool_use', id: `toolu_case_${n}`, name: 'Bash', input }];
  if (extraText) content.unshift({ type: 'text', text: extraText });
  return JSON.stringify({
    parentUuid: null, isSidechain: false,
    message: { id: `msg_case_${n}`, type: 'message', role: 'assistant', model: 'claude-opus-5-5', content, usage: { input_tokens: 10, output_tokens: 5 } },
    requestId: `req_${n}`, type: 'assistant', uuid: `a-${n}`, timestamp: `2026-11-25T11:${String(10 + n).padStart(2, '0')}:00.000Z`,
    cwd: '/home/dev/proj', sessionId: SESSION, version: '2.1.328', gitBranch: 'main',
  });
}

function resultLine(n: number, content: unknown, isError = false, id = `toolu_case_${n}`): string {
  return JSON.stringify({
    parentUuid: `a-${n}`, isSidechain: false, promptId: 'p-1', type: 'user',
    message: { role: 'user', content: [{ tool_use_id: id, type: 'tool_result', content, is_error: isError }] },
    uuid: `u-${n}`, timestamp: `2026-11-25T11:${String(10 + n).padStart(2, '0')}:30.000Z`,
    toolUseResult: { stdout: typeof content === 'string' ? content : '', stderr: '', interrupted: false, isImage: false },
    cwd: '/home/dev/proj', sessionId: SESSION, version: '2.1.328', gitBranch: 'main',
  });
}

/** The transcript: one call and its result per case; returns the file's bytes. */
function transcript(): Buffer {
  const lines: (string | Buffer)[] = [];
  let n = 0;
  const pair = (content: unknown, o: { isError?: boolean; input?: Record<string, unknown>; extraText?: string } = {}) => {
    n++;
    lines.push(callLine(n, o.input ?? { command: `case ${n}`, description: `case ${n}` }, o.extraText), resultLine(n, content, o.isError));
  };
  lines.push(JSON.stringify({ type: 'user', message: { role: 'user', content: 'show me the outputs' }, uuid: 'u-0', timestamp: '2026-11-25T11:00:00.000Z', cwd: '/home/dev/proj', sessionId: SESSION }));
  pair(big('plain '));
  pair(big('Exit code 2\n'));
  pair(big('Exit code 12345\nsecond line'));
  pair(big('Exit code 1\n'), { isError: true });
  pair(big('\n\tleading escapes '));
  pair(big('\u0001 control first '));
  pair('a short output');
  pair([{ type: 'text', text: big('as blocks ') }]);
  pair(big(`Exit code ${'9'.repeat(70)}`));
  // Its call in a slice of its own before it: the result is a patch to an item committed earlier.
  pair(big('after a long reply '), { extraText: 'r'.repeat(300_000) });
  // The byte pattern of a result block inside a tool's input (an assistant line).
  pair(big('input case '), { input: { type: 'tool_result', content: big('inside the input ') } });
  // A writer other than Node's might escape letters: "\u0045xit code 3" is "Exit code 3".
  n++;
  lines.push(callLine(n, { command: 'escaped' }), resultLine(n, big('Exit code 3\n')).replace('"content":"Exit code 3', '"content":"\\u0045xit code 3'));
  // A result whose call is not in the transcript becomes an item of its own, its text the output.
  lines.push(resultLine(99, big('orphan '), false, 'toolu_unknown'));
  // Invalid UTF-8 inside an output: read with replacement characters, as any line.
  n++;
  const broken = Buffer.from(resultLine(n, big('broken \u00e9 ')), 'utf8');
  broken[broken.indexOf(Buffer.from('broken ')) + 7] = 0xff;
  lines.push(callLine(n, { command: 'broken' }), broken);
  // Not JSON (a raw tab, a bad escape inside an output): rejected as invalid JSON, as any such line.
  n++;
  lines.push(callLine(n, { command: 'raw tab' }), resultLine(n, big('raw tab ')).replace('\\t tab', '\t tab'));
  n++;
  lines.push(callLine(n, { command: 'bad escape' }), resultLine(n, big('bad escape ')).replace('\\t tab', '\\x tab'));
  return Buffer.concat(lines.map(l => Buffer.concat([typeof l === 'string' ? Buffer.from(l) : l, Buffer.from('\n')])));
}

function claudeHome(): string {
  const home = tmpDir('fd-held-');
  const project = path.join(home, 'projects', '-home-dev-proj');
  fs.mkdirSync(project, { recursive: true });
  fs.writeFileSync(path.join(project, `${SESSION}.jsonl`), transcript());
  return home;
}

type Row = Record<string, unknown>;
function rows(file: string): Row[] {
  const db = openTestDb(file);
  try { return db.prepare('SELECT id, session_id, seq, kind, text, created_at, data, typeof(data) AS type FROM messages ORDER BY id').all(); } finally { db.close(); }
}

/** An import on this thread; `parseAll`: nothing held back (what the import did before). */
async function importOnce(home: string, o: { parseAll?: boolean; commitItems?: number } = {}): Promise<{ file: string; invalidUtf8: number; invalidJson: number }> {
  const file = path.join(tmpDir(), 'flightdeck.db');
  const store = openStore({ file, clock: clock(), driver: TEST_DRIVER });
  const decode = ClaudeHistoryLines.prototype.decode;
  if (o.parseAll) ClaudeHistoryLines.prototype.decode = function (src, from, to) { decode.call(this, src, from, to); return this.whole(); };
  try {
    const s = await importHistory({ store, log: () => {}, codexHome: null, claudeHome: home, commitItems: o.commitItems });
    store.close();
    return { file, invalidUtf8: s.counts.invalidUtf8, invalidJson: s.counts.invalidJson };
  } finally {
    ClaudeHistoryLines.prototype.decode = decode;
  }
}

describe('large Claude tool outputs stored as read, not parsed (issue 14)', function () {
  this.timeout(60_000);
  after(cleanupTmpDirs);

  it('stores exactly what parsing every output stores, on one thread, with commits anywhere', async () => {
    const home = claudeHome();
    for (const commitItems of [undefined, 1]) {
      const reference = await importOnce(home, { parseAll: true, commitItems });
      const held = await importOnce(home, { commitItems });
      const [want, got] = [rows(reference.file), rows(held.file)];
      assert.ok(want.length >= 16, `items: ${want.length}`);
      assert.deepEqual(got, want, `commitItems ${commitItems}: the same rows, byte for byte`);
      assert.equal(held.invalidUtf8, 1);
      assert.equal(held.invalidJson, 2, 'the result lines with a raw tab and a bad escape');
      assert.equal(reference.invalidJson, 2);
      assert.ok(got.every(r => r.type === 'text'), 'data is stored as text');
      const data = (id: string) => JSON.parse(String(got.find(r => String(r.id).endsWith(id))!.data)) as { output?: string; exitCode?: number; status?: string; toolInput?: string };
      assert.equal(data('toolu_case_1').output, big('plain '));
      assert.equal(data('toolu_case_2').exitCode, 2);
      assert.equal(data('toolu_case_3').exitCode, 12345);
      assert.equal(data('toolu_case_4').exitCode, 1);
      assert.equal(data('toolu_case_4').status, 'failed');
      assert.equal(data('toolu_case_5').exitCode, undefined);
      assert.equal(data('toolu_case_8').output, big('as blocks '));
      assert.equal(data('toolu_case_9').exitCode, Number('9'.repeat(70)));
      assert.equal(JSON.parse(data('toolu_case_11').toolInput!).content, big('inside the input '));
      assert.equal(data('toolu_case_12').exitCode, 3);
      assert.ok(data('toolu_case_13').output!.includes('broken \ufffd'), 'the invalid byte read as a replacement character');
      const orphan = got.find(r => r.kind === 'toolResult')!;
      assert.equal(orphan.text, big('orphan '));
    }
  });

  it('stores the same on the import\'s two threads (outputs cross to the writing thread as bytes)', async () => {
    const home = claudeHome();
    const reference = await importOnce(home, { parseAll: true });
    const file = path.join(tmpDir(), 'flightdeck.db');
    const store = openStore({ file, clock: clock(), driver: TEST_DRIVER });
    const logs: string[] = [];
    const summary = await importOnThread({
      store, log: (l, m) => logs.push(`${l} ${m}`), codexHome: null, claudeHome: home, skipRecentMs: 0, loaded: [], onProgress: () => {}, pipeline: true,
    });
    store.close();
    assert.equal(summary.counts.notStored, 0, logs.join('\n'));
    assert.ok(!logs.some(l => l.startsWith('warn history: the writing thread')), logs.join('\n'));
    // Where a slice ends moves the order of a patched item's keys, not its data (as in history-import-pipeline).
    const parsed = (rs: Row[]) => rs.map(r => ({ ...r, data: JSON.parse(String(r.data)) as unknown }));
    const got = rows(file);
    assert.deepEqual(parsed(got), parsed(rows(reference.file)));
    assert.ok(got.every(r => r.type === 'text'), 'data is stored as text');
  });
});

describe('ClaudeHistoryLines: which outputs a line holds back', () => {
  const decode = (line: string | Buffer) => {
    const lines = new ClaudeHistoryLines();
    const buf = typeof line === 'string' ? Buffer.from(line) : line;
    const text = lines.decode(buf, 0, buf.length);
    return { lines, text, value: JSON.parse(text) as { message: { content: { content: unknown }[] }; toolUseResult?: unknown } };
  };

  it('holds a large output as the bytes the file has, leaves a placeholder in its place and the rest of the line as it was', () => {
    const line = resultLine(1, big('plain '));
    const { lines, value } = decode(line);
    assert.equal(lines.held.length, 1);
    assert.equal(value.message.content[0].content, lines.held[0].placeholder);
    assert.equal(Buffer.from(lines.held[0].json).toString(), JSON.stringify(big('plain ')));
    assert.equal(lines.held[0].exitCode, null);
    assert.equal(value.toolUseResult, undefined, 'toolUseResult is left out too');
    const { toolUseResult: _t, ...rest } = JSON.parse(line) as Record<string, unknown>;
    assert.deepEqual(JSON.parse(lines.whole()), rest, 'whole(): the line without the member, outputs in place');
    assert.equal(lines.held.length, 0);
  });

  it('reads the exit code from the bytes only where they tell it as the decoded string would', () => {
    assert.equal(decode(resultLine(1, big('Exit code 7\n'))).lines.held[0].exitCode, 7);
    assert.equal(decode(resultLine(1, big('Exit code 7 '))).lines.held[0].exitCode, 7);
    assert.equal(decode(resultLine(1, big('\nExit code 7'))).lines.held[0].exitCode, null);
    assert.equal(decode(resultLine(1, big(`Exit code ${'1'.repeat(80)}`))).lines.held.length, 0, 'digits past the window');
    assert.equal(decode(resultLine(1, big('Exit code 1')).replace('"content":"Exit', '"content":"\\u0045xit')).lines.held.length, 0, 'a \\u escape');
  });

  it('holds nothing in short lines, short outputs, outputs as blocks, invalid UTF-8, or the member it leaves out', () => {
    const withoutMember = (l: string) => { const { toolUseResult: _t, ...rest } = JSON.parse(l) as Record<string, unknown>; return JSON.stringify(rest); };
    const short = withoutMember(resultLine(1, 'x'.repeat(HELD_OUTPUT_BYTES + 1000)));
    assert.ok(short.length < HELD_LINE_BYTES);
    assert.equal(decode(short).lines.held.length, 0);
    assert.equal(decode(resultLine(1, 'x'.repeat(HELD_OUTPUT_BYTES - 10)) + ' '.repeat(HELD_LINE_BYTES)).lines.held.length, 0);
    assert.equal(decode(resultLine(1, [{ type: 'text', text: big('') }])).lines.held.length, 0);
    const invalid = Buffer.from(resultLine(1, big('é ')));
    invalid[invalid.indexOf(Buffer.from('é '))] = 0xff;
    assert.equal(decode(invalid).lines.held.length, 0);
    // the pattern only inside toolUseResult: that member is cut, nothing in it is held
    const inMember = JSON.stringify({ type: 'user', message: { role: 'user', content: 'hi' }, uuid: 'u', toolUseResult: { type: 'tool_result', content: big('') } });
    const r = decode(inMember);
    assert.equal(r.lines.held.length, 0);
    assert.equal(r.value.toolUseResult, undefined);
  });

  it('holds nothing JSON.parse would reject in its place: raw control characters, bad escapes', () => {
    // (past the start, where a \u escape alone keeps an output from being held: exitCodeOf)
    const line = resultLine(1, big(`${'x'.repeat(100)} `));
    assert.equal(decode(line).lines.held.length, 1);
    const held = (l: string) => { const b = Buffer.from(l); const d = new ClaudeHistoryLines(); d.decode(b, 0, b.length); return d.held.length; };
    assert.equal(held(line.replace('\\t tab', '\t tab')), 0, 'a raw tab');
    assert.equal(held(line.replace('\\t tab', '\u0000 tab')), 0, 'a raw NUL');
    assert.equal(held(line.replace('\\t tab', '\\x tab')), 0, 'an escape JSON has not');
    assert.equal(held(line.replace('\\t tab', '\\u12 tab')), 0, 'a short \\u escape');
    assert.equal(held(line.replace('\\t tab', '\\u00e9 tab')), 1, 'a full \\u escape');
    assert.equal(held(line.replace('\\t tab', '\\/ tab')), 1, 'an escaped slash');
  });

  it('a new line forgets what the last one held', () => {
    const lines = new ClaudeHistoryLines();
    const a = Buffer.from(resultLine(1, big('a ')));
    lines.decode(a, 0, a.length);
    assert.equal(lines.held.length, 1);
    const b = Buffer.from(resultLine(2, 'small'));
    lines.decode(b, 0, b.length);
    assert.equal(lines.held.length, 0);
  });
});
