// The product version, read from the package.json this code ships in (dist/ or out/ sit below it).
import * as fs from 'node:fs';
import * as path from 'node:path';

let cached: string | undefined;

export function productVersion(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'flightdeck' && pkg.version) return (cached = pkg.version);
    } catch { /* keep walking up */ }
    dir = path.dirname(dir);
  }
  return (cached = '0.0.0-dev');
}
