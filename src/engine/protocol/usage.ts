// The usage report (issue 14, SPEC §11): tokens and estimated cost per day, project, model or
// session, as the engine answers `usage_report` and `flightdeck usage --json` prints it.
import { z } from 'zod';

export const UsageGroupBy = z.enum(['day', 'project', 'model', 'session']);

/** A calendar day, YYYY-MM-DD, in the report's timezone. */
export const UsageDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const UsageTotals = z.object({
  /** Input tokens that were neither read from nor written to the prompt cache. */
  input: z.number().int().nonnegative(),
  /** Tokens written to the prompt cache (Claude cache creation; Codex cache writes). */
  cacheCreation: z.number().int().nonnegative(),
  /** Tokens read from the prompt cache (Claude cache reads; Codex cached input). */
  cacheRead: z.number().int().nonnegative(),
  output: z.number().int().nonnegative(),
  /** Reasoning tokens: already part of `output`, shown apart (Codex reports them; Claude does not). */
  reasoning: z.number().int().nonnegative(),
  /** input + cacheCreation + cacheRead + output (as ccusage's totalTokens). */
  total: z.number().int().nonnegative(),
  /** Model calls counted (Claude API messages, Codex token records). */
  records: z.number().int().nonnegative(),
  /** Estimated US dollars of the priced models; null when none of the models has a price. */
  cost: z.number().nonnegative().nullable(),
  /** Models without a price: `cost` leaves their tokens out. */
  unpricedModels: z.array(z.string()),
});

export const UsageRow = UsageTotals.extend({
  /** The day, the cwd, the model or the session id; null when unknown (no cwd, no model). */
  key: z.string().nullable(),
  /** What to show: the day, the project folder's name, the model, the session's name. */
  label: z.string(),
  models: z.array(z.string()),
  lastAt: z.string(),
});

export const UsageReport = z.object({
  by: UsageGroupBy,
  since: UsageDay.nullable(),
  until: UsageDay.nullable(),
  /** IANA timezone whose calendar days `day`, `since` and `until` are. */
  timezone: z.string(),
  /** Days ascending; other groupings by total tokens, largest first. */
  rows: z.array(UsageRow),
  totals: UsageTotals,
  /** Date of the price table the costs come from. */
  pricesAsOf: z.string(),
});

export type UsageGroupBy = z.infer<typeof UsageGroupBy>;
export type UsageTotals = z.infer<typeof UsageTotals>;
export type UsageRow = z.infer<typeof UsageRow>;
export type UsageReport = z.infer<typeof UsageReport>;
