// Small statistics helpers for the benchmarks: medians of repeated runs, percentiles of samples.
export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(xs: number[] | Float64Array, p: number): number {
  if (xs.length === 0) return NaN;
  const s = Float64Array.from(xs).sort();
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[rank];
}

export function ms(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export function now(): bigint { return process.hrtime.bigint(); }
