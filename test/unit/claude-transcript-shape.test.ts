// The transcript mapper checks line shapes by hand (a zod safeParse per line was 13 % of reading
// Claude history). The zod schemas it used are kept here as the oracle: on every line of the real
// transcripts and on thousands of seeded mutations of them, both must give the same verdict.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { assistantEntryOf, userEntryOf } from '../../src/engine/claude/transcriptMapper';
import { REPO_ROOT } from '../fixtures/claudeEnv';
import { seededRng } from '../fixtures/bench/rng';
import { mutate } from '../fixtures/shapeMutation';

const Block = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  thinking: z.string().optional(),
  id: z.string().optional(),
  name: z.string().optional(),
  input: z.unknown().optional(),
  tool_use_id: z.string().optional(),
  content: z.unknown().optional(),
  is_error: z.boolean().optional(),
});
const Usage = z.looseObject({
  input_tokens: z.number().nonnegative().optional(),
  output_tokens: z.number().nonnegative().optional(),
  cache_creation_input_tokens: z.number().nonnegative().nullish(),
  cache_read_input_tokens: z.number().nonnegative().nullish(),
});
const common = {
  uuid: z.string().min(1).max(200),
  timestamp: z.string().optional(),
  isSidechain: z.boolean().optional(),
  promptId: z.string().optional(),
};
const UserEntry = z.looseObject({
  ...common,
  type: z.literal('user'),
  isMeta: z.boolean().optional(),
  isCompactSummary: z.boolean().optional(),
  toolDenialKind: z.string().optional(),
  message: z.looseObject({ content: z.union([z.string(), z.array(Block)]) }),
});
const AssistantEntry = z.looseObject({
  ...common,
  type: z.literal('assistant'),
  message: z.looseObject({ id: z.string().min(1).max(200), model: z.string().optional(), content: z.array(Block), usage: Usage.optional() }),
});

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'claude', 'transcripts');
const lines = fs.readdirSync(FIXTURES).filter(f => f.endsWith('.jsonl'))
  .flatMap(f => fs.readFileSync(path.join(FIXTURES, f), 'utf8').split('\n').filter(Boolean).map(l => JSON.parse(l) as unknown));

/** Values a field may be set to: every JSON kind, edge numbers, ids at and past 200 code points. */
const REPLACEMENTS: unknown[] = [
  null, true, false, 0, -0, -1, 1.5, 1e308, Number.NaN, Number.POSITIVE_INFINITY, '', 'x', 'user', 'assistant', 'text', 'tool_use',
  'x'.repeat(200), 'x'.repeat(201), '😀'.repeat(150), '😀'.repeat(201), [], [{}], [{ type: 'text' }], [{ type: 1 }], {}, { type: 'text', text: 1 },
];

describe('claude transcript line shapes: the hand checks agree with the zod schemas they replaced', () => {
  it('on every line of the real transcripts', () => {
    assert.ok(lines.length > 50, `${lines.length} lines`);
    for (const line of lines) {
      assert.equal(userEntryOf(line) !== null, UserEntry.safeParse(line).success, JSON.stringify(line).slice(0, 300));
      assert.equal(assistantEntryOf(line) !== null, AssistantEntry.safeParse(line).success, JSON.stringify(line).slice(0, 300));
    }
  });

  it('on 40,000 seeded mutations of them (fields removed, or set to other kinds, edge numbers, long ids)', () => {
    const seed = 20261204;
    const rng = seededRng(seed);
    const verdicts = { user: [0, 0], assistant: [0, 0] };
    const candidates = lines.filter(l => ['user', 'assistant'].includes((l as { type?: string }).type ?? ''));
    for (let i = 0; i < 40_000; i++) {
      const x = mutate(candidates[i % candidates.length], rng, REPLACEMENTS);
      const user = UserEntry.safeParse(x).success;
      const assistant = AssistantEntry.safeParse(x).success;
      const context = `seed ${seed}, mutation ${i}: ${JSON.stringify(x).slice(0, 400)}`;
      assert.equal(userEntryOf(x) !== null, user, `user verdict, ${context}`);
      assert.equal(assistantEntryOf(x) !== null, assistant, `assistant verdict, ${context}`);
      verdicts.user[user ? 0 : 1]++;
      verdicts.assistant[assistant ? 0 : 1]++;
    }
    // Both verdicts occur often for both shapes, or the comparison proves little.
    for (const [kind, [yes, no]] of Object.entries(verdicts)) assert.ok(yes > 2_000 && no > 2_000, `${kind}: ${yes} accepted, ${no} refused`);
  });

  it('refuses what is not an object line', () => {
    for (const v of [null, 1, 'user', [], [{ type: 'user' }]]) {
      assert.equal(userEntryOf(v), null);
      assert.equal(assistantEntryOf(v), null);
    }
  });
});
