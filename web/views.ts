// The three screens: login, session list (attention first) and a session with its transcript,
// approval card and composer. Pure functions of the app's state to DOM.
import type { ApprovalDecision, PendingApproval, Session } from '../src/engine/protocol';
import type { ClientState } from '../src/engine/protocol/mirror/clientState';
import { branchChip, worktreeDescription } from '../src/engine/protocol/worktreePolicy';
import { CONFLICT_LABEL, GROUPS, OPEN_OTHER_SESSION_LABEL, TAKE_OVER_LABEL, approvalOffer, conflictSummary, conflictText, conflictsOf, hostDescription, hostLabel, isUnreachable, statusLabel, MODE_DESCRIPTIONS, MODE_LABELS, PROVIDER_LABELS, groupOf, needsAttention, readOnlyNotice, sendLabel, turnChangesSummary } from '../src/engine/protocol/uiPolicy';
import { h, relativeTime } from './dom';
import { pathLabel, renderMessage, type TranscriptActions } from './transcript';

export interface ViewActions extends TranscriptActions {
  login(token: string): void;
  logout(): void;
  decide(s: Session, a: PendingApproval, d: ApprovalDecision): void;
  send(s: Session, text: string): void;
  interrupt(s: Session): void;
  takeOver(s: Session): void;
  loadOlder(s: Session): void;
  pickOption(questionPart: string, label: string, multi: boolean): void;
  answer(s: Session): void;
}

export type Connection = 'connecting' | 'online' | 'offline';


export { needsAttention };

function statusOf(s: Session): { cls: string; label: string } {
  const cls = s.status === 'ended' ? 'ended' : isUnreachable(s) ? 'unreachable' : s.workStatus;
  return { cls, label: statusLabel(s) };
}

/** A remote engine's session names its machine (the shared words); nothing for this machine's. */
function hostChip(s: Session): HTMLElement | null {
  const host = hostLabel(s);
  return host ? h('span', { class: `host${isUnreachable(s) ? ' unreachable' : ''}`, title: hostDescription(s) ?? undefined, 'data-host': host }, host) : null;
}

export function loginView(act: ViewActions, error: string | null): HTMLElement {
  const input = h('input', { type: 'password', id: 'token', name: 'token', autocomplete: 'off', spellcheck: 'false', placeholder: 'Hub token', 'aria-label': 'Hub token' }) as HTMLInputElement;
  const submit = (ev: Event) => { ev.preventDefault(); if (input.value.trim()) act.login(input.value.trim()); };
  return h('main', { class: 'login' },
    h('form', { class: 'card', onsubmit: submit },
      h('h1', {}, 'Flightdeck'),
      h('p', { class: 'muted' }, 'Paste the hub token. In VS Code run “Flightdeck: Copy Hub URL and Token” and open the copied link (it signs in by itself); with flightdeck serve, the token is the file “token” in its data directory (~/.flightdeck/token by default). It is kept in this browser only.'),
      input,
      error ? h('p', { class: 'form-error', role: 'alert' }, error) : null,
      h('button', { class: 'primary', type: 'submit', id: 'connect' }, 'Connect')));
}

export function headerView(conn: Connection, act: ViewActions, attention: number): HTMLElement {
  const label = conn === 'online' ? 'Connected' : conn === 'connecting' ? 'Connecting…' : 'Offline — retrying';
  return h('header', { class: 'top' },
    h('a', { class: 'brand', href: '#/' }, h('span', { class: 'logo' }, '✈'), 'Flightdeck',
      attention ? h('span', { class: 'count', title: 'Sessions that need attention' }, String(attention)) : null),
    h('span', { class: `conn ${conn}`, title: label }, h('span', { class: 'dot' }), h('span', { class: 'conn-label' }, label)),
    h('button', { class: 'ghost', type: 'button', onclick: () => act.logout() }, 'Sign out'));
}

/** The branch, marked as a worktree when the session runs in one (issue 18); nothing outside git. */
function branchTag(s: Session): HTMLElement | null {
  const chip = branchChip(s);
  return chip ? h('span', { class: `branch${s.worktree ? ' worktree' : ''}`, title: worktreeDescription(s) ?? 'Git branch', 'data-branch': s.worktree?.branch ?? s.gitBranch ?? '' }, chip) : null;
}

function row(s: Session, selected: boolean, now: number): HTMLElement {
  const st = statusOf(s);
  return h('a', { class: `row${selected ? ' selected' : ''}${needsAttention(s) ? ' attention' : ''}`, href: `#/s/${encodeURIComponent(s.id)}`, 'data-session': s.id },
    h('span', { class: `dot ws-${st.cls}`, title: st.label }),
    h('span', { class: 'row-main' },
      h('span', { class: 'title' }, s.displayName || s.projectName || s.id),
      h('span', { class: 'meta' }, hostChip(s), [PROVIDER_LABELS[s.provider], s.projectName, s.mode === 'passive' ? MODE_LABELS.passive : null].filter(Boolean).join(' · '), branchTag(s))),
    h('span', { class: 'row-side' },
      // Conflict radar (issue 18): another live session edits the same files in this checkout.
      conflictsOf(s).length ? h('span', { class: 'badge conflict', title: conflictSummary(s) ?? '', 'data-conflict': s.id }, `⚠ ${CONFLICT_LABEL}`) : null,
      needsAttention(s) ? h('span', { class: 'badge warn' }, st.label) : h('span', { class: 'status' }, st.label),
      h('span', { class: 'time' }, relativeTime(s.lastActivityAt, now))));
}

