// `flightdeck import` on a machine with two processors: the import keeps both busy (one thread maps,
// one writes: engine/history/importPipe.ts), and V8's parallel scavenges (the young-generation
// collections an import makes by the thousand) hand their work to helper threads that then wait for a
// processor while the thread that asked waits for them. Scavenging on the thread that made the garbage
// took 2–5 % off the Claude half of 1 GB of many short messages (medians of paired runs, docs/benchmarks.md).
//
// Only `--no-parallel-scavenge`: V8 reads it at each scavenge, so setting it while the process runs is
// safe. `--single-threaded-gc` was faster still but also switches the collectors that were set up when
// the process started (concurrent marking, the C++ heap's marker), and V8 aborted when it was set at
// run time (session eighteen); node's command line is the only safe place for it, and a launcher that
// re-executes node would leave its importer running when it is killed. Only this command's process:
// the extension host is VS Code's (its V8 flags are not ours to set), and `serve` keeps V8's defaults.
import * as os from 'node:os';
import * as v8 from 'node:v8';
import { switchedOff } from '../engine/platform/envSwitch';

/** With more processors the helpers find one free, and parallel scavenges pay again (not measured here). */
export const MAX_PROCESSORS_FOR_OWN_THREAD_SCAVENGE = 2;

/** The V8 flag this sets: a runtime-safe one only (see above). */
export const OWN_THREAD_SCAVENGE_FLAG = '--no-parallel-scavenge';

export function ownThreadScavengeWanted(env: NodeJS.ProcessEnv = process.env, processors = os.availableParallelism()): boolean {
  return !switchedOff(env.FLIGHTDECK_OWN_THREAD_SCAVENGE) && processors <= MAX_PROCESSORS_FOR_OWN_THREAD_SCAVENGE;
}

/**
 * Each thread scavenges its own young generation from now on (called before the import's threads
 * start, though V8 would take it at any time). True when it did.
 */
export function scavengeOnOwnThreads(
  env: NodeJS.ProcessEnv = process.env, processors = os.availableParallelism(), setFlags: (flags: string) => void = v8.setFlagsFromString,
): boolean {
  if (!ownThreadScavengeWanted(env, processors)) return false;
  setFlags(OWN_THREAD_SCAVENGE_FLAG);
  return true;
}
