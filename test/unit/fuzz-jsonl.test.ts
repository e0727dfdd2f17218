// Fuzz (fast-check, fixed seed): random and mutated JSONL lines of both providers, written to real
// files and read by the real Codex rollout watcher and Claude transcript tailer into a real engine
// over SQLite. Lines are real captures with one node changed or removed, truncated lines, random
// JSON, garbage bytes and invalid UTF-8; plus a 100 MB line and JSON nested 100,000 levels deep.
// The readers never throw (nothing is caught at their edges either), keep reading good lines after
// bad ones, and the store stays intact and schema-valid.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { TranscriptTailer } from '../../src/engine/claude/transcriptTailer';
import { type CodexWatcher, createCodexWatcher } from '../../src/engine/codex/rollout/watcher';
import { FUZZ_SEED, assertStoreIntact, deeplyNested, rawLine, sampleLines, type FuzzRig, fuzzRig } from '../fixtures/bench/fuzz';
import { type ClaudeCtx, type CodexCtx, claude, codex, textBlock } from '../fixtures/bench/shapes';
import { cleanupTmpDirs } from '../helpers/tmp';

const RUNS = 800;
const BIG = 100 * 1024 * 1024;

type Rig = FuzzRig;
const rig = (): Rig => fuzzRig('fd-fuzz-');

/** Writes lines of ~`bytes` as one line, in 8 MiB pieces so the test never holds 100 MB in memory twice. */
function appendHugeLine(file: string, bytes: number): void {
  const fd = fs.openSync(file, 'a');
  try {
    const piece = Buffer.alloc(8 * 1024 * 1024, 'a');
    fs.writeSync(fd, '{"type":"response_item","payload":{"type":"message","text":"');
    for (let left = bytes; left > 0; left -= piece.length) fs.writeSync(fd, piece, 0, Math.min(piece.length, left));
    fs.writeSync(fd, '"}}\n');
  } finally { fs.closeSync(fd); }
}

