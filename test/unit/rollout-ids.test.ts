// Codex item ids (codex/rollout/rolloutMap.ts idOf) are stored, and a later read of the same file —
// an import going on after a crash, the live watcher taking over, a newer Flightdeck — finds its items
// by them: how they are built may change, their text may not.
import * as assert from 'node:assert/strict';
import { type MapContext, mapRolloutLine, newMapperState } from '../../src/engine/codex/rollout/rolloutMap';
import { RolloutEnvelope } from '../../src/engine/codex/rollout/rolloutSchema';
import { sha256Hex } from '../../src/engine/platform/sha256';

const THREAD = '019a0000-0000-7000-8000-000000000001';
const TURN = '019a0000-0000-7000-8000-0000000000aa';

function idsOf(line: object, ctx: Partial<MapContext> = {}): string[] {
  const env = RolloutEnvelope.safeParse(line);
  assert.ok(env.success);
  const r = mapRolloutLine(env.data, {
    threadId: THREAD, fileKey: 'f1le', offset: 4096, approvalPolicy: null, sandboxMode: null, now: 0, state: newMapperState(), ...ctx,
  });
  return r.ops.flatMap(op => (op.op === 'upsert' ? [op.message.id] : []));
}

const item = (payload: object) => ({ timestamp: '2026-12-05T10:00:00.000Z', type: 'response_item', payload });

describe('Codex item ids', () => {
  it('are <thread>:<turn>:<key> for lines of a known turn', () => {
    const turn = { internal_chat_message_metadata_passthrough: { turn_id: TURN } };
    assert.deepEqual(idsOf(item({ type: 'function_call', call_id: 'call_7', name: 'exec_command', arguments: '{"cmd":"ls"}', ...turn })),
      [`codex:${THREAD}:${TURN}:call:call_7`]);
    assert.deepEqual(idsOf(item({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Done.' }], ...turn })),
      [`codex:${THREAD}:${TURN}:agent:${sha256Hex('Done.').slice(0, 16)}`]);
    assert.deepEqual(idsOf(item({ type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'Thinking' }], ...turn })),
      [`codex:${THREAD}:${TURN}:reasoning:rs_1`]);
  });

  it('are <thread>:@<file>:<offset>:<key> for lines whose turn is unknown', () => {
    assert.deepEqual(idsOf(item({ type: 'function_call', call_id: 'call_8', name: 'exec_command', arguments: '{"cmd":"pwd"}' })),
      [`codex:${THREAD}:@f1le:4096:call:call_8`]);
    assert.deepEqual(idsOf(item({ type: 'function_call', name: 'exec_command', arguments: '{}' }), { offset: 77 }),
      [`codex:${THREAD}:@f1le:77:call:@77`]);
  });

  it('take the turn the mapper state holds when the line names none', () => {
    const state = newMapperState();
    state.turnId = TURN;
    assert.deepEqual(idsOf(item({ type: 'function_call', call_id: 'call_9', name: 'apply_patch', input: '*** Begin Patch' }), { state }),
      [`codex:${THREAD}:${TURN}:call:call_9`]);
  });
});
