// Installs / uninstalls Flightdeck's hooks in the user's Claude settings (`<claudeHome>/settings.json`).
// Never clobbers: a file that is not a JSON object is left untouched and reported; the previous file
// is kept as a backup; the new one is written to a temp file and renamed over, as Claude does itself.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultClaudeHome } from '../platform/agentHomes';
import { ASYNC_HOOK_EVENTS, HOOK_EVENTS, type HookEventName } from './hookPayload';
import { HOOK_MARKER, type HookSpec, type JsonObject, countFlightdeckHooks, isObject, withFlightdeckHooks, withoutFlightdeckHooks } from './settingsMerge';

export interface InstallOptions {
  /** Claude's config folder: `$CLAUDE_CONFIG_DIR` or `~/.claude`. */
  claudeHome?: string;
  /** The command Claude runs for each hook; build it with buildHookCommand (it must carry the marker). */
  hookCommand: string;
  /** Claude's own timeout for the PermissionRequest hook, which may wait for a decision in Flightdeck. */
  permissionTimeoutSec?: number;
  /** The engine's approval wait; when given (and permissionTimeoutSec is not), Claude's timeout is set above it. */
  approvalTimeoutMs?: number;
}

export interface InstallResult { settingsFile: string; backupFile: string | null; changed: boolean; hooks: number }

/** Timeout for hooks that only report: the hook command itself gives up much sooner. */
const REPORT_TIMEOUT_SEC = 10;
export const DEFAULT_PERMISSION_TIMEOUT_SEC = 660;

export class ClaudeSettingsError extends Error {
  constructor(readonly file: string, message: string) { super(message); this.name = 'ClaudeSettingsError'; }
}

export { defaultClaudeHome };

/**
 * The command line of the hook (Claude runs it with `bash -c`): `node '<hook.js>' --flightdeck-hook
 * '<dataDir>'`. A host without `node` on PATH passes its own runtime: VS Code gives `nodePath:
 * process.execPath, electronRunAsNode: true`, so its Electron binary runs the script as plain Node.
 */
export function buildHookCommand(opts: { hookScript: string; dataDir: string; nodePath?: string; electronRunAsNode?: boolean }): string {
  const runtime = `${opts.electronRunAsNode ? 'ELECTRON_RUN_AS_NODE=1 ' : ''}${opts.nodePath ? shellQuote(opts.nodePath) : 'node'}`;
  return `${runtime} ${shellQuote(opts.hookScript)} ${HOOK_MARKER} ${shellQuote(opts.dataDir)}`;
}

export function hookSpecs(permissionTimeoutSec = DEFAULT_PERMISSION_TIMEOUT_SEC): HookSpec[] {
  return HOOK_EVENTS.map((event: HookEventName) => ({
    event, timeoutSec: event === 'PermissionRequest' ? permissionTimeoutSec : REPORT_TIMEOUT_SEC,
    ...(ASYNC_HOOK_EVENTS.has(event) ? { async: true } : {}),
  }));
}

export function installClaudeHooks(opts: InstallOptions): InstallResult {
  if (!opts.hookCommand.includes(HOOK_MARKER)) throw new Error(`hook command must contain ${HOOK_MARKER} (use buildHookCommand)`);
  // Claude must not kill the hook before the engine's own wait ends (the hook adds a few seconds).
  const timeoutSec = opts.permissionTimeoutSec
    ?? (opts.approvalTimeoutMs !== undefined ? Math.ceil(opts.approvalTimeoutMs / 1000) + 60 : DEFAULT_PERMISSION_TIMEOUT_SEC);
  return rewrite(opts.claudeHome, s => withFlightdeckHooks(s, opts.hookCommand, hookSpecs(timeoutSec)));
}

export function uninstallClaudeHooks(opts: { claudeHome?: string }): InstallResult {
  return rewrite(opts.claudeHome, withoutFlightdeckHooks);
}

/** How many Flightdeck hook entries the settings hold (0 when the file is missing or invalid). */
export function installedHookCount(opts: { claudeHome?: string }): number {
  try { return countFlightdeckHooks(readSettings(settingsFileOf(opts.claudeHome)) ?? {}); } catch { return 0; }
}

function settingsFileOf(claudeHome?: string): string {
  return path.join(claudeHome ?? defaultClaudeHome(), 'settings.json');
}

function rewrite(claudeHome: string | undefined, change: (s: JsonObject) => JsonObject): InstallResult {
  const file = settingsFileOf(claudeHome);
  const current = readSettings(file);
  const next = change(current ?? {});
  const before = current === null ? null : JSON.stringify(current);
  const after = JSON.stringify(next);
  if (before === after || (current === null && after === '{}')) {
    return { settingsFile: file, backupFile: null, changed: false, hooks: countFlightdeckHooks(next) };
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let backupFile: string | null = null;
  let mode = 0o600;
  if (current !== null) {
    backupFile = `${file}.flightdeck-backup`;
    fs.copyFileSync(file, backupFile);
    mode = fs.statSync(file).mode & 0o777;
  }
  writeAtomically(file, JSON.stringify(next, null, 2) + '\n', mode);
  return { settingsFile: file, backupFile, changed: true, hooks: countFlightdeckHooks(next) };
}

/** The settings object, null when the file does not exist; throws ClaudeSettingsError when it is not a JSON object. */
function readSettings(file: string): JsonObject | null {
  let raw: string;
  try { raw = fs.readFileSync(file, 'utf8'); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ClaudeSettingsError(file, `cannot read ${file}: ${(e as Error).message}`);
  }
  if (raw.trim() === '') return {};
  let parsed: unknown;
  try { parsed = JSON.parse(raw); } catch (e) {
    throw new ClaudeSettingsError(file, `${file} is not valid JSON (${(e as Error).message}); it was left untouched — fix it and try again`);
  }
  if (!isObject(parsed)) throw new ClaudeSettingsError(file, `${file} does not hold a JSON object; it was left untouched`);
  if (parsed.hooks !== undefined && !isObject(parsed.hooks)) {
    throw new ClaudeSettingsError(file, `"hooks" in ${file} is not an object; it was left untouched`);
  }
  return parsed;
}

function writeAtomically(file: string, content: string, mode: number): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    fs.writeFileSync(tmp, content, { mode });
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
