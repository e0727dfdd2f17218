// Entry of the host tests (VS Code's extensionTestsPath): runs mocha inside the real extension host
// that code-server started, and prints one parseable line for CI: HOST-SUMMARY passed=N failed=M.
//
// FLIGHTDECK_HOST_SUITE picks the suite: "main" (default: *.test.js) or "broken-store"
// (broken-store.suite.js, for a run whose data dir cannot hold a database).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  // Flightdeck activates at startup (onStartupFinished), possibly before this runs: scripts/test-host.sh
  // sets these for the whole host; here they only fill in for a run started some other way. A private
  // leader dir keeps this window from attaching to any other Flightdeck engine on the machine.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flightdeck-host-'));
  process.env.FLIGHTDECK_LEADER_DIR ||= path.join(tmp, 'run');
  process.env.FLIGHTDECK_DATA_DIR ||= path.join(tmp, 'data');
  // Nor see this machine's Codex and Claude sessions, nor touch its Claude settings.
  for (const [name, dir] of [['CODEX_HOME', 'codex-home'], ['CLAUDE_CONFIG_DIR', 'claude-home']]) {
    if (!process.env[name]) { process.env[name] = path.join(tmp, dir); fs.mkdirSync(process.env[name]!, { recursive: true }); }
  }

  const suite = process.env.FLIGHTDECK_HOST_SUITE || 'main';
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 30_000 });
  if (process.env.MOCHA_GREP) mocha.grep(process.env.MOCHA_GREP);
  const files = fs.readdirSync(__dirname).filter(f => suite === 'main' ? f.endsWith('.test.js') : f === `${suite}.suite.js`);
  if (files.length === 0) return Promise.reject(new Error(`no host test files for suite "${suite}" in ${__dirname}`));
  // startup.test.js first: it checks that Flightdeck activated by itself, before any test touched it.
  const order = (f: string) => (f === 'startup.test.js' ? '0' : '1') + f;
  for (const f of files.sort((a, b) => order(a).localeCompare(order(b)))) mocha.addFile(path.join(__dirname, f));

  return new Promise((resolve, reject) => {
    const runner = mocha.run(failures => {
      const passed = runner.stats?.passes ?? 0;
      console.log(`HOST-SUMMARY passed=${passed} failed=${failures}`);
      if (failures) reject(new Error(`${failures} host tests failed.`)); else resolve();
    });
  });
}
