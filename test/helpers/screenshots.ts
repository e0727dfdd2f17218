// Where the tests write their screenshots: test-results/screenshots/ (git-ignored) unless
// FLIGHTDECK_SCREENSHOT_DIR says otherwise. Tests never write into tracked files: `npm run
// screenshots` (scripts/screenshots.sh --publish) copies the pictures the README shows into docs/screenshots/.
import * as fs from 'node:fs';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '../../..');

export function screenshotPath(name: string): string {
  const dir = process.env.FLIGHTDECK_SCREENSHOT_DIR || path.join(REPO, 'test-results', 'screenshots');
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}
