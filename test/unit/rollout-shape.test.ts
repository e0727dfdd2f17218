// The rollout mapper checks line shapes by hand (rolloutSchema.ts: zod copied every object it checked
// and put its 730 KB in the history import thread). The zod schemas it used are kept here as the
// oracle: on every line of the real rollouts and on thousands of seeded mutations of them, each hand
// check must give the same verdict as the schema it replaced.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import * as hand from '../../src/engine/codex/rollout/rolloutSchema';
import { REPO_ROOT } from '../fixtures/claudeEnv';
import { seededRng } from '../fixtures/bench/rng';
import { mutate } from '../fixtures/shapeMutation';

const str = z.string();
const optStr = z.string().nullish();
const optNum = z.number().nullish();

const RolloutEnvelope = z.object({ timestamp: optStr, type: str, payload: z.unknown() });

const SessionMeta = z.object({
  id: str.min(1),
  timestamp: optStr,
  cwd: optStr,
  originator: optStr,
  source: z.unknown().optional(),
  cli_version: optStr,
  git: z.object({ branch: optStr }).nullish(),
});

const TurnContext = z.object({
  turn_id: optStr,
  cwd: optStr,
  model: optStr,
  approval_policy: z.unknown().optional(),
  sandbox_policy: z.object({ type: optStr }).nullish(),
});

const Passthrough = z.object({ turn_id: optStr, content_item_kinds: z.array(str).nullish() }).nullish();

const ContentPart = z.object({ type: optStr, text: optStr });

const ResponseMessage = z.object({
  type: z.literal('message'),
  id: optStr,
  role: str,
  content: z.union([z.array(ContentPart), z.string()]).nullish(),
  internal_chat_message_metadata_passthrough: Passthrough,
});

const ResponseReasoning = z.object({
  type: z.literal('reasoning'),
  id: optStr,
  summary: z.array(ContentPart).nullish(),
  internal_chat_message_metadata_passthrough: Passthrough,
});

const ResponseFunctionCall = z.object({
  type: z.enum(['function_call', 'custom_tool_call', 'local_shell_call']),
  id: optStr,
  call_id: optStr,
  name: optStr,
  arguments: optStr,
  input: optStr,
  internal_chat_message_metadata_passthrough: Passthrough,
});

const ResponseCallOutput = z.object({
  type: z.enum(['function_call_output', 'custom_tool_call_output']),
  call_id: optStr,
  output: z.unknown(),
  internal_chat_message_metadata_passthrough: Passthrough,
});

const ResponseWebSearch = z.object({
  type: z.literal('web_search_call'),
  id: optStr,
  status: optStr,
  action: z.object({ query: optStr }).nullish(),
  internal_chat_message_metadata_passthrough: Passthrough,
});

const TokenBreakdown = z.object({
  input_tokens: optNum,
  cached_input_tokens: optNum,
  cache_write_input_tokens: optNum,
  output_tokens: optNum,
  reasoning_output_tokens: optNum,
  total_tokens: optNum,
});

const RateWindow = z.object({ used_percent: optNum, window_minutes: optNum, resets_at: optNum }).nullish();

const TokenCount = z.object({
  type: z.literal('token_count'),
  info: z.object({
    total_token_usage: TokenBreakdown.nullish(),
    last_token_usage: TokenBreakdown.nullish(),
    model_context_window: optNum,
  }).nullish(),
  rate_limits: z.object({ primary: RateWindow, secondary: RateWindow }).nullish(),
});

const TaskStarted = z.object({
  type: z.literal('task_started'), turn_id: optStr, model_context_window: optNum,
  /** `turn_trigger: "exec"` for a turn a `codex exec` process runs (null for interactive / app-server turns). */
  turn_attribution: z.object({ turn_trigger: z.unknown().optional() }).nullish(),
});
const TaskComplete = z.object({
  type: z.literal('task_complete'),
  turn_id: optStr,
  duration_ms: optNum,
  error: z.object({ message: optStr }).nullish(),
});
const TurnAborted = z.object({ type: z.literal('turn_aborted'), turn_id: optStr, reason: optStr, duration_ms: optNum });

const ThreadSettingsApplied = z.object({
  type: z.literal('thread_settings_applied'),
  thread_settings: z.object({ model: optStr, approval_policy: z.unknown().optional(), cwd: optStr }).nullish(),
});

const ThreadNameUpdated = z.object({
  type: z.enum(['thread_name_updated', 'thread_renamed']),
  thread_name: optStr,
  name: optStr,
});

/** Pre-0.169 event forms of chat messages (the same text also appears as a response_item). */
const LegacyChat = z.object({
  type: z.enum(['user_message', 'agent_message', 'agent_reasoning']),
  message: optStr,
  text: optStr,
});

