// Switches read from the environment that are on unless set to say no (FLIGHTDECK_IMPORT_WRITER_THREAD,
// FLIGHTDECK_BACKGROUND_FSYNC, FLIGHTDECK_OWN_THREAD_SCAVENGE): one spelling of "no" for all of them.

/** Whether a switch's value turns it off: 0 / false / no, any case. Unset or anything else: on. */
export function switchedOff(value: string | undefined): boolean {
  return /^(0|false|no)$/i.test(value ?? '');
}
