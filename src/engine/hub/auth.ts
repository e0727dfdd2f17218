// Authentication at the WebSocket upgrade (SPEC §8): a bearer token in the Authorization header, or,
// for browsers that cannot set headers, in the Sec-WebSocket-Protocol list as `bearer.<token>` next to
// `flightdeck.v1`. Never in the query string. Plus the browser Origin allow list and a limit on
// failed attempts per remote address.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const SUBPROTOCOL = 'flightdeck.v1';
export const BEARER_PREFIX = 'bearer.';

/** Offered subprotocols, as the client listed them. */
export function offeredProtocols(req: IncomingMessage): string[] {
  const raw = req.headers['sec-websocket-protocol'];
  if (!raw) return [];
  return raw.split(',').map(s => s.trim()).filter(Boolean);
}

/** The token the client presented, or null. */
export function presentedToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (header) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return m ? m[1] : null;
  }
  const fromProtocol = offeredProtocols(req).find(p => p.startsWith(BEARER_PREFIX));
  return fromProtocol ? fromProtocol.slice(BEARER_PREFIX.length) : null;
}

/** Constant-time comparison: both sides are hashed first so their lengths never leak either. */
export function tokenMatches(presented: string | null, expected: string): boolean {
  if (!presented || !expected) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * Browsers always send Origin; other clients (CLIs, scripts) usually do not. A request without one is
 * allowed (the token still decides); a browser page from anywhere not listed is refused.
 */
export function originAllowed(origin: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (origin === undefined) return true;
  return allowed.has(origin.toLowerCase());
}

export interface RateLimitOptions {
  /** Failed attempts allowed per remote address within windowMs before further failures get 429. */
  maxFailures: number;
  windowMs: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { maxFailures: 10, windowMs: 60_000 };

/** Counts failed attempts per remote address in a fixed window. Once an address is over the limit
 *  its wrong tokens get 429 until the window ends, so guessing stays slow; the right token is never
 *  asked about (the server checks it first), so no one can lock a valid client out. */
export class FailureLimiter {
  private entries = new Map<string, { count: number; resetAt: number }>();
  constructor(private opts: RateLimitOptions, private now: () => number = Date.now) {}

  blocked(addr: string): boolean {
    const e = this.current(addr);
    return !!e && e.count >= this.opts.maxFailures;
  }

  fail(addr: string): void {
    const e = this.current(addr);
    if (e) e.count++;
    else this.entries.set(addr, { count: 1, resetAt: this.now() + this.opts.windowMs });
    // Bound memory under a flood from many addresses: forget expired entries now and then.
    if (this.entries.size > 10_000) for (const [k, v] of this.entries) if (v.resetAt <= this.now()) this.entries.delete(k);
  }

  private current(addr: string): { count: number; resetAt: number } | undefined {
    const e = this.entries.get(addr);
    if (e && e.resetAt <= this.now()) { this.entries.delete(addr); return undefined; }
    return e;
  }
}