const LegacyError = z.object({ type: z.literal('error'), message: optStr });

const PlanUpdate = z.object({
  type: z.literal('plan_update'),
  plan: z.array(z.object({ step: str, status: str })),
});

const Duration = z.object({ secs: optNum, nanos: optNum }).nullish();

const CompletedItem = z.object({
  type: z.literal('item_completed'),
  turn_id: optStr,
  item: z.object({
    type: str,
    id: optStr,
    content: z.array(ContentPart).nullish(),
    summary_text: z.array(str).nullish(),
    command: z.union([z.array(str), z.string()]).nullish(),
    cwd: optStr,
    status: optStr,
    exit_code: optNum,
    aggregated_output: optStr,
    duration: Duration,
    changes: z.record(str, z.object({
      type: str,
      content: optStr,
      unified_diff: optStr,
      move_path: optStr,
    })).nullish(),
    stdout: optStr,
    stderr: optStr,
  }),
  started_at_ms: optNum,
  completed_at_ms: optNum,
});

const EventMsg = z.object({ type: str });
const SessionIndexLine = z.object({ id: z.string().min(1), thread_name: z.string().nullish(), updated_at: z.string().nullish() });

const PAIRS: [string, { safeParse(v: unknown): { success: boolean } }, { safeParse(v: unknown): { success: boolean } }][] = [
  ['SessionMeta', SessionMeta, hand.SessionMeta], ['TurnContext', TurnContext, hand.TurnContext],
  ['ResponseMessage', ResponseMessage, hand.ResponseMessage], ['ResponseReasoning', ResponseReasoning, hand.ResponseReasoning],
  ['ResponseFunctionCall', ResponseFunctionCall, hand.ResponseFunctionCall], ['ResponseCallOutput', ResponseCallOutput, hand.ResponseCallOutput],
  ['ResponseWebSearch', ResponseWebSearch, hand.ResponseWebSearch], ['TokenCount', TokenCount, hand.TokenCount],
  ['TaskStarted', TaskStarted, hand.TaskStarted], ['TaskComplete', TaskComplete, hand.TaskComplete], ['TurnAborted', TurnAborted, hand.TurnAborted],
  ['ThreadSettingsApplied', ThreadSettingsApplied, hand.ThreadSettingsApplied], ['ThreadNameUpdated', ThreadNameUpdated, hand.ThreadNameUpdated],
  ['LegacyChat', LegacyChat, hand.LegacyChat], ['LegacyError', LegacyError, hand.LegacyError], ['PlanUpdate', PlanUpdate, hand.PlanUpdate],
  ['CompletedItem', CompletedItem, hand.CompletedItem], ['EventMsg', EventMsg, hand.EventMsg],
  ['SessionIndexLine', SessionIndexLine, hand.SessionIndexLine],
];

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'rollouts');
/**
 * Shapes the mapper reads that the recorded rollouts do not hold (older Codex releases, rarer events),
 * written with every declared field so the mutations reach each of them.
 */
const SYNTHETIC: unknown[] = [
  { type: 'response_item', payload: { type: 'web_search_call', id: 'ws1', status: 'completed', action: { query: 'q' }, internal_chat_message_metadata_passthrough: { turn_id: 't', content_item_kinds: ['text'] } } },
  { type: 'response_item', payload: { type: 'local_shell_call', id: 'c1', call_id: 'c1', name: 'shell', arguments: '{}', input: 'x' } },
  { type: 'response_item', payload: { type: 'reasoning', id: 'r1', summary: [{ type: 'summary_text', text: 'why' }] } },
  { type: 'event_msg', payload: { type: 'thread_name_updated', thread_name: 'a name', name: 'b' } },
  { type: 'event_msg', payload: { type: 'thread_renamed', name: 'b' } },
  { type: 'event_msg', payload: { type: 'user_message', message: 'hi', text: 'hi' } },
  { type: 'event_msg', payload: { type: 'agent_reasoning', text: 'hmm' } },
  { type: 'event_msg', payload: { type: 'error', message: 'boom' } },
  { type: 'event_msg', payload: { type: 'plan_update', plan: [{ step: 'a', status: 'completed' }, { step: 'b', status: 'pending' }] } },
  { type: 'event_msg', payload: { type: 'task_complete', turn_id: 't', duration_ms: 5, error: { message: 'failed' } } },
  { type: 'event_msg', payload: { type: 'task_started', turn_id: 't', model_context_window: 1000, turn_attribution: { turn_trigger: 'exec' } } },
  { type: 'event_msg', payload: { type: 'token_count', info: { total_token_usage: { input_tokens: 1, cached_input_tokens: 0, cache_write_input_tokens: 0, output_tokens: 2, reasoning_output_tokens: 0, total_tokens: 3 }, last_token_usage: { input_tokens: 1, total_tokens: 3 }, model_context_window: 1000 }, rate_limits: { primary: { used_percent: 5, window_minutes: 300, resets_at: 1 }, secondary: null } } },
  { type: 'event_msg', payload: { type: 'item_completed', turn_id: 't', started_at_ms: 1, completed_at_ms: 2, item: { type: 'CommandExecution', id: 'c', command: ['ls', '-l'], cwd: '/w', status: 'completed', exit_code: 0, aggregated_output: 'out', duration: { secs: 1, nanos: 5 }, summary_text: ['s'], content: [{ type: 'text', text: 'x' }] } } },
  { type: 'event_msg', payload: { type: 'item_completed', turn_id: 't', item: { type: 'FileChange', id: 'f', status: 'completed', changes: { '/w/a': { type: 'add', content: 'x', unified_diff: null, move_path: null }, '/w/b': { type: 'update', unified_diff: '@@' } }, stdout: 'ok', stderr: '' } } },
  { type: 'turn_context', payload: { turn_id: 't', cwd: '/w', model: 'm', approval_policy: 'never', sandbox_policy: { type: 'workspace-write' } } },
  // A session_index.jsonl line, as a payload so the same comparison reaches it.
  { type: 'x', payload: { id: 'thread-1', thread_name: 'a name', updated_at: '2026-01-01T00:00:00Z' } },
  { type: 'session_meta', payload: { id: 'abc', timestamp: 'x', cwd: '/w', originator: 'o', source: 'cli', cli_version: '1', git: { branch: 'main' } } },
];

