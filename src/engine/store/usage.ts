// Sums of token_usage for the usage report (history/usage.ts), grouped in SQL: per UTC hour (the
// report cuts days in any timezone from them), project (the session's cwd), model or session, and
// per model inside each group so costs can be priced per model.
// A Claude message id counts once across sessions, as ccusage counts a message + request id once:
// a forked or copied transcript repeats its parent's messages under another session. Records
// without a time are left out (ccusage skips lines without a timestamp too).
import type { Db } from './db';
import type { UsageBucket, UsageBucketBy } from './types';

const GROUP: Record<UsageBucketBy, string> = {
  hour: 'substr(t.at, 1, 13)', project: 's.cwd', model: 't.model', session: 't.session_id',
};

export function usageBuckets(db: Db, q: { by: UsageBucketBy; from?: string; to?: string }): UsageBucket[] {
  const where = ['t.at IS NOT NULL'];
  const args: string[] = [];
  if (q.from) { where.push('t.at >= ?'); args.push(q.from); }
  if (q.to) { where.push('t.at < ?'); args.push(q.to); }
  where.push(`(s.provider <> 'claude' OR NOT EXISTS (
    SELECT 1 FROM token_usage d WHERE d.message_key = t.message_key AND d.session_id < t.session_id))`);
  return db.prepare(`SELECT ${GROUP[q.by]} AS k, t.model AS model, COUNT(*) AS n, SUM(t.input_tokens) AS input,
      SUM(t.cache_creation_tokens) AS cc, SUM(t.cache_read_tokens) AS cr, SUM(t.output_tokens) AS output,
      SUM(t.reasoning_tokens) AS reasoning, MAX(t.at) AS last_at
    FROM token_usage t JOIN sessions s ON s.id = t.session_id
    WHERE ${where.join(' AND ')} GROUP BY k, t.model`).all(...args)
    .map(r => ({
      key: r.k == null ? null : String(r.k), model: r.model == null ? null : String(r.model), records: Number(r.n),
      input: Number(r.input), cacheCreation: Number(r.cc), cacheRead: Number(r.cr), output: Number(r.output),
      reasoning: Number(r.reasoning), lastAt: String(r.last_at),
    }));
}