describe('fuzz: provider JSONL lines', function () {
  this.timeout(60_000);
  after(() => cleanupTmpDirs());

  describe('Codex rollouts → watcher', () => {
    let r: Rig;
    let watcher: CodexWatcher;
    let home: string;
    before(async () => {
      r = rig();
      home = path.join(r.dir, 'codex');
      fs.mkdirSync(path.join(home, 'sessions', '2026', '11', '25'), { recursive: true });
      watcher = createCodexWatcher({ engine: r.engine, store: r.store, codexHome: home, clock: r.clock, log: r.log.fn, watchFiles: false });
      await watcher.start();
    });
    after(async () => { await watcher.stop(); r.engine.stop(); r.store.close(); });

    const rollout = (n: number) => path.join(home, 'sessions', '2026', '11', '25', `rollout-2026-11-25T10-00-00-0000000${n}-aaaa-7bbb-8ccc-dddddddddddd.jsonl`);

    it(`${RUNS} runs of mutated, truncated, random and non-UTF-8 lines (seed ${FUZZ_SEED})`, () => {
      console.log(`      fuzz seed: ${FUZZ_SEED} (FD_FUZZ_SEED to repeat)`);
      const samples = sampleLines('rollouts');
      let lines = 0;
      fc.assert(fc.property(
        fc.nat({ max: 7 }), fc.array(rawLine(samples), { minLength: 1, maxLength: 12 }), fc.boolean(),
        (n, raw, newlineAtEnd) => {
          const file = rollout(n);
          fs.mkdirSync(path.dirname(file), { recursive: true });
          const body = Buffer.concat(raw.flatMap((b, i) => (i < raw.length - 1 || newlineAtEnd ? [b, Buffer.from('\n')] : [b])));
          fs.appendFileSync(file, body);
          lines += raw.length;
          watcher.processNow(file);
          assert.deepEqual(r.log.thrown(), []);
        },
      ), { seed: FUZZ_SEED, numRuns: RUNS });
      r.store.flush();
      const totals = watcher.totals;
      console.log(`      ${lines} lines: ${totals.lines} read, ${totals.invalidJson} not JSON, ${totals.invalidPayload} unexpected shape; ${r.engine.listSessions().length} sessions`);
      assertStoreIntact(r.file);
    });

    it('skips a 100 MB line and JSON nested 100,000 deep, and reads the good lines after them', () => {
      const file = rollout(9);
      const c: CodexCtx = { threadId: '00000009-aaaa-7bbb-8ccc-dddddddddddd', cwd: '/w', turnId: 't1', ordinal: -1, at: Date.now() };
      fs.writeFileSync(file, codex.meta(c) + codex.taskStarted(c));
      appendHugeLine(file, BIG);
      fs.appendFileSync(file, deeplyNested(100_000) + '\n' + `{"type":"response_item","payload":${deeplyNested(50_000, '[]')}}\n`);
      fs.appendFileSync(file, codex.agent(c, 'after the giants'));
      for (let i = 0; i < 20 && (i === 0 || fs.statSync(file).size > (r.store.getOffset(file)?.offset ?? 0)); i++) watcher.processNow(file);
      assert.deepEqual(r.log.thrown(), []);
      assert.ok(r.log.lines.some(l => l.level === 'warn' && /skipped a \d+-byte line/.test(l.msg)), 'the oversized line is reported');
      const s = r.engine.findByProviderId('codex', c.threadId)!;
      assert.ok(r.engine.getMessages(s.id).some(m => m.text === 'after the giants'), 'the line after them is read');
      assert.equal(r.store.getOffset(file)?.offset, fs.statSync(file).size);
      fs.rmSync(file);
      assertStoreIntact(r.file);
    });
  });

  describe('Claude transcripts → tailer', () => {
    let r: Rig;
    let tailer: TranscriptTailer;
    before(() => {
      r = rig();
      tailer = new TranscriptTailer({ engine: r.engine, store: r.store, clock: r.clock, log: r.log.fn, watch: false });
      tailer.start();
    });
    after(() => { tailer.stop(); r.engine.stop(); r.store.close(); });

    it(`${RUNS} runs of mutated, truncated, random and non-UTF-8 lines (seed ${FUZZ_SEED})`, () => {
      const samples = sampleLines('claude/transcripts');
      const sessions = Array.from({ length: 6 }, (_, i) => r.engine.createSession({ provider: 'claude', mode: 'passive', providerSessionId: `claude-fuzz-${i}`, cwd: '/w' }));
      let lines = 0;
      fc.assert(fc.property(
        fc.nat({ max: 5 }), fc.array(rawLine(samples), { minLength: 1, maxLength: 12 }), fc.boolean(),
        (n, raw, newlineAtEnd) => {
          const file = path.join(r.dir, 'projects', `s${n}.jsonl`);
          fs.mkdirSync(path.dirname(file), { recursive: true });
          fs.appendFileSync(file, Buffer.concat(raw.flatMap((b, i) => (i < raw.length - 1 || newlineAtEnd ? [b, Buffer.from('\n')] : [b]))));
          lines += raw.length;
          tailer.follow(sessions[n].id, file);
          assert.deepEqual(r.log.thrown(), []);
          assert.deepEqual(r.log.lines.filter(l => l.level === 'error').map(l => l.msg.slice(0, 300)), []);
        },
      ), { seed: FUZZ_SEED, numRuns: RUNS });
      r.store.flush();
      const stats = assertStoreIntact(r.file);
      console.log(`      ${lines} lines → ${stats.messages} transcript items in ${stats.sessions} sessions`);
    });

    it('skips a 100 MB line and JSON nested 100,000 deep, and reads the good lines after them', () => {
      const s = r.engine.createSession({ provider: 'claude', mode: 'passive', providerSessionId: 'claude-giants', cwd: '/w' });
      const file = path.join(r.dir, 'projects', 'giants.jsonl');
      const c: ClaudeCtx = { sessionId: 'claude-giants', cwd: '/w', promptId: 'p1', parent: null, at: Date.now(), n: 0 };
      fs.writeFileSync(file, claude.user(c, 'before the giants'));
      appendHugeLine(file, BIG);
      fs.appendFileSync(file, deeplyNested(100_000) + '\n');
      // Valid in shape, with a tool input nested deeper than JSON.stringify can go. The mapper overflows
      // the stack on it (transcriptMapper toolItem); the tailer must confine that to this one line.
      const deepAt = fs.statSync(file).size;
      fs.appendFileSync(file, `{"type":"assistant","uuid":"deep-1","message":{"id":"m-deep","content":[{"type":"tool_use","id":"toolu_deep","name":"Write","input":${deeplyNested(20_000)}}]}}\n`);
      fs.appendFileSync(file, claude.assistant(c, 'msg_after', textBlock('after the giants')));
      tailer.follow(s.id, file);
      assert.deepEqual(r.log.thrown().filter(m => !m.includes(`line at offset ${deepAt} could not be applied`)), [], 'no other line is lost');
      assert.ok(r.log.lines.some(l => /skipped a line of \d+ bytes/.test(l.msg)), 'the oversized line is reported');
      const texts = r.engine.getMessages(s.id).map(m => m.text);
      assert.ok(texts.includes('before the giants') && texts.includes('after the giants'), `the good lines are read: ${JSON.stringify(texts).slice(0, 300)}`);
      fs.rmSync(file);
      assertStoreIntact(r.file);
    });
  });
});
