// The Codex token records the usage report counts (SPEC §11), built here so the rollout watcher,
// the direct connector and the history import key them the same way: a record read twice — or
// seen both in the rollout and from the app-server — is counted once. (Claude's records are keyed
// by API message id in the transcript tailer.)
import type { TokenUsageRecord } from '../store/types';

/** Token fields of a Codex token record (rollout `token_count` or app-server `thread/tokenUsage/updated`). */
export interface CodexTokens {
  /** Cumulative total of the thread after this call: the record's identity. */
  totalTokens: number;
  /** This call: input includes the cached part, output includes reasoning (OpenAI's convention). */
  input: number; cachedInput: number; cacheWrite: number; output: number; reasoning: number;
}

/**
 * A Codex model call. Codex repeats a token_count with unchanged totals (rate-limit refreshes,
 * resumes); the cumulative total as key makes those one record.
 */
export function codexUsageRecord(sessionId: string, model: string | null, t: CodexTokens, at: string): TokenUsageRecord {
  const cached = Math.min(t.cachedInput, t.input);
  return {
    sessionId, messageKey: `codex:${t.totalTokens}`, model, at,
    input: t.input - cached, cacheCreation: t.cacheWrite, cacheRead: cached, output: t.output, reasoning: t.reasoning,
  };
}
