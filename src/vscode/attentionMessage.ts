// What a "needs you" notification says and offers, as a plain function of the session (no vscode
// import, so it is unit-tested): decisions only when Flightdeck can make them (the shared UI policy),
// else where to answer and Take Over where possible; Open always.
import type { Session } from '../engine/protocol';
import { TAKE_OVER_LABEL, approvalOffer, approvalSubject, hostLabel } from '../engine/protocol/uiPolicy';
import { PROVIDER_LABELS } from './sessionPresentation';

export interface NotificationButton { label: string; command: string; args: unknown[] }
export interface AttentionMessage { message: string; buttons: NotificationButton[] }

/** Notification buttons for decisions (a notification has room for the two basic ones). */
const NOTIFY_DECISIONS: Partial<Record<string, string>> = { approved: 'flightdeck.approve', denied: 'flightdeck.deny' };

export function attentionMessage(s: Session): AttentionMessage {
  // A remote engine's session names its machine: "Codex on devbox · fix the build wants approval: …".
  const host = hostLabel(s);
  const who = `${PROVIDER_LABELS[s.provider]}${host ? ` on ${host}` : ''} · ${s.displayName}`;
  const offer = s.workStatus === 'needsApproval' ? approvalOffer(s) : null;
  const what = offer
    ? offer.notice ? `${offer.notice} (${approvalSubject(offer.approval)})` : `wants approval: ${approvalSubject(offer.approval)}`
    : `asks: ${s.pendingQuestion?.questions[0]?.question ?? 'a question'}`;
  const buttons: NotificationButton[] = [];
  for (const a of offer?.actions ?? []) {
    const command = NOTIFY_DECISIONS[a.decision];
    if (command) buttons.push({ label: a.label, command, args: [s.id, offer!.approval.approvalId] });
  }
  if (offer?.takeOver) buttons.push({ label: TAKE_OVER_LABEL, command: 'flightdeck.takeOver', args: [s.id] });
  buttons.push({ label: 'Open', command: 'flightdeck.openSession', args: [s.id] });
  return { message: `${who} ${what}`, buttons };
}
