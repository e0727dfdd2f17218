// Sums of token_usage for the usage report (history/usage.ts), grouped in SQL: per UTC hour (the
// report cuts days in any timezone from them), project (the session's cwd), model or session, and
// per model inside each group so costs can be priced per model.
// A Claude message id counts once across sessions, as ccusage counts a message + request id once:
// a forked or copied transcript repeats its parent's messages under another session. Records
// without a time are left out (ccusage skips lines without a timestamp too).
import type { Db } from './db';
import type { UsageBucket, UsageBucketBy } from './types';
import { hasUsageKeyIndex } from './usageKeyIndex';

const GROUP: Record<UsageBucketBy, string> = {
  hour: 'substr(t.at, 1, 13)', project: 's.cwd', model: 't.model', session: 't.session_id',
};

type BucketQuery = { by: UsageBucketBy; from?: string; to?: string };

export function usageBuckets(db: Db, q: BucketQuery): UsageBucket[] {
  const { sql, args } = usageBucketsQuery(db, q);
  return db.prepare(sql).all(...args)
    .map(r => ({
      key: r.k == null ? null : String(r.k), model: r.model == null ? null : String(r.model), records: Number(r.n),
      input: Number(r.input), cacheCreation: Number(r.cc), cacheRead: Number(r.cr), output: Number(r.output),
      reasoning: Number(r.reasoning), lastAt: String(r.last_at),
    }));
}

/** The report's statement for this store as it is now (exported so a test can read its plan). */
export function usageBucketsQuery(db: Db, q: BucketQuery): { sql: string; args: string[] } {
  const where = ['t.at IS NOT NULL'];
  const args: string[] = [];
  if (q.from) { where.push('t.at >= ?'); args.push(q.from); }
  if (q.to) { where.push('t.at < ?'); args.push(q.to); }
  // Counted in the first session (by id) that has the message. With the index by message key, a lookup
  // per record; while an import has it dropped (usageKeyIndex.ts) that lookup would scan the table for
  // each record, so the repeated keys are found in one sorted pass instead.
  const keyed = hasUsageKeyIndex(db);
  where.push(keyed
    ? `(s.provider <> 'claude' OR NOT EXISTS (
        SELECT 1 FROM token_usage d WHERE d.message_key = t.message_key AND d.session_id < t.session_id))`
    : "(s.provider <> 'claude' OR r.first IS NULL OR r.first = t.session_id)");
  const repeated = keyed ? '' : `LEFT JOIN (SELECT message_key, MIN(session_id) AS first FROM token_usage
      GROUP BY message_key HAVING COUNT(*) > 1) r ON r.message_key = t.message_key`;
  const sql = `SELECT ${GROUP[q.by]} AS k, t.model AS model, COUNT(*) AS n, SUM(t.input_tokens) AS input,
      SUM(t.cache_creation_tokens) AS cc, SUM(t.cache_read_tokens) AS cr, SUM(t.output_tokens) AS output,
      SUM(t.reasoning_tokens) AS reasoning, MAX(t.at) AS last_at
    FROM token_usage t JOIN sessions s ON s.id = t.session_id ${repeated}
    WHERE ${where.join(' AND ')} GROUP BY k, t.model`;
  return { sql, args };
}
