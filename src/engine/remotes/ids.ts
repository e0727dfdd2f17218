// Ids of mirrored sessions: `<host name>/<remote id>`. A local id never holds a `/` (they are UUIDs),
// and a remote's own ids never hold one either (an engine never re-exports what it mirrors), so the
// two can not collide; the id depends only on the name and the remote's id, so it stays the same
// across reconnects and restarts of either engine.
import type { Message, Session, SessionConflict } from '../protocol';

export const HOST_SEPARATOR = '/';

/** A remote's name: what the user typed after --remote, used in ids, env variable and file names. */
export const REMOTE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;

export function validRemoteName(name: string): boolean { return REMOTE_NAME.test(name); }

export function toLocalId(host: string, remoteId: string): string { return `${host}${HOST_SEPARATOR}${remoteId}`; }

/** The host and the remote's id of a mirrored session's id; null for a local id. */
export function splitId(id: string): { host: string; remoteId: string } | null {
  const at = id.indexOf(HOST_SEPARATOR);
  if (at <= 0 || at === id.length - 1) return null;
  const host = id.slice(0, at);
  return validRemoteName(host) ? { host, remoteId: id.slice(at + 1) } : null;
}

/**
 * A remote's session as this engine shows it: its id in the host's space, the host named, and no
 * sourcePath (a file on the other machine: nothing here may open it).
 */
export function mapSession(host: string, reachable: boolean, s: Session): Session {
  return {
    ...s, id: toLocalId(host, s.id), sourcePath: null, host: { name: host, reachable },
    ...(s.conflicts ? { conflicts: s.conflicts.map(c => mapConflict(host, c)) } : {}),
  };
}

/** The fields of a delta, with ids inside them mapped the same way. */
export function mapChanges(host: string, changes: Partial<Session>): Partial<Session> {
  const out: Partial<Session> = { ...changes };
  delete out.id;
  delete out.host;
  if ('sourcePath' in out) out.sourcePath = null;
  if (changes.conflicts) out.conflicts = changes.conflicts.map(c => mapConflict(host, c));
  return out;
}

function mapConflict(host: string, c: SessionConflict): SessionConflict {
  return { ...c, sessionId: toLocalId(host, c.sessionId) };
}

export function mapMessage<M extends Partial<Message>>(host: string, m: M): M {
  return m.sessionId === undefined ? m : { ...m, sessionId: toLocalId(host, m.sessionId) };
}
