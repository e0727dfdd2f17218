// How a session reads in the sidebar: its group, status words, relative time and the contextValue
// that menus match on. Plain functions over protocol data, so every view shows the same words.
import type { Session } from '../engine/protocol';
import { CONFLICT_LABEL, GROUPS, type GroupId, PROVIDER_LABELS, conflictsOf, groupOf, hostLabel, isDecidableHere, isUnreachable, needsAttention, statusLabel } from '../engine/protocol/uiPolicy';
import { branchChip } from '../engine/protocol/worktreePolicy';

export { GROUPS, type GroupId, PROVIDER_LABELS, groupOf, needsAttention };

/** The work status in the shared words (or "unreachable"), lower case for a tree row's description. */
export function statusText(s: Session): string {
  return statusLabel(s).toLowerCase();
}

/** "now", "3m", "5h", "2d": short enough for a tree row. */
export function relativeTime(isoTime: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(isoTime)) / 1000));
  if (seconds < 45) return 'now';
  const minutes = Math.max(1, Math.round(seconds / 60));
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours}h`;
  return `${Math.round(hours / 24)}d`;
}

/** "needs approval · 3m"; a remote engine's session starts with its host: "devbox · working · now"; a conflict first of all. */
export function describeSession(s: Session, now: number): string {
  const host = hostLabel(s);
  const conflict = conflictsOf(s).length ? `${CONFLICT_LABEL.toLowerCase()} · ` : '';
  const branch = s.worktree ? branchChip(s) : null;
  return `${conflict}${host ? `${host} · ` : ''}${statusText(s)} · ${relativeTime(s.lastActivityAt, now)}${branch ? ` · ${branch}` : ''}`;
}

/**
 * session:<provider>:<mode>[:worktree]:<status>:<workStatus>; menus match it with regexes such as
 * `viewItem =~ /:needsApproval$/` or `viewItem =~ /:active:/`. An approval that can only be answered
 * in the agent's terminal (no options) ends in `:needsApproval:inTerminal`, so the Approve / Deny
 * items (anchored at `:needsApproval$`) are not offered for it.
 */
/*
 * A remote engine's session starts with `remote:`, so the menus that act on this machine's files
 * (Reveal Session Folder, Resume in Terminal, Archive, Delete; anchored at `^session:`) leave it out
 * while the routed ones (Approve, Deny, Interrupt, Rename, Take Over, Open) still match. One whose
 * engine cannot be reached is `remote:session:unreachable:<provider>:<mode>`: no decision, no control.
 */
export function contextValueOf(s: Session): string {
  if (isUnreachable(s)) return `remote:session:unreachable:${s.provider}:${s.mode}`;
  // A linked worktree adds `:worktree` after the mode (the worktree menus match `:worktree:`).
  const base = `${s.host ? 'remote:' : ''}session:${s.provider}:${s.mode}${s.worktree ? ':worktree' : ''}:${s.status}:${s.workStatus}`;
  const head = s.pendingApproval ?? s.pendingApprovals[0];
  return s.workStatus === 'needsApproval' && head && !isDecidableHere(head) ? `${base}:inTerminal` : base;
}


export function formatTokens(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

export function percent(fraction: number): string {
  return `${Math.round(Math.max(0, Math.min(1, fraction)) * 100)}%`;
}
