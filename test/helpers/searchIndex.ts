// The search index checked against the rows it indexes: FTS5's own integrity check, then every query's
// answers compared with those of an index rebuilt from scratch over the same rows.
import * as assert from 'node:assert/strict';
import type { Db } from '../../src/engine/store/db';
import { openTestDb } from './storeDriver';

/** Every matching rowid of each query straight from the index. */
export function indexAnswers(db: Db, queries: string[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const q of queries) {
    out[q] = db.prepare('SELECT rowid AS r FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rowid').all(q).map(r => Number(r.r));
  }
  return out;
}

/** No row missing, none twice, no stale text: asserts it of the file's index and returns its answers (from before the rebuild). */
export function assertIndexEqualsRebuild(file: string, queries: string[]): Record<string, number[]> {
  const db = openTestDb(file);
  try {
    assert.doesNotThrow(() => db.exec("INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)"));
    const built = indexAnswers(db, queries);
    db.exec("INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')");
    assert.deepEqual(built, indexAnswers(db, queries), 'the same answers as an index rebuilt from the rows (a fresh build)');
    return built;
  } finally { db.close(); }
}
