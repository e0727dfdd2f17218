// A Quick Pick of sessions, for commands run from the palette or the status bar: sessions that need
// attention first, then working ones, then the most recent.
import * as vscode from 'vscode';
import type { Session } from '../engine/protocol';
import { GROUPS, PROVIDER_LABELS, describeSession, groupOf } from './sessionPresentation';

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
