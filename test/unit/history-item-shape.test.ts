// Imported items of one shape share one hidden class (V8 map). Every item of a history import lives in
// memory until its commit, so its size decides how much the import's young generation copies: a spread
// that adds fields (`{ ...m, sessionId, seq }`) gave every item a map and descriptor array of its own
// once V8's clone cache went past its first few objects (~700 bytes an item instead of ~160; the mapping
// thread allocated 18 % more and promoted twice as much). V8's own check says whether two objects
// share a map; it needs --allow-natives-syntax, set here for the functions this file compiles.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { mapTranscriptLine } from '../../src/engine/claude/transcriptMapper';
import { mapRolloutLine, newMapperState } from '../../src/engine/codex/rollout/rolloutMap';
import { RolloutEnvelope } from '../../src/engine/codex/rollout/rolloutSchema';
import { HistorySession } from '../../src/engine/history/historySession';
import { FakeClock } from '../../src/engine/platform/clock';
import type { Message } from '../../src/engine/protocol';
import { openStore } from '../../src/engine/store/sqliteStore';
import type { Store } from '../../src/engine/store/types';
import { unpretenuredArray } from '../../src/engine/platform/objects';
import { TEST_DRIVER } from '../helpers/storeDriver';
import { cleanupTmpDirs, tmpDir } from '../helpers/tmp';

v8.setFlagsFromString('--allow-natives-syntax');
// V8's intrinsic is reachable only from source compiled after the flag is set.
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

/** Objects (past V8's first few clones: 40 of them) whose map differs from the one before. */
function mapChanges(objects: object[]): number[] {
  const at: number[] = [];
  for (let i = 1; i < objects.length; i++) if (!haveSameMap(objects[i], objects[i - 1])) at.push(i);
  return at;
}

const SCOPE = 'claude:s:';
const N = 40;

function assistantLine(i: number): unknown {
  return {
    type: 'assistant', uuid: `a-${i}`, timestamp: '2026-11-02T10:00:00.000Z', promptId: 'p1',
    message: { id: `msg-${i}`, model: 'claude-sonnet-4-5', content: [{ type: 'tool_use', id: `tu-${i}`, name: 'Bash', input: { command: `ls ${i}` } }] },
  };
}

function resultLine(i: number): unknown {
  return {
    type: 'user', uuid: `r-${i}`, timestamp: '2026-11-02T10:00:01.000Z', promptId: 'p1',
    message: { content: [{ type: 'tool_result', tool_use_id: `tu-${i}`, content: `Exit code 0\nfile ${i}` }] },
  };
}

