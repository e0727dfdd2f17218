// Every error code Flightdeck uses, in one place. Browser-safe and zod-free, so the panel bundle
// can use the codes without pulling in the schemas.
/** Error codes the engine sends in `error` messages, the same on every transport (docs/protocol.md). */
export const WireErrorCode = {
  badRequest: 'bad_request',
  invalidJson: 'invalid_json',
  unknownType: 'unknown_type',
  tooLarge: 'frame_too_large',
  notFound: 'not_found',
  notSupported: 'not_supported',
  staleApproval: 'stale_approval',
  conflict: 'conflict',
  unauthorized: 'unauthorized',
  internal: 'internal',
  providerError: 'provider_error',
  /** The remote engine that owns the session cannot be reached now (issue 20). */
  unreachable: 'unreachable',
} as const;

/**
 * Codes a client gives a failure itself; the engine never sends them. The protocol client's
 * (closed, timeout, an answer of the wrong type), the panel host's (engine unavailable), and the
 * refusals of the VS Code commands, which check before they ask.
 */
export const ClientErrorCode = {
  closed: 'closed',
  timeout: 'timeout',
  unexpectedAnswer: 'unexpected_answer',
  engineUnavailable: 'engine_unavailable',
  cancelled: 'cancelled',
  usage: 'usage',
  nothingPending: 'nothing_pending',
  notActive: 'not_active',
  notEnded: 'not_ended',
  notClaude: 'not_claude',
  alreadyDirect: 'already_direct',
  noFolder: 'no_folder',
  noWorktree: 'no_worktree',
  /** A local action (a terminal, a file) asked for a session a remote engine owns. */
  onRemoteHost: 'on_remote_host',
  hubStopped: 'hub_stopped',
} as const;

/** Every error code Flightdeck uses: a failure carries one of these and nothing else (test/unit/error-codes.test.ts). */
export const ErrorCode = { ...WireErrorCode, ...ClientErrorCode } as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
