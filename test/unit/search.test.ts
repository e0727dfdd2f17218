// Search over live and past items of both agents (SPEC §11) on a real SQLite file: filters, prefix on
// the last word, what a hit carries, and fuzzed input that must never raise an SQLite error.
import * as assert from 'node:assert/strict';
import { iso } from '../../src/engine/platform/clock';
import { ftsQuery, queryTerms } from '../../src/engine/store/search';
import { DAY, writePast } from '../fixtures/historyStore';
import { seededRng } from '../fixtures/bench/rng';
import { makeEngine, type TestEngine } from '../helpers/engine';
import { cleanupTmpDirs } from '../helpers/tmp';

describe('search: filters, prefix, hits per session, fuzz', () => {
  let t: TestEngine;
  afterEach(() => { t?.close(); cleanupTmpDirs(); });

  function world(): TestEngine {
    t = makeEngine();
    const now = t.clock.now();
    writePast(t.store, [
      { id: 'cx-shop', provider: 'codex', cwd: '/w/shop', at: now - 20 * DAY, messages: [
        { kind: 'user', text: 'make the checkout retry on timeout' },
        { kind: 'agent', text: 'The checkout now retries twice on timeout' },
        { kind: 'command', text: 'npm test -- checkout' },
      ] },
      { id: 'cl-blog', provider: 'claude', cwd: '/w/blog', at: now - 2 * DAY, messages: [
        { kind: 'user', text: 'why does the checkout page time out' },
        { kind: 'agent', text: 'The checkout handler waits on a lock' },
      ] },
    ]);
    const live = t.engine.createSession({ id: 'live', provider: 'codex', mode: 'direct', cwd: '/w/shop' });
    t.engine.appendMessage(live.id, { id: 'live-1', kind: 'user', text: 'checkout is flaky again', createdAt: iso(now) });
    return t;
  }

  it('finds items of live and past sessions of both agents, newest first, with agent, project, kind and time', () => {
    world();
    const hits = t.engine.search('checkout');
    assert.deepEqual(hits.map(h => h.messageId), ['live-1', 'cl-blog-m1', 'cl-blog-m0', 'cx-shop-m2', 'cx-shop-m1', 'cx-shop-m0']);
    const h = hits[1];
    assert.equal(h.provider, 'claude');
    assert.equal(h.cwd, '/w/blog');
    assert.equal(h.projectName, 'blog');
    assert.equal(h.kind, 'agent');
    assert.equal(h.displayName, 'work on cl-blog');
    assert.equal(h.createdAt, iso(t.clock.now() - 2 * DAY - 1000));
    assert.match(h.snippet, /\[checkout\]/);
  });

  it('filters by agent, project, date range and role', () => {
    world();
    const now = t.clock.now();
    const ids = (q: string, f: Parameters<TestEngine['engine']['search']>[2]) => t.engine.search(q, 50, f).map(h => h.messageId);
    assert.deepEqual(ids('checkout', { provider: 'claude' }), ['cl-blog-m1', 'cl-blog-m0']);
    assert.deepEqual(ids('checkout', { cwd: '/w/shop' }), ['live-1', 'cx-shop-m2', 'cx-shop-m1', 'cx-shop-m0']);
    assert.deepEqual(ids('checkout', { role: 'prompts' }), ['live-1', 'cl-blog-m0', 'cx-shop-m0']);
    assert.deepEqual(ids('checkout', { role: 'replies' }), ['cl-blog-m1', 'cx-shop-m1']);
    assert.deepEqual(ids('checkout', { role: 'commands' }), ['cx-shop-m2']);
    assert.deepEqual(ids('checkout', { since: iso(now - 10 * DAY), until: iso(now - DAY) }), ['cl-blog-m1', 'cl-blog-m0']);
    assert.deepEqual(ids('checkout', { provider: 'codex', role: 'prompts', cwd: '/w/shop', since: iso(now - 30 * DAY) }), ['live-1', 'cx-shop-m0']);
    assert.deepEqual(ids('checkout', { cwd: null }), []);
  });

  it('matches the last word as a prefix while the user types, earlier words whole', () => {
    world();
    const ids = (q: string) => t.engine.search(q).map(h => h.messageId);
    assert.deepEqual(ids('checko'), ids('checkout'));
    assert.deepEqual(ids('retr'), ['cx-shop-m1', 'cx-shop-m0']);
    assert.deepEqual(ids('checkout retr'), ['cx-shop-m1', 'cx-shop-m0']);
    assert.deepEqual(ids('checko retries'), [], 'only the last word is a prefix');
    assert.deepEqual(ids('the checkout   '), ids('the checkout'));
  });

  it('a page full of whole-word hits is the answer (fast), else the prefix matches fill it', () => {
    world();
    t.engine.appendMessage('live', { id: 'live-2', kind: 'agent', text: 'two checkouts now', createdAt: iso(t.clock.now()) });
    assert.deepEqual(t.engine.search('checkout', 1).map(h => h.messageId), ['live-1'], 'the newest whole-word hit, not the newer prefix-only one');
    assert.deepEqual(t.engine.search('checkout', 50)[0].messageId, 'live-2', 'with room left, prefix matches come in newest first');
  });

  it('a last word longer than the indexed prefixes: the same hits as the full prefix query, through the index or past its candidate cap', () => {
    world();
    const now = t.clock.now();
    const add = (id: string, text: string, dt: number) => t.engine.appendMessage('live', { id, kind: 'agent', text, createdAt: iso(now + dt) });
    add('memo-1', 'the Memoized checkout (résumé) failed', 1);
    add('member-1', 'a member of the checkout team', 2);
    add('memory-1', 'memory: the checkout leaks', 3);
    add('mid-word', 'an ammemo is no word start', 4);
    const ids = (q: string, limit = 50) => t.engine.search(q, limit).map(h => h.messageId);
    assert.deepEqual(ids('memo'), ['memory-1', 'memo-1']);
    assert.deepEqual(ids('checkout MEMO'), ['memory-1', 'memo-1'], 'earlier words whole, the last a prefix, any case');
    assert.deepEqual(ids('memo', 1), ['memory-1']);
    assert.deepEqual(ids('resum'), ['memo-1'], 'diacritics fold as unicode61 folds them');
    assert.deepEqual(ids('memz'), []);
    assert.deepEqual(ids('checkout MEMO('), ['memory-1', 'memo-1'], 'the last word as FTS5 tokenizes it (punctuation dropped)');
    assert.deepEqual(ids('the checkout-leak'), ['memory-1'], 'a last word that is a phrase ("checkout leak"*) goes to the full prefix query');
    assert.deepEqual(ids('checkout le'), ['memory-1']);
    assert.match(t.engine.search('memor')[0].snippet, /\[memory\]/);
    // More than the candidate cap (2,000) of newer `mem…` items that do not match: the full prefix query answers.
    for (let i = 0; i < 2_100; i++) add(`member-x${i}`, `member number ${i}`, 10 + i);
    assert.deepEqual(ids('memo'), ['memory-1', 'memo-1']);
    assert.deepEqual(ids('membe', 3), ['member-x2099', 'member-x2098', 'member-x2097']);
  });

  it('quotes every term, so operators and quotes are plain text', () => {
    assert.deepEqual(queryTerms('a "b" c'), ['a', 'b', 'c']);
    assert.equal(ftsQuery('NEAR(a b) OR x'), '"NEAR(a" "b)" "OR" "x"*');
    assert.equal(ftsQuery('"'), '');
    assert.equal(ftsQuery('   '), '');
    world();
    assert.deepEqual(t.engine.search('OR'), []);
    assert.deepEqual(t.engine.search('"'), []);
    assert.deepEqual(t.engine.search('"checkout'), t.engine.search('checkout'));
  });

  it('fuzz: 3,000 random queries and filters never raise an error', () => {
    world();
    const rng = seededRng(14);
    const alphabet = ['"', '*', '(', ')', ':', '^', '-', '+', 'NEAR', 'AND', 'OR', 'NOT', ' ', '\u0000', '\\', "'", '%', '_', 'é', '日本', '🙂', '\u200b', 'check', 'out', '{', '}', ',', '.', '\t', '\n', 'a'];
    const pick = <T>(xs: T[]) => xs[Math.floor(rng() * xs.length)];
    for (let i = 0; i < 3000; i++) {
      let q = '';
      const n = 1 + Math.floor(rng() * 12);
      for (let j = 0; j < n; j++) q += rng() < 0.1 ? String.fromCharCode(Math.floor(rng() * 0xd7ff)) : pick(alphabet);
      const filters = rng() < 0.5 ? undefined : {
        provider: pick([undefined, 'codex', 'claude'] as const), role: pick([undefined, 'all', 'prompts', 'replies', 'commands'] as const),
        cwd: pick([undefined, null, '/w/shop', q]),
      };
      try {
        t.engine.search(q, 1 + Math.floor(rng() * 200), filters);
      } catch (e) {
        assert.fail(`query ${JSON.stringify(q)} ${JSON.stringify(filters)} threw ${(e as Error).message}`);
      }
    }
  });
});
