// The protocol types the views use, in one import (type-only: nothing of zod reaches the bundle).
export type {
  Autonomy, ApprovalDecision, FileChange, Message, PendingApproval, PendingQuestion, PlanStep, Provider, Session, WorkStatus,
} from '../../src/engine/protocol';
export type { ModelInfo } from '../../src/engine/protocol/messages';
export type RateLimitWindowLike = { usedPercent: number; windowMinutes: number | null; resetsAt: string | null };
