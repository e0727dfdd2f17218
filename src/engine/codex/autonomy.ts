// SPEC §4: the four autonomy levels as Codex approval policy / sandbox mode; only the Codex connector
// uses this table. What the levels are called is UI policy (protocol/uiPolicy.ts).
import type { Autonomy } from '../protocol';

export interface CodexPolicy { approvalPolicy: 'untrusted' | 'on-request' | 'never'; sandboxMode: 'workspace-write' | 'danger-full-access' }

export const AUTONOMY_TO_CODEX: Record<Autonomy, CodexPolicy> = {
  suggest: { approvalPolicy: 'untrusted', sandboxMode: 'workspace-write' },
  autoEdit: { approvalPolicy: 'on-request', sandboxMode: 'workspace-write' },
  fullAuto: { approvalPolicy: 'never', sandboxMode: 'workspace-write' },
  fullAccess: { approvalPolicy: 'never', sandboxMode: 'danger-full-access' },
};

/** The autonomy level a policy pair corresponds to, or null when it is none of the four. */
export function autonomyOf(approvalPolicy: string | null, sandboxMode: string | null): Autonomy | null {
  for (const [level, p] of Object.entries(AUTONOMY_TO_CODEX) as [Autonomy, CodexPolicy][]) {
    if (p.approvalPolicy === approvalPolicy && p.sandboxMode === sandboxMode) return level;
  }
  return null;
}
