// Hook requests held open while Claude waits for a decision made in Flightdeck. Several requests may
// wait on one key (PermissionRequest can arrive twice for one tool call): a decision answers them all.
// A wait ends with null — "no opinion, use Claude's own prompt" — on timeout, abort or shutdown.
import type { Clock, TimerHandle } from '../platform/clock';
import type { PermissionDecisionOutput } from './hookPayload';

interface Waiter { resolve(d: PermissionDecisionOutput | null): void; timer: TimerHandle }

export class DecisionWaiters {
  private waiting = new Map<string, Set<Waiter>>();

  /**
   * @param onAbandoned called when the last waiter of a key went away without a decision (hook killed).
   * @param onTimedOut called when the last waiter of a key gave up waiting (Claude asks in its terminal now).
   */
  constructor(
    private readonly clock: Clock,
    private readonly onAbandoned: (key: string) => void = () => {},
    private readonly onTimedOut: (key: string) => void = () => {},
  ) {}

  wait(key: string, timeoutMs: number, signal: AbortSignal): Promise<PermissionDecisionOutput | null> {
    return new Promise(resolve => {
      if (signal.aborted) { resolve(null); return; }
      let set = this.waiting.get(key);
      if (!set) { set = new Set(); this.waiting.set(key, set); }
      const waiters = set;
      const end = (d: PermissionDecisionOutput | null, abandoned: boolean, timedOut = false) => {
        if (!waiters.delete(w)) return;
        w.timer.cancel();
        signal.removeEventListener('abort', onAbort);
        if (waiters.size === 0 && this.waiting.get(key) === waiters) {
          this.waiting.delete(key);
          if (abandoned) this.onAbandoned(key);
          else if (timedOut) this.onTimedOut(key);
        }
        resolve(d);
      };
      const onAbort = () => end(null, true);
      const w: Waiter = { resolve: d => end(d, false), timer: this.clock.setTimeout(() => end(null, false, true), timeoutMs) };
      waiters.add(w);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  has(key: string): boolean { return (this.waiting.get(key)?.size ?? 0) > 0; }

  /** Answers every request waiting on key; false when none is waiting (timed out, killed, never held). */
  decide(key: string, decision: PermissionDecisionOutput | null): boolean {
    const set = this.waiting.get(key);
    if (!set || set.size === 0) return false;
    for (const w of [...set]) w.resolve(decision);
    return true;
  }

  /** Ends every wait whose key starts with prefix (a session's turn ended) or all of them. */
  releaseAll(prefix = ''): void {
    for (const key of [...this.waiting.keys()]) if (key.startsWith(prefix)) this.decide(key, null);
  }
}
