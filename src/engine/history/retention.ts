// The retention setting (flightdeck.history.retentionDays, `serve --retention-days`): ended sessions
// last active longer ago than that are deleted with their items, at startup and then once a day.
// Deleting runs in small batches, each its own turn of the event loop, so live work keeps priority.
import type { Clock, TimerHandle } from '../platform/clock';
import type { SessionEngine } from '../sessions/engine';
import type { LogFn } from '../platform/log';

export const DEFAULT_RETENTION_DAYS = 365;
const DAY_MS = 86_400_000;
const BATCH = 100;

export interface Retention {
  /** Prunes now (all batches); resolves with how many sessions were deleted. */
  run(): Promise<number>;
  stop(): void;
}

/** days <= 0 keeps everything. */
export function startRetention(opts: { engine: SessionEngine; clock: Clock; days: number; log?: LogFn; batch?: number }): Retention {
  const { engine, clock } = opts;
  const batch = opts.batch ?? BATCH;
  let stopped = false;
  let running: Promise<number> | null = null;
  // Yields the event loop between batches (not a timer: nothing waits for time to pass).
  const nextTick = () => new Promise<void>(r => { setImmediate(r); });

  const prune = async (): Promise<number> => {
    let total = 0;
    const cutoff = clock.now() - opts.days * DAY_MS;
    while (!stopped) {
      const n = engine.pruneEndedBefore(cutoff, batch);
      total += n;
      if (n < batch) break;
      await nextTick();
    }
    if (total) opts.log?.('info', `history: retention (${opts.days} days) deleted ${total} ended sessions and their items`);
    return total;
  };
  const run = (): Promise<number> => {
    if (opts.days <= 0 || stopped) return Promise.resolve(0);
    running ??= prune().finally(() => { running = null; });
    return running;
  };
  const fail = (e: unknown) => opts.log?.('error', `history: retention failed: ${(e as Error)?.message ?? e}`);
  let daily: TimerHandle | null = null;
  if (opts.days > 0) {
    void run().catch(fail);
    daily = clock.setInterval(() => { void run().catch(fail); }, DAY_MS);
  }
  return {
    run,
    stop() { stopped = true; daily?.cancel(); },
  };
}
