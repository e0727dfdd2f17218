// Entry of dist/hook.js, the command Claude Code runs for Flightdeck's hooks. Always exits 0: a hook
// that fails must never block or change Claude's own flow.
import { runHook } from '../engine/claude/hookCommand';

let answer = '';
void runHook({
  argv: process.argv.slice(2),
  env: process.env,
  stdin: process.stdin,
  write: a => { answer = a; },
  warn: m => process.stderr.write(m + '\n'),
}).then(() => {
  if (answer) process.stdout.write(answer, () => process.exit(0));
  else process.exit(0);
});
