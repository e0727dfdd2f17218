// The product version, read from the package.json this code ships in (dist/ or out/ sit below it).
import * as fs from 'node:fs';
import * as path from 'node:path';

let cached: { root: string | null; version: string } | undefined;

function find(): { root: string | null; version: string } {
  if (cached) return cached;
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'flightdeck' && pkg.version) return (cached = { root: dir, version: pkg.version });
    } catch { /* keep walking up */ }
    dir = path.dirname(dir);
  }
  return (cached = { root: null, version: '0.0.0-dev' });
}

export function productVersion(): string { return find().version; }

/** The folder holding Flightdeck's package.json (and dist/), when it can be found. */
export function productRoot(): string | null { return find().root; }
