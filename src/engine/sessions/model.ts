// Building a new session with every field of SPEC §1 set.
import { randomUUID } from 'node:crypto';
import type { Autonomy, Provider, Session, SessionMode } from '../protocol';
import { projectNameOf } from '../protocol/projectName';
import { iso } from '../platform/clock';
import { displayNameOf, nameFromPrompt } from './naming';
import { DEFAULT_CONTEXT_WINDOW, contextFillOf } from './reducer';

export interface NewSession {
  id?: string;
  provider: Provider;
  mode: SessionMode;
  providerSessionId?: string | null;
  cwd?: string | null;
  model?: string | null;
  reasoningEffort?: string | null;
  customName?: string | null;
  firstPrompt?: string | null;
  approvalPolicy?: string | null;
  sandboxMode?: string | null;
  autonomy?: Autonomy | null;
  sourcePath?: string | null;
  /** When the provider says the session started (e.g. a rollout's session_meta); defaults to now. */
  createdAt?: number;
}

export function newSession(init: NewSession, now: number): Session {
  const tokenUsage = { input: 0, output: 0, cached: 0, lastTurnInput: 0, contextWindow: DEFAULT_CONTEXT_WINDOW };
  const s: Session = {
    id: init.id ?? randomUUID(),
    provider: init.provider,
    mode: init.mode,
    providerSessionId: init.providerSessionId ?? null,
    cwd: init.cwd ?? null,
    projectName: projectNameOf(init.cwd),
    model: init.model ?? null,
    ...(init.reasoningEffort ? { reasoningEffort: init.reasoningEffort } : {}),
    status: 'active',
    workStatus: 'waiting',
    customName: init.customName ?? null,
    firstPrompt: nameFromPrompt(init.firstPrompt),
    displayName: '',
    approvalPolicy: init.approvalPolicy ?? null,
    sandboxMode: init.sandboxMode ?? null,
    autonomy: init.autonomy ?? null,
    tokenUsage,
    contextFill: contextFillOf(tokenUsage),
    rateLimits: null,
    pendingApprovals: [],
    pendingApproval: null,
    pendingQuestion: null,
    currentTurnId: null,
    turnDiff: [],
    plan: [],
    sourcePath: init.sourcePath ?? null,
    createdAt: iso(init.createdAt ?? now),
    lastActivityAt: iso(Math.max(init.createdAt ?? now, now)),
    endedAt: null,
    endReason: null,
    revision: 1,
  };
  s.displayName = displayNameOf(s);
  return s;
}

/** Sessions ordered for lists: most recent activity first. */
export function byRecentActivity(a: Session, b: Session): number {
  return b.lastActivityAt.localeCompare(a.lastActivityAt) || a.id.localeCompare(b.id);
}