const lines = [...SYNTHETIC, ...fs.readdirSync(FIXTURES).filter(f => f.endsWith('.rollout.jsonl'))
  .flatMap(f => fs.readFileSync(path.join(FIXTURES, f), 'utf8').split('\n').filter(Boolean).map(l => JSON.parse(l) as unknown))];

/** Values a field may be set to: every JSON kind, edge numbers, the type names the checks branch on. */
const REPLACEMENTS: unknown[] = [
  null, true, false, 0, -1, 1.5, 1e308, Number.NaN, Number.POSITIVE_INFINITY, '', 'x', 'message', 'reasoning', 'function_call',
  'function_call_output', 'token_count', 'item_completed', 'task_started', 'plan_update', 'thread_renamed', 'user_message', 'error',
  [], ['a'], [1], [{}], [{ type: 'text', text: 'x' }], [{ step: 'a', status: 'done' }], {}, { type: 'x' }, { turn_id: 1 }, { a: { type: 'add' } },
];

function payloadOf(line: unknown): unknown {
  return typeof line === 'object' && line !== null ? (line as { payload?: unknown }).payload : undefined;
}

describe('codex rollout line shapes: the hand checks agree with the zod schemas they replaced', () => {
  const verdicts = new Map<string, [number, number]>();
  const agree = (line: unknown, context: string) => {
    assert.equal(hand.RolloutEnvelope.safeParse(line).success, RolloutEnvelope.safeParse(line).success, `RolloutEnvelope, ${context}`);
    const p = payloadOf(line);
    for (const [name, oracle, check] of PAIRS) {
      const expected = oracle.safeParse(p).success;
      assert.equal(check.safeParse(p).success, expected, `${name}, ${context}`);
      const v = verdicts.get(name) ?? [0, 0];
      v[expected ? 0 : 1]++;
      verdicts.set(name, v);
    }
  };

  it('on every line of the real rollouts', () => {
    assert.ok(lines.length > 100, `${lines.length} lines`);
    for (const line of lines) agree(line, JSON.stringify(line).slice(0, 300));
  });

  it('on 60,000 seeded mutations of them (fields removed, or set to other kinds, edge numbers, other type names)', () => {
    const seed = 20261204;
    const rng = seededRng(seed);
    verdicts.clear();
    for (let i = 0; i < 60_000; i++) {
      const x = mutate(lines[i % lines.length], rng, REPLACEMENTS);
      agree(x, `seed ${seed}, mutation ${i}: ${JSON.stringify(x).slice(0, 400)}`);
    }
    // The shapes the real rollouts hold are accepted and refused often, or the comparison proves little.
    for (const [name] of PAIRS) {
      const [yes, no] = verdicts.get(name) ?? [0, 0];
      assert.ok(yes >= 20 && no >= 20, `${name}: ${yes} accepted, ${no} refused`);
    }
  });

  it('refuses what is not an object', () => {
    for (const v of [null, undefined, 1, 'message', [], [{ type: 'message' }]]) {
      for (const [, , check] of PAIRS) assert.equal(check.safeParse(v).success, false);
      assert.equal(hand.RolloutEnvelope.safeParse(v).success, false);
    }
  });
});
