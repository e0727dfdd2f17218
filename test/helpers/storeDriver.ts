// The SQLite driver the store suites run on: FLIGHTDECK_SQLITE_DRIVER when it names one (scripts/test-node-sqlite.sh
// runs them under Node 24 with node:sqlite), else better-sqlite3. Forced, never 'auto', so a run cannot quietly
// test another driver than the one it says.
import { DRIVERS, DRIVER_ENV, openDatabase, type DriverName } from '../../src/engine/store/driver';
import type { Db } from '../../src/engine/store/db';

function testDriver(): DriverName {
  const v = process.env[DRIVER_ENV]?.trim();
  if (!v) return 'better-sqlite3';
  if (!(DRIVERS as readonly string[]).includes(v)) throw new Error(`${DRIVER_ENV}="${v}": the store suites need one of ${DRIVERS.join(', ')}`);
  return v as DriverName;
}

export const TEST_DRIVER: DriverName = testDriver();

/** A raw connection with the suites' driver. */
export function openTestDb(file: string): Db {
  return openDatabase(file, { prefer: TEST_DRIVER });
}
