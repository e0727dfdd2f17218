// How a Claude PermissionRequest becomes a Flightdeck approval, and a Flightdeck decision becomes the
// hook output Claude expects (recipes/claude.md §5.1, verified by effect).
import type { ApprovalDecision, PendingApproval } from '../protocol';
import type { PermissionDecisionOutput } from './hookPayload';

export const CLAUDE_APPROVAL_OPTIONS: ApprovalDecision[] = ['approved', 'denied', 'abort'];
export const DEFAULT_DENY_MESSAGE = 'Denied by the user in Flightdeck.';

/** Order-independent JSON of a tool input, to pair a PermissionRequest with its PreToolUse. */
export function inputKey(toolName: string, input: unknown): string {
  return `${toolName}\u0000${stableJson(input)}`;
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map(k => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/**
 * @param opts.decidable false when no hook request is held for a decision from Flightdeck (approvals
 * from Flightdeck are off): the approval then offers nothing, and every client says to answer it in
 * Claude's terminal.
 */
export function approvalFor(opts: {
  approvalId: string; toolName: string; input: Record<string, unknown>; cwd: string | null; itemId: string | null; requestedAt: string;
  decidable?: boolean;
}): PendingApproval {
  const { input, toolName } = opts;
  const str = (k: string) => (typeof input[k] === 'string' ? input[k] as string : null);
  const isFileTool = toolName === 'Write' || toolName === 'Edit' || toolName === 'MultiEdit' || toolName === 'NotebookEdit';
  return {
    approvalId: opts.approvalId,
    version: 0,
    kind: toolName === 'Bash' ? 'exec' : isFileTool ? 'fileChange' : 'permission',
    itemId: opts.itemId,
    toolName,
    command: str('command') ?? str('file_path') ?? str('url') ?? null,
    cwd: opts.cwd,
    reason: str('description'),
    changes: null,
    options: opts.decidable === false ? [] : CLAUDE_APPROVAL_OPTIONS,
    requestedAt: opts.requestedAt,
  };
}

/** approved → allow; denied → deny with the message (the model reads it word for word); abort → deny and stop the turn. */
export function decisionOutput(decision: ApprovalDecision, message?: string): PermissionDecisionOutput {
  switch (decision) {
    case 'approved':
    case 'approved_for_session':
    case 'approved_always':
      return { behavior: 'allow' };
    case 'denied':
      return { behavior: 'deny', message: message?.trim() || DEFAULT_DENY_MESSAGE };
    case 'abort':
      return { behavior: 'deny', message: message?.trim() || DEFAULT_DENY_MESSAGE, interrupt: true };
  }
}
