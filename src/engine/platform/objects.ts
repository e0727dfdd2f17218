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

/**
 * A new empty array that V8 never allocates in its old generation from the start. An array literal
 * (`[]`) is an allocation site: when most of a site's arrays outlive a young-generation collection,
 * V8 allocates that site's arrays in the old generation from then on ("pretenuring"), where they die
 * only at a full collection — and keep whatever young objects they held alive until then, to be
 * copied and promoted in their turn. The history import's units (importPipe.ts) hold a slice's rows
 * for its ~10 ms: pretenured, the Codex half of 1 GB of short messages ran ~115 full collections
 * instead of ~50 and promoted 3–4× as much. Array.of makes its array without an allocation site.
 */
export function unpretenuredArray<T>(): T[] {
  return Array.of<T>();
}
