// What a provider (Codex direct, Codex passive, Claude) plugs into the engine. Every operation is
// optional: the engine answers `not_supported` for what a provider cannot do.
import type {
  ApprovalDecision, Autonomy, CreateWorktreeOption, ModelInfo, PendingApproval, Provider, Session, SessionWorktree, WorktreeFileChange,
} from '../protocol';

export interface CreateRequest {
  provider: Provider; cwd: string; model?: string; autonomy?: Autonomy; prompt?: string; effort?: string;
  worktree?: CreateWorktreeOption;
}

/** Git worktrees for sessions (engine/git/worktrees): set on the engine by the services that run it. */
export interface WorktreeOps {
  /** `git worktree add -b`: the session's folder in the new worktree (cwd's place in it) and the worktree. */
  add(cwd: string, opt: CreateWorktreeOption): Promise<{ cwd: string; worktree: SessionWorktree }>;
  /** Undoes add() when the session could not start: the worktree and its new branch go. */
  discard(worktree: SessionWorktree): Promise<void>;
  propose(cwd: string, prompt?: string, parentDir?: string): Promise<{ branch: string; path: string; mainRepoPath: string; baseRef: string }>;
  changes(worktree: SessionWorktree): Promise<{ baseRef: string; mergeBase: string; files: WorktreeFileChange[] }>;
  baseFile(worktree: SessionWorktree, file: string): Promise<{ text: string | null; binaryOrLarge?: boolean }>;
  /** Refuses (conflict) a worktree with uncommitted changes unless force; the branch stays. */
  remove(worktree: SessionWorktree, force: boolean): Promise<void>;
}

/** What update_session_config may change; a missing key stays as it is. */
export interface ConfigChange { autonomy?: Autonomy; model?: string; effort?: string; planMode?: boolean }

export interface ProviderController {
  /** Which sessions this controller drives; the first controller that claims a session gets the call. */
  handles(session: Session): boolean;
  createSession?(req: CreateRequest): Promise<Session>;
  sendMessage?(session: Session, text: string): Promise<void>;
  interrupt?(session: Session): Promise<void>;
  /** Tell the agent about a rename (the engine has already set customName). */
  rename?(session: Session, name: string | null): Promise<void>;
  /** Carry out a decision; the engine has checked it is current and will resolve the approval after. */
  decideApproval?(session: Session, approval: PendingApproval, decision: ApprovalDecision, message?: string): Promise<void>;
  answerQuestion?(session: Session, questionId: string, answers: Record<string, string | string[]>): Promise<void>;
  updateConfig?(session: Session, change: ConfigChange): Promise<void>;
  resume?(session: Session): Promise<void>;
  takeover?(session: Session, force: boolean): Promise<void>;
  end?(session: Session): Promise<void>;
  listModels?(): Promise<ModelInfo[]>;
  /** For create_session and list_models, which take no session. */
  readonly provider?: Provider;
}
