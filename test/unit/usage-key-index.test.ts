// The usage report's index by message key under a bulk write (store/usageKeyIndex.ts), on real SQLite
// files: dropped while an import adds at least as many usage rows as the table held, built again at
// its end or, after a kill, at the next owner's open; the report is the same throughout (a Claude
// message repeated by a forked transcript still counts once).
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { FakeClock, iso } from '../../src/engine/platform/clock';
import { newSession } from '../../src/engine/sessions/model';
import { openStore } from '../../src/engine/store/sqliteStore';
import type { Store, TokenUsageRecord } from '../../src/engine/store/types';
import { ensureUsageKeyIndex, hasUsageKeyIndex } from '../../src/engine/store/usageKeyIndex';
import { usageReport } from '../../src/engine/history/usage';
import { usageBucketsQuery } from '../../src/engine/store/usage';
import { openTestDb, TEST_DRIVER } from '../helpers/storeDriver';
import { cleanupTmpDirs, tmpDir } from '../helpers/tmp';

const DEFER_ROWS = 5;

function open(file: string, more: { onlyReads?: boolean } = {}): Store {
  return openStore({ file, clock: new FakeClock(), driver: TEST_DRIVER, usageKeyIndexDeferRows: DEFER_ROWS, ...more });
}

function indexed(file: string): boolean {
  const db = openTestDb(file);
  try { return hasUsageKeyIndex(db); } finally { db.close(); }
}

/** How SQLite runs the report's statement on this file now: each step of its plan. */
function reportPlan(file: string): string[] {
  const db = openTestDb(file);
  try {
    const { sql, args } = usageBucketsQuery(db, { by: 'hour', from: iso(0) });
    return db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args).map(r => String(r.detail));
  } finally { db.close(); }
}

/** A parent transcript and its fork (which repeats the parent's messages), and a Codex session. */
function sessions(store: Store): void {
  for (const [id, provider] of [['parent', 'claude'], ['fork', 'claude'], ['rollout', 'codex']] as const) {
    store.saveSession({ ...newSession({ id, provider, mode: 'passive', providerSessionId: id, cwd: `/w/${id}` }, 0), status: 'ended' });
  }
}

function usage(sessionId: string, messageKey: string, i: number): TokenUsageRecord {
  return { sessionId, messageKey, model: 'claude-sonnet-4-5', input: 10 + i, output: 1, cacheRead: 100, cacheCreation: 1000, reasoning: 0, at: iso(i * 3_600_000) };
}

/** `n` messages of the parent, the fork repeating all of them, and `n` Codex records: 3n rows, 2n counted. */
function addRows(store: Store, n: number, from = 0): void {
  for (let i = from; i < from + n; i++) {
    store.insertTokenUsage(usage('parent', `msg_${i}`, i));
    store.insertTokenUsage(usage('fork', `msg_${i}`, i));
    store.insertTokenUsage(usage('rollout', `turn_${i}`, i));
  }
  store.flush();
}

/** A store holding `held` messages' rows (addRows), then an import under way that has added `added` more. */
function importInto(name: string, held: number, added: number): { file: string; store: Store } {
  const file = path.join(tmpDir(), name);
  const store = open(file);
  sessions(store);
  addRows(store, held);
  store.beginBulkWrite();
  addRows(store, added, held);
  return { file, store };
}

const totals = (store: Store) => {
  const t = usageReport(store, { timezone: 'UTC' }).totals;
  return { records: t.records, input: t.input };
};

describe(`usage index by message key under a bulk write [${TEST_DRIVER}]`, () => {
  afterEach(cleanupTmpDirs);

  it('an import adding as many rows as the table held drops it, the report stays the same, and its end builds it again', () => {
    const { file, store } = importInto('keys.db', 2, 10);
    assert.equal(indexed(file), false, 'dropped once the import added as many rows as there were');
    // 12 messages of the parent (the fork's copies not counted) and 12 Codex records.
    const expected = { records: 24, input: 2 * (12 * 10 + (11 * 12) / 2) };
    assert.deepEqual(totals(store), expected, 'the report without the index');
    // Not a lookup per record, which would scan the whole table for each one without the index.
    assert.ok(!reportPlan(file).some(step => step.includes('CORRELATED')), reportPlan(file).join('\n'));
    store.endBulkWrite();
    assert.equal(indexed(file), true, 'built again at the end');
    assert.ok(reportPlan(file).some(step => step.includes('token_usage_by_key')), 'with it, one lookup per record');
    assert.deepEqual(totals(store), expected, 'the report with it');
    store.close();
  });

  it('a small import into a larger table keeps it', () => {
    const { file, store } = importInto('small.db', 10, 3); // 9 rows added to 30
    assert.equal(indexed(file), true);
    store.endBulkWrite();
    assert.equal(indexed(file), true);
    store.close();
  });

  it('an import killed while it is dropped: a reader leaves it, the next owner builds it', () => {
    const file = path.join(tmpDir(), 'killed.db');
    const first = open(file);
    sessions(first);
    first.beginBulkWrite();
    addRows(first, 10);
    // What a kill leaves on disk: the committed rows, the index dropped, no endBulkWrite.
    first.close();
    assert.equal(indexed(file), false);
    const reader = open(file, { onlyReads: true });
    assert.deepEqual(totals(reader), { records: 20, input: 2 * (10 * 10 + 45) }, 'a report before the repair');
    reader.close();
    assert.equal(indexed(file), false, 'a process that only reads leaves the repair to the owner');
    const owner = open(file);
    assert.equal(indexed(file), true);
    assert.deepEqual(totals(owner), { records: 20, input: 2 * (10 * 10 + 45) });
    owner.close();
  });

  it('the build (sorted in temporary files on disk) leaves the connection\'s temp_store as it was, and builds inside a transaction too', () => {
    const file = path.join(tmpDir(), 'build.db');
    open(file).close();
    const db = openTestDb(file);
    try {
      const tempStore = () => Number(db.prepare('PRAGMA temp_store').get()?.temp_store);
      db.exec('PRAGMA temp_store = MEMORY; DROP INDEX token_usage_by_key');
      assert.equal(ensureUsageKeyIndex(db), true);
      assert.equal(hasUsageKeyIndex(db), true);
      assert.equal(tempStore(), 2, 'temporary files in memory again after the build');
      assert.equal(ensureUsageKeyIndex(db), false, 'nothing to build');
      db.exec('DROP INDEX token_usage_by_key; BEGIN');
      assert.equal(ensureUsageKeyIndex(db), true, 'built in memory where temp_store cannot change');
      db.exec('COMMIT');
      assert.equal(hasUsageKeyIndex(db), true);
      assert.equal(tempStore(), 2);
    } finally { db.close(); }
  });
});
