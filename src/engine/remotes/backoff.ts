// When a link to a remote engine tries again: doubling from 1 s to 30 s while the remote cannot be
// reached, reset once it answers; a refused token waits 5 minutes (the user has to fix it, and the
// remote's hub limits failed attempts per address, so retrying fast would only lock us out).
export interface BackoffPolicy {
  firstMs: number;
  maxMs: number;
  unauthorizedMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { firstMs: 1_000, maxMs: 30_000, unauthorizedMs: 300_000 };

export class Backoff {
  private failures = 0;
  constructor(private policy: BackoffPolicy = DEFAULT_BACKOFF) {}

  /** The wait before the next attempt after one more failure. */
  next(kind: 'unreachable' | 'unauthorized'): number {
    if (kind === 'unauthorized') return this.policy.unauthorizedMs;
    const ms = Math.min(this.policy.maxMs, this.policy.firstMs * 2 ** Math.min(this.failures, 20));
    this.failures++;
    return ms;
  }

  /** The remote answered: the next failure starts from the first wait again. */
  reset(): void { this.failures = 0; }
}
