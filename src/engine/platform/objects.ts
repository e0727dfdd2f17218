/**
 * A copy of `o` without its undefined fields, keys in their order. A loop, not
 * fromEntries(entries().filter()): no arrays per call — the rollout mapper and the session reducer
 * call it a few times per line of every imported file.
 */
export function withoutUndefined<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) {
    const v = (o as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = v;
  }
  return out as T;
}
