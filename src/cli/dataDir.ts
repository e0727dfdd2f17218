// Where the headless engine and the CLI keep their store and token by default.
import * as os from 'node:os';
import * as path from 'node:path';

export function defaultDataDir(): string {
  return process.env.FLIGHTDECK_DATA_DIR || path.join(os.homedir(), '.flightdeck');
}
