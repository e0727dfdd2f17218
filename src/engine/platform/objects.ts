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
 * instead of ~50 and promoted 3–4× as much. A builtin's copy (slice) has no allocation site.
 *
 * It copies an empty array of any values (V8's PACKED_ELEMENTS), not Array.of()'s empty array of
 * small integers (PACKED_SMI_ELEMENTS): every unit's first push of an id or an object then changed its
 * array's kind, and code V8 had optimized for one kind was thrown away at the other (PipedImportStore's
 * saveImportBatch was compiled six times in one 100 MB import, ~20 ms of a helper thread each time).
 */
export function unpretenuredArray<T>(): T[] {
  return ANY_VALUES_EMPTY.slice() as T[];
}
/** Never handed out, only copied. Not frozen: a frozen array's copies are of another kind (HOLEY_SMI_ELEMENTS). */
const ANY_VALUES_EMPTY: unknown[] = [null].slice(1);