export function listView(sessions: Session[], selected: string | null): HTMLElement {
  const now = Date.now();
  // The groups of the VS Code tree, in its order and words.
  const groups: [string, Session[]][] = GROUPS.map(g => [g.label, sessions.filter(s => groupOf(s) === g.id)]);
  return h('div', { class: 'live' },
    sessions.length === 0 ? h('p', { class: 'muted pad' }, 'No live sessions. Sessions of Codex and Claude Code on this machine show up here; past ones are under History.') : null,
    ...groups.filter(([, g]) => g.length).map(([title, g]) => h('section', {}, h('h2', {}, title, h('span', { class: 'n' }, String(g.length))), ...g.map(s => row(s, s.id === selected, now)))));
}

function approvalCard(s: Session, a: PendingApproval, busy: boolean, act: ViewActions): HTMLElement | null {
  const offer = approvalOffer(s, a);
  if (!offer) return null;
  const what = a.kind === 'exec' ? 'Run a command' : a.kind === 'fileChange' ? 'Change files' : `Use ${a.toolName ?? 'a tool'}`;
  const queue = s.pendingApprovals.length;
  return h('section', { class: 'approval', 'aria-label': 'Approval needed' },
    h('div', { class: 'approval-head' }, h('strong', {}, `Approval needed: ${what}`), queue > 1 ? h('span', { class: 'muted' }, `1 of ${queue}`) : null),
    a.command ? h('pre', { class: 'out cmd-block' }, a.command) : null,
    a.cwd ? h('div', { class: 'muted small' }, `in ${a.cwd}`) : null,
    a.reason ? h('p', {}, a.reason) : null,
    a.changes?.length ? h('ul', { class: 'files' }, ...a.changes.map(c => h('li', {}, h('span', { class: `chip k-${c.kind}` }, c.kind), h('code', {}, c.path)))) : null,
    offer.notice ? h('p', { class: 'approval-notice', role: 'status' }, offer.notice) : null,
    h('div', { class: 'buttons' },
      ...offer.actions.map(x => h('button', {
        type: 'button', class: x.tone, title: x.description, 'data-decision': x.decision, disabled: busy, onclick: () => act.decide(s, a, x.decision),
      }, x.label)),
      offer.takeOver ? h('button', { type: 'button', class: 'secondary', 'data-action': 'takeover', onclick: () => act.takeOver(s) }, TAKE_OVER_LABEL) : null));
}

/** The user's answer in progress, kept by the app across re-renders (inputs keep their text). */
export interface QuestionDraft {
  picked: Map<string, Set<string>>;
  text: Map<string, HTMLInputElement>;
}

function questionCard(s: Session, draft: QuestionDraft, busy: boolean, act: ViewActions): HTMLElement | null {
  const q = s.pendingQuestion;
  if (!q) return null;
  const input = (id: string) => {
    let el = draft.text.get(id);
    if (!el) { el = h('input', { type: 'text', class: 'answer-text', placeholder: 'Your answer', 'aria-label': 'Your answer', 'data-question': id }) as HTMLInputElement; draft.text.set(id, el); }
    return el;
  };
  return h('section', { class: 'approval question', 'aria-label': 'Question from the agent' },
    h('div', { class: 'approval-head' }, h('strong', {}, q.questions.length > 1 ? 'The agent asks you' : 'The agent asks')),
    ...q.questions.map(x => {
      const picked = draft.picked.get(x.id) ?? new Set<string>();
      const options = x.options ?? [];
      return h('div', { class: 'q' },
        x.header ? h('div', { class: 'muted small' }, x.header) : null,
        h('p', {}, x.question),
        options.length ? h('div', { class: 'buttons' }, ...options.map(o => h('button', {
          type: 'button', class: `option${picked.has(o.label) ? ' picked' : ''}`, title: o.description ?? undefined, 'aria-pressed': picked.has(o.label) ? 'true' : 'false',
          onclick: () => act.pickOption(x.id, o.label, !!x.multiSelect),
        }, o.label))) : null,
        !options.length || x.allowFreeText ? input(x.id) : null);
    }),
    h('div', { class: 'buttons' }, h('button', { type: 'button', class: 'primary', id: 'answer', disabled: busy, onclick: () => act.answer(s) }, 'Send answer')));
}

