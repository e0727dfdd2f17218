// Prices of the models the usage report can cost, in US dollars per million tokens.
// Sources (list prices, checked 2026-12-03): Anthropic "Pricing" (docs.anthropic.com/en/docs/about-claude/pricing:
// base input, 5-minute cache write, cache hit, output) and OpenAI "API pricing" (openai.com/api/pricing:
// input, cached input, output). Long-context surcharges, batch and priority tiers are not modelled.
// A model that is not here costs "unknown" in the report, never 0: add it here with its source.

export interface ModelPrice {
  input: number;
  /** Writing the prompt cache (Claude); OpenAI models bill no cache writes. */
  cacheWrite: number;
  /** Reading the prompt cache (Claude cache hits, OpenAI cached input). */
  cacheRead: number;
  output: number;
}

export const PRICES_AS_OF = '2026-12-03';

const claude = (input: number, output: number): ModelPrice => ({ input, cacheWrite: input * 1.25, cacheRead: input * 0.1, output });
const openai = (input: number, cacheRead: number, output: number): ModelPrice => ({ input, cacheWrite: 0, cacheRead, output });

const PRICES: Record<string, ModelPrice> = {
  'claude-opus-4-5': claude(5, 25),
  'claude-opus-4-1': claude(15, 75),
  'claude-opus-4': claude(15, 75),
  'claude-sonnet-4-5': claude(3, 15),
  'claude-sonnet-4': claude(3, 15),
  'claude-3-7-sonnet': claude(3, 15),
  'claude-3-5-sonnet': claude(3, 15),
  'claude-haiku-4-5': claude(1, 5),
  'claude-3-5-haiku': claude(0.8, 4),
  'claude-3-haiku': claude(0.25, 1.25),
  'gpt-5': openai(1.25, 0.125, 10),
  'gpt-5-codex': openai(1.25, 0.125, 10),
  'gpt-5.1': openai(1.25, 0.125, 10),
  'gpt-5.1-codex': openai(1.25, 0.125, 10),
  'gpt-5-mini': openai(0.25, 0.025, 2),
  'gpt-5.1-codex-mini': openai(0.25, 0.025, 2),
  'gpt-5-nano': openai(0.05, 0.005, 0.4),
  'gpt-4.1': openai(2, 0.5, 8),
  'gpt-4.1-mini': openai(0.4, 0.1, 1.6),
  'o3': openai(2, 0.5, 8),
  'o4-mini': openai(1.1, 0.275, 4.4),
};

/** A dated snapshot (`claude-sonnet-4-5-20250929`, `gpt-5-2025-08-07`) is priced like its model. */
const DATE_SUFFIX = /-(\d{8}|\d{4}-\d{2}-\d{2})$/;

export function priceOf(model: string | null): ModelPrice | null {
  if (!model) return null;
  const id = model.trim().toLowerCase();
  return PRICES[id] ?? PRICES[id.replace(DATE_SUFFIX, '')] ?? null;
}

/** Dollars for these tokens, or null when the model has no price. */
export function costOf(model: string | null, t: { input: number; cacheCreation: number; cacheRead: number; output: number }): number | null {
  const p = priceOf(model);
  if (!p) return null;
  return (t.input * p.input + t.cacheCreation * p.cacheWrite + t.cacheRead * p.cacheRead + t.output * p.output) / 1_000_000;
}