describe('history import: items of one shape share one hidden class', () => {
  let store: Store;
  beforeEach(() => {
    store = openStore({ file: path.join(tmpDir(), 'flightdeck.db'), clock: new FakeClock(Date.parse('2026-12-03T12:00:00.000Z')), driver: TEST_DRIVER });
  });
  afterEach(() => { store.close(); cleanupTmpDirs(); });

  it('the check itself tells a spread that adds fields from a copy', () => {
    // The test below can fail: the pattern it guards against gives objects maps of their own here.
    const item = (i: number) => ({ createdAt: '2026-11-02T10:00:00.000Z', turnId: 'p1', id: `i-${i}`, kind: 'agent', text: 'hello' });
    const spread = Array.from({ length: N }, (_, i) => ({ ...item(i), sessionId: 's', seq: i }));
    assert.ok(mapChanges(spread).length > N / 2, 'spreads that add fields get maps of their own');
    const copied = Array.from({ length: N }, (_, i) => Object.assign(Object.assign({}, item(i)), { sessionId: 's', seq: i }));
    assert.deepEqual(mapChanges(copied), []);
  });

  it('queued items, tool results and the calls they complete keep one map per shape', () => {
    const t = HistorySession.create({ id: 'h1', provider: 'claude', mode: 'passive', providerSessionId: 'c1', fallbackAt: 0 }, store);
    const results: { patch: object; fallback: object }[] = [];
    for (let i = 0; i < N; i++) {
      for (const m of mapTranscriptLine(assistantLine(i), '2026-11-02T10:00:00.000Z', SCOPE).messages) t.append(m);
      results.push(...mapTranscriptLine(resultLine(i), '2026-11-02T10:00:00.000Z', SCOPE).toolResults);
    }
    assert.equal(results.length, N);
    assert.deepEqual(mapChanges(results), [], 'tool results');
    assert.deepEqual(mapChanges(results.map(r => r.patch)), [], 'their patches');
    assert.deepEqual(mapChanges(results.map(r => r.fallback)), [], 'their fallback items');
    // Each result completes its call while the call is still queued (merged in place, not copied).
    for (const r of results) t.update(r.patch as Parameters<HistorySession['update']>[0]);
    const items: Message[] = t.take().messages;
    assert.equal(items.length, N);
    assert.deepEqual(mapChanges(items), [], 'completed call items');
    assert.deepEqual(
      { kind: items[7].kind, text: items[7].text, output: items[7].output, status: items[7].status, exitCode: items[7].exitCode, seq: items[7].seq, sessionId: items[7].sessionId },
      { kind: 'command', text: 'ls 7', output: 'Exit code 0\nfile 7', status: 'completed', exitCode: 0, seq: 7, sessionId: 'h1' },
    );
  });

  it('Codex calls of each kind keep one map, mapped and queued', () => {
    const state = newMapperState();
    const turn = { internal_chat_message_metadata_passthrough: { turn_id: 't1' } };
    const calls: Record<string, (i: number) => object> = {
      command: i => ({ type: 'function_call', call_id: `c-${i}`, name: 'exec_command', arguments: JSON.stringify({ cmd: `ls ${i}`, workdir: '/w' }), ...turn }),
      fileChange: i => ({ type: 'custom_tool_call', call_id: `p-${i}`, name: 'apply_patch', input: `*** Begin Patch ${i}`, ...turn }),
      plan: i => ({ type: 'function_call', call_id: `u-${i}`, name: 'update_plan', arguments: JSON.stringify({ explanation: `plan ${i}`, plan: [{ step: 'a', status: 'pending' }] }), ...turn }),
      tool: i => ({ type: 'function_call', call_id: `m-${i}`, name: 'view_image', arguments: JSON.stringify({ path: `/i/${i}.png` }), ...turn }),
    };
    for (const [kind, line] of Object.entries(calls)) {
      const t = HistorySession.create({ id: `h-${kind}`, provider: 'codex', mode: 'passive', providerSessionId: `x-${kind}`, fallbackAt: 0 }, store);
      const mapped: object[] = [];
      for (let i = 0; i < N; i++) {
        const env = RolloutEnvelope.safeParse({ timestamp: '2026-11-02T10:00:00.000Z', type: 'response_item', payload: line(i) });
        assert.ok(env.success);
        const r = mapRolloutLine(env.data, { threadId: 'x', fileKey: 'k', offset: i, approvalPolicy: null, sandboxMode: null, now: 0, state });
        for (const op of r.ops) if (op.op === 'upsert') { mapped.push(op.message); t.append(op.message); }
      }
      assert.equal(mapped.length, N, kind);
      assert.deepEqual(mapChanges(mapped), [], `${kind}: mapped items`);
      const items = t.take().messages;
      assert.deepEqual(mapChanges(items), [], `${kind}: queued items`);
      assert.equal(items[3].kind, kind);
    }
  });
});

describe('history import: the units\' arrays (platform/objects.ts unpretenuredArray)', () => {
  const hasObjectElements = new Function('a', 'return %HasObjectElements(a)') as (a: unknown[]) => boolean;

  it('hold any values from the start: the first id or object pushed keeps the array\'s map', () => {
    for (const first of ['claude:s:u-1', { op: 'session' }]) {
      const a = unpretenuredArray<unknown>();
      const b = unpretenuredArray<unknown>();
      assert.ok(hasObjectElements(a), 'an array of any values (PACKED_ELEMENTS), not of small integers');
      assert.ok(haveSameMap(a, b));
      a.push(first);
      assert.ok(haveSameMap(a, b), 'no change of kind at the first push (it threw optimized code away)');
      assert.deepEqual(b, [], 'each call is a new array');
    }
  });
});
