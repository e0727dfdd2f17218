// Background threads step aside for the engine's: on Linux a thread has its own nice value (its task
// id is a pid to setpriority), so the history import's thread can run at a lower priority than the
// event loop that serves live sessions. Elsewhere a nice value is per process: nothing is changed.
import * as fs from 'node:fs';
import * as os from 'node:os';

/** The nice value of background work (0 normal, 19 lowest); the scheduler then favours the engine's thread. */
export const BACKGROUND_NICE = 10;

/**
 * Lowers the calling thread's priority; returns the thread's task id, or null where that cannot be
 * done per thread (not Linux) or was refused.
 */
export function lowerThisThreadPriority(nice = BACKGROUND_NICE): number | null {
  if (process.platform !== 'linux') return null;
  try {
    // /proc/thread-self → "<pid>/task/<tid>"
    const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0 || tid === process.pid) return null;
    os.setPriority(tid, Math.max(os.getPriority(tid), nice));
    return tid;
  } catch {
    return null;
  }
}