/** Every file the current turn changed (session.turnDiff), summed up like the panel's; each diff opens in place. */
function changesCard(s: Session): HTMLElement | null {
  if (!s.turnDiff.length) return null;
  const sum = turnChangesSummary(s.turnDiff);
  return h('details', { class: 'changes', id: 'turn-changes' },
    h('summary', {}, h('strong', {}, sum.title), ' ', h('span', { class: 'muted' }, sum.files), ' ',
      h('span', { class: 'stat add' }, `+${sum.added}`), ' ', h('span', { class: 'stat del' }, `−${sum.removed}`)),
    ...s.turnDiff.map(c => h('details', { class: 'file' },
      h('summary', { class: 'file-head' }, h('span', { class: `chip k-${c.kind}` }, c.kind), pathLabel(c, s.cwd)),
      h('pre', { class: 'out diff' }, c.diff))));
}

export interface SessionViewInput {
  state: ClientState;
  sessionId: string;
  busy: ReadonlySet<string>;
  composer: HTMLTextAreaElement;
  draft: QuestionDraft;
  act: ViewActions;
}

export function sessionView({ state, sessionId, busy, composer, draft, act }: SessionViewInput): HTMLElement {
  const view = state.views.get(sessionId);
  const listed = state.list.get(sessionId);
  const followed = view?.session ?? listed;
  // The list says whether a remote's engine is reachable now (a view kept from before may not).
  const s = followed && listed?.host && followed !== listed ? { ...followed, host: listed.host } : followed;
  if (!s) return h('main', { class: 'session' }, h('p', { class: 'muted pad' }, 'Loading session…'));
  const st = statusOf(s);
  const fill = Math.round(s.contextFill * 100);
  const messages = state.orderedMessages(sessionId);
  const unreachable = isUnreachable(s);
  const canSend = s.status === 'active' && !unreachable;
  const readOnly = canSend ? readOnlyNotice(s) : null;
  return h('main', { class: 'session' },
    h('div', { class: 'session-head' },
      h('a', { class: 'back', href: '#/', 'aria-label': 'Back to sessions' }, '‹'),
      h('div', { class: 'session-title' },
        h('h1', {}, s.displayName || s.id),
        h('div', { class: 'meta' },
          hostChip(s), h('span', { class: `dot ws-${st.cls}` }), st.label, ' · ', PROVIDER_LABELS[s.provider], ' · ', h('span', { title: MODE_DESCRIPTIONS[s.mode] }, MODE_LABELS[s.mode]),
          s.model ? ` · ${s.model}` : '', ` · context ${fill}%`, branchTag(s)))),
    ...conflictsOf(s).map(c => h('div', { class: 'conflict-banner', role: 'alert', 'data-other-session': c.sessionId },
      h('span', {}, `⚠ ${conflictText(c, s.cwd)}`), ' ', h('a', { href: `#/s/${encodeURIComponent(c.sessionId)}` }, OPEN_OTHER_SESSION_LABEL))),
    h('div', { class: 'transcript', id: 'transcript' },
      view?.hasMore ? h('button', { class: 'link older', type: 'button', onclick: () => act.loadOlder(s) }, 'Load older messages') : null,
      messages.length === 0 ? h('p', { class: 'muted pad' }, view ? 'No messages yet.' : unreachable ? `The transcript is on ${s.host?.name}: it loads when that engine is reachable again.` : 'Loading…') : null,
      ...messages.map(m => renderMessage(m, act, { cwd: s.cwd, pendingApprovals: s.pendingApprovals })),
      s.workStatus === 'working' && s.status === 'active' && !unreachable ? h('div', { class: 'working muted' }, h('span', { class: 'spinner' }), 'Working…') : null),
    h('div', { class: 'dock' },
      changesCard(s),
      s.pendingApproval && s.status === 'active' ? approvalCard(s, s.pendingApproval, busy.has(s.pendingApproval.approvalId), act) : null,
      s.status === 'active' && !unreachable ? questionCard(s, draft, !!s.pendingQuestion && busy.has(s.pendingQuestion.questionId), act) : null,
      unreachable ? h('p', { class: 'muted small pad-s unreachable-note', role: 'status' }, `${hostDescription(s)}.`)
      : readOnly ? h('div', { class: 'read-only', role: 'note' },
        h('p', { class: 'muted small' }, readOnly.text),
        readOnly.takeOver ? h('button', { type: 'button', class: 'primary', id: 'take-over', onclick: () => act.takeOver(s) }, TAKE_OVER_LABEL) : null)
      : canSend ? h('form', { class: 'composer', onsubmit: (ev: Event) => { ev.preventDefault(); if (composer.value.trim()) act.send(s, composer.value); } },
        composer,
        h('div', { class: 'composer-buttons' },
          s.workStatus === 'working' ? h('button', { type: 'button', class: 'secondary', id: 'interrupt', onclick: () => act.interrupt(s) }, 'Interrupt') : null,
          h('button', { type: 'submit', class: 'primary', id: 'send', title: sendLabel(s) === 'Steer' ? 'Send — steers the running turn' : 'Send' }, sendLabel(s))))
        : h('p', { class: 'muted small pad-s' }, 'This session has ended.')));
}
