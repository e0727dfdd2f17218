// SPEC §4: autonomy levels and their Codex approval policy / sandbox mode.
import type { Autonomy } from '../protocol';

export interface CodexPolicy { approvalPolicy: 'untrusted' | 'on-request' | 'never'; sandboxMode: 'workspace-write' | 'danger-full-access' }

export const AUTONOMY_TO_CODEX: Record<Autonomy, CodexPolicy> = {
  suggest: { approvalPolicy: 'untrusted', sandboxMode: 'workspace-write' },
  autoEdit: { approvalPolicy: 'on-request', sandboxMode: 'workspace-write' },
  fullAuto: { approvalPolicy: 'never', sandboxMode: 'workspace-write' },
  fullAccess: { approvalPolicy: 'never', sandboxMode: 'danger-full-access' },
};

export const AUTONOMY_LABELS: Record<Autonomy, string> = {
  suggest: 'Suggest', autoEdit: 'Auto Edit', fullAuto: 'Full Auto', fullAccess: 'Full Access',
};

/** What each level means to the user, where a level is chosen. */
export const AUTONOMY_DESCRIPTIONS: Record<Autonomy, string> = {
  suggest: 'Asks before running anything (untrusted, workspace-write)',
  autoEdit: 'Edits and runs in the workspace, asks when it needs more (on-request, workspace-write)',
  fullAuto: 'Never asks; sandboxed to the workspace (never, workspace-write)',
  fullAccess: 'Never asks; no sandbox (never, danger-full-access)',
};

/** The autonomy level a policy pair corresponds to, or null when it is none of the four. */
export function autonomyOf(approvalPolicy: string | null, sandboxMode: string | null): Autonomy | null {
  for (const [level, p] of Object.entries(AUTONOMY_TO_CODEX) as [Autonomy, CodexPolicy][]) {
    if (p.approvalPolicy === approvalPolicy && p.sandboxMode === sandboxMode) return level;
  }
  return null;
}
