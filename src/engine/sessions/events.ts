// Inputs to the session state machine. Providers (connectors, watchers, hook receivers) translate
// what they see into these; only the reducer decides what they do to a session.
import type {
  ApprovalDecision, Autonomy, FileChange, PendingApproval, PendingQuestion, PlanStep, RateLimits, SessionConflict, SessionMode,
  SessionWorktree, TokenUsage, WorkStatus,
} from '../protocol';

export type SessionEvent =
  | { type: 'userPrompt'; text: string }
  | { type: 'activity' }
  | { type: 'workStatus'; workStatus: WorkStatus }
  | { type: 'turnStarted'; turnId: string }
  | { type: 'turnCompleted'; turnId?: string | null; status: 'completed' | 'interrupted' | 'failed' }
  | { type: 'approvalRequested'; approval: PendingApproval }
  | { type: 'approvalResolved'; approvalId: string; decision: ApprovalDecision }
  /**
   * The approval went away without a decision made here (answered in the terminal, turn ended).
   * With a reason, the engine says so in the transcript (CLEAR_REASONS).
   */
  | { type: 'approvalCleared'; approvalId?: string; reason?: string }
  | { type: 'questionAsked'; question: PendingQuestion }
  | { type: 'questionAnswered'; questionId?: string }
  | { type: 'renamed'; name: string | null }
  /** Per-turn usage: added to the totals; lastTurnInput becomes this turn's input. */
  | { type: 'turnTokens'; input: number; output: number; cached: number; contextWindow?: number | null }
  /** Absolute totals when a provider reports them (Codex total_token_usage). */
  | { type: 'tokenTotals'; usage: Partial<TokenUsage> }
  | { type: 'rateLimits'; rateLimits: RateLimits | null }
  | {
    type: 'metadata'; cwd?: string | null; model?: string | null; providerSessionId?: string | null;
    sourcePath?: string | null; approvalPolicy?: string | null; sandboxMode?: string | null; autonomy?: Autonomy | null;
    planMode?: boolean; reasoningEffort?: string | null;
    /** Startup backfill (SPEC §3): an already-derived name (naming.nameFromPrompt), set without counting as activity. */
    firstPrompt?: string | null;
    /** Read from git (engine/git/worktreeTracker): the checkout's branch and the linked worktree the cwd is in. */
    gitBranch?: string | null; worktree?: SessionWorktree | null;
  }
  | { type: 'plan'; plan: PlanStep[] }
  | { type: 'turnDiff'; changes: FileChange[] }
  | { type: 'ended'; reason: string }
  | { type: 'reactivated' }
  /** Takeover: a passive session becomes one Flightdeck drives (SPEC §6); id, name and history stay. */
  | { type: 'modeChanged'; mode: SessionMode }
  /** Startup: a session that was working when the engine stopped is not working now (SPEC §2). */
  | { type: 'restored' }
  /** The conflict radar's verdict for this session (radar/); null or [] = no conflict. Not activity. */
  | { type: 'conflicts'; conflicts: SessionConflict[] | null };

export type SessionEffect =
  | { type: 'approvalRequested'; approval: PendingApproval }
  | { type: 'questionAsked'; question: PendingQuestion }
  | { type: 'ended'; reason: string }
  | { type: 'reactivated' }
  | { type: 'tokensChanged' };
