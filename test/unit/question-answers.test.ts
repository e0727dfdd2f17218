// One answer rule for question cards (uiPolicy.buildAnswers), used by the session panel's form and
// the web client's card: a single-select question with typed text is answered with one string in
// both (the web client used to send a list), a multi-select one with a list, and nothing is sent
// while a question has no answer.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PendingQuestion } from '../../src/engine/protocol';
import { buildAnswers } from '../../src/engine/protocol/uiPolicy';

const q: PendingQuestion = {
  questionId: 'q1', requestedAt: '2026-01-01T00:00:00.000Z',
  questions: [
    { id: 'store', question: 'Which store?', options: [{ label: 'Redis' }, { label: 'Memory' }], allowFreeText: true },
    { id: 'tests', question: 'Which tests?', options: [{ label: 'unit' }, { label: 'e2e' }], multiSelect: true, allowFreeText: true },
    { id: 'note', question: 'Anything else?' },
  ],
};

describe('question answers: one rule for panel and web client', () => {
  it('single-select: the typed text wins over the pick, as one string; otherwise the pick', () => {
    const picks: Record<string, string[]> = { store: ['Redis'], tests: ['unit'] };
    const typed: Record<string, string> = { store: '  Postgres ', note: 'keep it small' };
    const r = buildAnswers(q, id => picks[id] ?? [], id => typed[id]);
    assert.deepEqual(r, { answers: { store: 'Postgres', tests: ['unit'], note: 'keep it small' }, missing: [] });
    const picked = buildAnswers(q, id => picks[id] ?? [], id => (id === 'note' ? 'n' : ''));
    assert.equal(picked.answers.store, 'Redis');
  });

  it('multi-select: the picks plus the typed text, as a list', () => {
    const r = buildAnswers(q, id => (id === 'tests' ? ['unit', 'e2e'] : ['Redis']), id => (id === 'tests' ? 'lint' : id === 'note' ? 'x' : ''));
    assert.deepEqual(r.answers.tests, ['unit', 'e2e', 'lint']);
  });

  it('a question with neither a pick nor text is missing', () => {
    const r = buildAnswers(q, id => (id === 'store' ? ['Memory'] : []), () => '');
    assert.deepEqual(r.missing, ['Which tests?', 'Anything else?']);
  });

  it('the panel and the web client both build answers with it (no second copy)', () => {
    const repo = path.resolve(__dirname, '../../..');
    for (const f of ['webview/session/views/questionCard.ts', 'web/app.ts']) {
      const text = fs.readFileSync(path.join(repo, f), 'utf8');
      assert.match(text, /buildAnswers\(/, `${f} builds its answer with uiPolicy.buildAnswers`);
      assert.doesNotMatch(text, /answers\[[^\]]+\] = /, `${f} builds an answer itself`);
    }
  });
});
