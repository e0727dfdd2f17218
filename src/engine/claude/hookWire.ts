// Constants shared by the receiver and the hook command. No imports: the hook command is bundled
// into a tiny script that must start fast, so it carries nothing it does not need.

export const ENDPOINT_FILE_NAME = 'claude-hook.json';
/** The receiver's Unix socket, next to the endpoint file in the private (0700) leader folder. */
export const SOCKET_FILE_NAME = 'claude-hook.sock';
export const HOOK_PATH = '/claude/hook';
export const TOKEN_HEADER = 'x-flightdeck-token';
/** CLAUDE_PROJECT_DIR of the hook process (URI-encoded): the project root, which `cwd` does not follow. */
export const PROJECT_DIR_HEADER = 'x-flightdeck-project-dir';
/** Payloads larger than this are rejected (a Write of a big file is the largest seen in practice). */
export const MAX_PAYLOAD_BYTES = 8 * 1024 * 1024;
/** A reporting hook gives up after this long, so Claude is never held up by a slow engine. */
export const REPORT_DEADLINE_MS = 3_000;
/** Extra time a PermissionRequest hook waits beyond the receiver's own bound. */
export const PERMISSION_GRACE_MS = 5_000;
/**
 * Where the leading engine writes its endpoint by default (engine/leader/election.ts
 * defaultLeaderDir: `$FLIGHTDECK_LEADER_DIR`, else `$FLIGHTDECK_DATA_DIR/run`, else `~/.flightdeck/run`). The hook looks there when the
 * folder it was installed with holds no endpoint, so an install made with another folder still works.
 */
export const LEADER_DIR_ENV = 'FLIGHTDECK_LEADER_DIR';
export const DEFAULT_LEADER_SUBDIR = ['.flightdeck', 'run'] as const;
