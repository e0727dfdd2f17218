// `flightdeck import` on a machine with two processors: the import keeps both busy (one thread maps,
// one writes: engine/history/importPipe.ts), and V8's parallel garbage collection hands each scavenge
// to helper threads that then wait for a processor while the thread that asked waits for them.
// Collecting on the thread that made the garbage took ~10 % off the Claude half of 1 GB of history,
// few large and many short messages alike (paired; 100 MB unchanged). Only this command's process:
// the extension host is VS Code's (its V8 flags are not ours to set), and `serve` keeps V8's defaults.
import * as os from 'node:os';
import * as v8 from 'node:v8';
import { switchedOff } from '../engine/platform/envSwitch';

/** With more processors the helpers find one free, and parallel collection pays again (not measured here). */
export const MAX_PROCESSORS_FOR_OWN_THREAD_GC = 2;

export function ownThreadGcWanted(env: NodeJS.ProcessEnv = process.env, processors = os.availableParallelism()): boolean {
  return !switchedOff(env.FLIGHTDECK_SINGLE_THREADED_GC) && processors <= MAX_PROCESSORS_FOR_OWN_THREAD_GC;
}

/**
 * Each thread collects its own garbage from now on: called before the import's threads start, so
 * their heaps never hand work to helpers. True when it did.
 */
export function collectGarbageOnOwnThreads(
  env: NodeJS.ProcessEnv = process.env, processors = os.availableParallelism(), setFlags: (flags: string) => void = v8.setFlagsFromString,
): boolean {
  if (!ownThreadGcWanted(env, processors)) return false;
  setFlags('--single-threaded-gc');
  return true;
}
