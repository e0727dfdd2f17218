// Where each agent keeps its files by default, in a module of their own: the CLI's import needs only
// these paths, not the watcher or the hook installer they belong to (and what those load).
import * as os from 'node:os';
import * as path from 'node:path';

/** `$CODEX_HOME`, else `~/.codex` (what codex itself uses); a setting / --codex-home overrides it. */
export function defaultCodexHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.CODEX_HOME ? path.resolve(env.CODEX_HOME) : path.join(os.homedir(), '.codex');
}

/** `$CLAUDE_CONFIG_DIR`, else `~/.claude` (what claude itself uses); a setting / --claude-home overrides it. */
export function defaultClaudeHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.CLAUDE_CONFIG_DIR || path.join(os.homedir(), '.claude');
}
