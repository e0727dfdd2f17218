// First run: which agents this machine (the one the extension host runs on — the remote one under
// Remote-SSH / WSL / containers) has. Plain file-system probes, no process is started: the walkthrough
// and the empty tree use it to say what is missing before the user tries anything.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveCodexBinary } from '../engine/codex/appServer/binary';

export interface AgentFound {
  /** The executable Flightdeck would use, or null with `problem` saying why. */
  binary: string | null;
  problem?: string;
  /** The agent's home folder and whether it exists (it appears after the agent's first run). */
  home: string;
  homeExists: boolean;
}

export interface DetectedAgents {
  codex: AgentFound & { rolloutsFolder: boolean };
  claude: AgentFound & { hooksInstalled: boolean };
}

export interface DetectOptions {
  codexPath?: string; codexHome?: string; claudePath?: string; claudeHome?: string;
  env?: NodeJS.ProcessEnv;
}

export function detectAgents(o: DetectOptions): DetectedAgents {
  const env = o.env ?? process.env;
  const codexHome = o.codexHome || (env.CODEX_HOME ? path.resolve(env.CODEX_HOME) : path.join(os.homedir(), '.codex'));
  const claudeHome = o.claudeHome || env.CLAUDE_CONFIG_DIR || path.join(os.homedir(), '.claude');

  let codexBinary: string | null = null, codexProblem: string | undefined;
  try { codexBinary = resolveCodexBinary({ setting: o.codexPath, pathEnv: env.PATH ?? '' }); } catch (e) { codexProblem = (e as Error).message; }

  let claudeBinary: string | null = null, claudeProblem: string | undefined;
  if (o.claudePath) {
    if (isFile(o.claudePath)) claudeBinary = o.claudePath;
    else claudeProblem = `the claude path in the settings does not exist: ${o.claudePath}`;
  } else {
    claudeBinary = onPath('claude', env.PATH ?? '');
    if (!claudeBinary) claudeProblem = 'claude was not found on PATH: install Claude Code or set flightdeck.claude.path';
  }

  return {
    codex: { binary: codexBinary, problem: codexProblem, home: codexHome, homeExists: isDir(codexHome), rolloutsFolder: isDir(path.join(codexHome, 'sessions')) },
    claude: { binary: claudeBinary, problem: claudeProblem, home: claudeHome, homeExists: isDir(claudeHome), hooksInstalled: hasFlightdeckHooks(path.join(claudeHome, 'settings.json')) },
  };
}

/** One line per agent, for the notification and the log. */
export function describeAgents(d: DetectedAgents): string {
  const one = (name: string, a: AgentFound, extra: string) =>
    `${name}: ${a.binary ?? `not found (${a.problem})`}; home ${a.home}${a.homeExists ? '' : ' (not created yet)'}${extra}`;
  return [
    one('Codex', d.codex, d.codex.rolloutsFolder ? '' : '; no sessions yet'),
    one('Claude Code', d.claude, d.claude.hooksInstalled ? '; Flightdeck hooks installed' : '; hooks not installed'),
  ].join(' — ');
}

function isFile(p: string): boolean {
  try { return fs.statSync(p).isFile(); } catch { return false; }
}

function isDir(p: string): boolean {
  try { return fs.statSync(p).isDirectory(); } catch { return false; }
}

function onPath(name: string, pathEnv: string): string | null {
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  for (const dir of pathEnv.split(path.delimiter).filter(Boolean)) {
    for (const ext of exts) if (isFile(path.join(dir, name + ext))) return path.join(dir, name + ext);
  }
  return null;
}

/** The installer writes a command line with --flightdeck-hook into Claude's settings. */
function hasFlightdeckHooks(settingsFile: string): boolean {
  try { return fs.readFileSync(settingsFile, 'utf8').includes('--flightdeck-hook'); } catch { return false; }
}
