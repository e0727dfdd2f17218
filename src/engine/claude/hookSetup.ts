// Installing Flightdeck's Claude Code hooks, shared by the VS Code extension and `flightdeck serve`:
// the hook command runs dist/hook.js with the host's runtime and finds the engine through the
// per-machine leader folder, whichever process leads.
import { defaultLeaderDir } from '../leader/election';
import { type InstallResult, buildHookCommand, installClaudeHooks } from './installer';

export interface HookSetup {
  /** dist/hook.js of this installation. */
  hookScript: string;
  /** The runtime Claude starts the hook with (VS Code passes its Electron with electronRunAsNode). */
  nodePath?: string;
  electronRunAsNode?: boolean;
  claudeHome?: string;
  /** How long the engine waits for a decision in Flightdeck; Claude's own hook timeout is set past it. */
  approvalTimeoutMs?: number;
}

export function installFlightdeckHooks(o: HookSetup): InstallResult {
  const hookCommand = buildHookCommand({ hookScript: o.hookScript, dataDir: defaultLeaderDir(), nodePath: o.nodePath, electronRunAsNode: o.electronRunAsNode });
  return installClaudeHooks({ claudeHome: o.claudeHome, hookCommand, approvalTimeoutMs: o.approvalTimeoutMs });
}

/** One log line saying what the installation did. */
export function describeHookInstall(r: InstallResult): string {
  return `Claude hooks ${r.changed ? 'installed in' : 'already in'} ${r.settingsFile} (${r.hooks} hooks${r.backupFile ? `, backup ${r.backupFile}` : ''})`;
}
