// A Quick Pick of sessions, for commands run from the palette or the status bar: sessions that need
// attention first, then working ones, then the most recent.
import * as vscode from 'vscode';
import type { PendingApproval, Session } from '../engine/protocol';
import { GROUPS, PROVIDER_LABELS, describeSession, groupOf } from './sessionPresentation';
import { hostLabel, isUnreachable } from '../engine/protocol/uiPolicy';

const GROUP_ORDER = new Map(GROUPS.map((g, i) => [g.id, i]));

export function orderForPicking(sessions: Session[]): Session[] {
  return [...sessions].sort((a, b) =>
    GROUP_ORDER.get(groupOf(a))! - GROUP_ORDER.get(groupOf(b))! || Date.parse(b.lastActivityAt) - Date.parse(a.lastActivityAt));
}

/** Resolves with the chosen session, or undefined when the user cancelled or none qualifies. */
export async function pickSession(sessions: Session[], title: string): Promise<Session | undefined> {
  const now = Date.now();
  const items = orderForPicking(sessions).map(s => ({
    label: s.displayName,
    description: `${PROVIDER_LABELS[s.provider]} · ${describeSession(s, now)}`,
    detail: s.cwd ?? undefined,
    session: s,
  }));
  if (items.length === 0) {
    void vscode.window.showInformationMessage(`Flightdeck: no session to ${title.toLowerCase()}.`);
    return undefined;
  }
  const chosen = await vscode.window.showQuickPick(items, { title, placeHolder: 'Type to filter sessions by name, provider, status or folder', matchOnDescription: true, matchOnDetail: true });
  return chosen?.session;
}

/** What an approval asks, in a line: the command, the files of a patch, or the tool. */
export function approvalSummary(a: PendingApproval): { label: string; detail: string | undefined } {
  if (a.kind === 'exec') return { label: `$(terminal) ${a.command ?? 'a command'}`, detail: [a.cwd ? `in ${a.cwd}` : '', a.reason ?? ''].filter(Boolean).join(' — ') || undefined };
  if (a.kind === 'fileChange') {
    const files = (a.changes ?? []).map(c => c.movePath ? `${c.path} → ${c.movePath}` : c.path);
    return { label: `$(diff) ${files.length ? `Change ${files.length} file${files.length === 1 ? '' : 's'}` : 'Change files'}`, detail: files.join(', ') || a.reason || undefined };
  }
  return { label: `$(tools) ${a.toolName ?? 'a tool'}${a.command ? `: ${a.command}` : ''}`, detail: [a.cwd ? `in ${a.cwd}` : '', a.reason ?? ''].filter(Boolean).join(' — ') || undefined };
}

/**
 * A Quick Pick of the approvals waiting for a decision, each showing what it would allow (command
 * and folder, or the files of a patch) and whose session it is. Resolves with the chosen one.
 */
export async function pickApproval(sessions: Session[], title: string): Promise<{ session: Session; approval: PendingApproval } | undefined> {
  // An unreachable remote's approval cannot be delivered: not offered.
  const items = orderForPicking(sessions).flatMap(s => s.pendingApproval && !isUnreachable(s) ? [{ s, a: s.pendingApproval }] : []).map(({ s, a }) => {
    const { label, detail } = approvalSummary(a);
    const host = hostLabel(s);
    return { label, description: `${PROVIDER_LABELS[s.provider]}${host ? ` on ${host}` : ''} · ${s.displayName}`, detail, session: s, approval: a };
  });
  if (items.length === 0) {
    void vscode.window.showInformationMessage(`Flightdeck: no approval to ${title.toLowerCase()}.`);
    return undefined;
  }
  const chosen = await vscode.window.showQuickPick(items, { title: `${title}: which request?`, placeHolder: 'Type to filter by command, file or session', matchOnDescription: true, matchOnDetail: true });
  return chosen && { session: chosen.session, approval: chosen.approval };
}
