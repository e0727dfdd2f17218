// Codex approval and question requests as Flightdeck pending approvals / questions, and Flightdeck
// decisions back as Codex decisions (SPEC §4; shared/recipes/codex.md §5.5–5.6). Pure functions.
import type { ApprovalDecision, FileChange, PendingApproval, PendingQuestion } from '../../protocol';
import type { CodexDecision, CommandApprovalParams, FileChangeApprovalParams, UserInputRequestParams } from './schemas';
import { codexMessageId } from './directItems';

const BASE_OPTIONS: ApprovalDecision[] = ['approved', 'approved_for_session', 'denied', 'abort'];

/** Codex offers "always" only with an exec-policy amendment it proposes; so do we. */
function amendmentOffered(p: CommandApprovalParams): string[] | null {
  const amendment = p.proposedExecpolicyAmendment;
  if (!amendment?.length) return null;
  const offered = !p.availableDecisions || p.availableDecisions.some(d => typeof d === 'object' && d !== null && 'acceptWithExecpolicyAmendment' in d);
  return offered ? amendment : null;
}

export function commandApproval(approvalId: string, p: CommandApprovalParams, requestedAt: string): PendingApproval {
  const always = amendmentOffered(p);
  return {
    approvalId, version: 1, kind: 'exec',
    itemId: codexMessageId(p.threadId, p.turnId, p.itemId), toolName: 'exec_command',
    command: p.command ?? null, cwd: p.cwd ?? null, reason: p.reason ?? null, changes: null,
    options: always ? ['approved', 'approved_for_session', 'approved_always', 'denied', 'abort'] : [...BASE_OPTIONS],
    requestedAt,
  };
}

/** File-change requests carry no diff: `changes` come from the item/started of the same item. */
export function fileChangeApproval(approvalId: string, p: FileChangeApprovalParams, changes: FileChange[] | null, requestedAt: string): PendingApproval {
  return {
    approvalId, version: 1, kind: 'fileChange',
    itemId: codexMessageId(p.threadId, p.turnId, p.itemId), toolName: 'apply_patch',
    command: null, cwd: p.grantRoot ?? null, reason: p.reason ?? null, changes: changes ?? [],
    options: [...BASE_OPTIONS], requestedAt,
  };
}

export function toCodexDecision(decision: ApprovalDecision, amendment: string[] | null): CodexDecision {
  switch (decision) {
    case 'approved': return 'accept';
    case 'approved_for_session': return 'acceptForSession';
    case 'approved_always':
      if (!amendment?.length) throw new Error('approved_always needs an exec-policy amendment proposed by Codex');
      return { acceptWithExecpolicyAmendment: { execpolicy_amendment: amendment } };
    case 'denied': return 'decline';
    case 'abort': return 'cancel';
  }
}

export function proposedAmendment(p: CommandApprovalParams): string[] | null { return amendmentOffered(p); }

export function userInputQuestion(questionId: string, p: UserInputRequestParams, requestedAt: string): PendingQuestion {
  return {
    questionId,
    questions: p.questions.map(q => ({
      id: q.id, header: q.header ?? null, question: q.question,
      options: q.options?.map(o => ({ label: o.label, description: o.description ?? null })) ?? null,
      multiSelect: false, allowFreeText: q.isOther ?? !q.options?.length,
    })),
    requestedAt,
  };
}

/** Answers by question id, as ToolRequestUserInputResponse wants them. */
export function userInputResponse(answers: Record<string, string | string[]>): { answers: Record<string, { answers: string[] }> } {
  const out: Record<string, { answers: string[] }> = {};
  for (const [id, a] of Object.entries(answers)) out[id] = { answers: Array.isArray(a) ? a : [a] };
  return { answers: out };
}
