// The session panel: keeps the session state from server messages, draws the header, the
// virtualized transcript and the dock (changes, question, approval, composer), and turns clicks and
// keys into protocol requests. The engine decides everything; the page only asks and redraws.
import { html, nothing, render } from 'lit';
import { ProtocolClient, ProtocolError, type ClientRequest, type Transport } from '../../src/engine/protocol/client';
import type { ServerMessage } from '../../src/engine/protocol/messages';
import { ComposerHistory } from './composerHistory';
import { type HostPort, type HostRequest, onRevealRequest } from './hostBridge';
import { isOpenableLink } from './markdown';
import { SessionState } from './sessionState';
import type { ApprovalDecision, Autonomy, FileChange, Message, ModelInfo, Session } from './types';
import { VirtualList } from './virtualList';
import { OPEN_OTHER_SESSION_LABEL, UNREACHABLE_SESSION_TITLE, approvalActions, approvalOffer, conflictText, conflictsOf, unreachableTranscriptText } from '../../src/engine/protocol/uiPolicy';
import { ErrorCode } from '../../src/engine/protocol/errorCodes';
import { approvalTemplate, decisionForKey } from './views/approvalCard';
import { changesTemplate } from './views/changesView';
import { composerTemplate } from './views/composer';
import { headerTemplate } from './views/header';
import { estimateHeight, messageTemplate, type MessageViewContext } from './views/messageView';
import { questionTemplate } from './views/questionCard';

/**
 * What the page keeps across reloads of the webview (VS Code setState): the composer history, and
 * the last state it drew (the session and its newest items), so a panel reopened from its tab draws
 * at once, scrolled to the bottom, while it subscribes again for the live snapshot.
 */
export interface SavedState { sessionId: string; history?: string[]; last?: { revision: number; session: Session; messages: Message[] } }

/** The newest items kept for a reopened panel, and the most state they may take. */
const SAVED_ITEMS = 60;
const SAVED_MAX_CHARS = 400_000;
const SAVE_DELAY_MS = 300;

const OLDER_PAGE_SIZE = 200;

export class SessionApp {
  private readonly state: SessionState;
  private readonly client: ProtocolClient;
  private readonly list: VirtualList<Message>;
  private readonly history: ComposerHistory;
  private readonly headerEl: HTMLElement;
  private readonly bannerEl: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly dockEl: HTMLElement;
  /** Folds the user opened, by "messageId:part"; kept here because rows come and go while scrolling. */
  private readonly expanded = new Set<string>();
  private editingName = false;
  private changesOpen = true;
  private sentApproval: { approvalId: string; version: number; decision: ApprovalDecision } | null = null;
  /** Items that pending approvals are about, as last drawn. */
  private approvalItems = new Set<string>();
  private sentQuestionId: string | null = null;
  private loadingOlder = false;
  /**
   * Set while this remote session's engine cannot be reached (issue 20): why, from the refused
   * subscribe. The page subscribes again once the list says the engine is back.
   */
  private awaitingHost: string | null = null;
  private opened = false;
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly saved: SavedState | undefined;
  private errors: { id: number; text: string }[] = [];
  /** A transcript item the host asked to show (search hit) that is not loaded yet. */
  private pendingReveal: string | null = null;
  /** The search hit the panel was opened for: highlighted until another one is asked for. */
  private highlightId: string | null = null;
  private nextErrorId = 1;
  /** Codex's models (model/list), asked once when the session can change its model; null until known. */
  private models: ModelInfo[] | null = null;
  private modelsAsked = false;

  constructor(root: HTMLElement, private readonly port: HostPort, transport: Transport, readonly sessionId: string, saved?: SavedState) {
    this.state = new SessionState(sessionId);
    this.client = new ProtocolClient(transport, `wv${Math.random().toString(36).slice(2, 8)}-`);
    this.history = new ComposerHistory(saved?.sessionId === sessionId ? saved.history ?? [] : []);
    this.saved = saved?.sessionId === sessionId ? saved : undefined;
    root.classList.add('session-app');
    this.headerEl = root.appendChild(Object.assign(document.createElement('header'), { className: 'session-header' }));
    this.bannerEl = root.appendChild(Object.assign(document.createElement('div'), { className: 'banners' }));
    this.scroller = root.appendChild(Object.assign(document.createElement('main'), { className: 'transcript' }));
    this.scroller.setAttribute('role', 'log');
    this.scroller.setAttribute('aria-label', 'Transcript');
    this.scroller.tabIndex = 0;
    this.dockEl = root.appendChild(Object.assign(document.createElement('footer'), { className: 'dock' }));
    const ctx = this.messageContext();
    this.list = new VirtualList<Message>({
      scroller: this.scroller,
      keyOf: m => m.id,
      estimateHeight,
      render: (m, row) => { row.className = `vl-row kind-${m.kind}${m.id === this.highlightId ? ' search-hit' : ''}`; render(messageTemplate(m, ctx), row); },
      onNearTop: () => this.loadOlder(),
    });
    this.scroller.addEventListener('click', e => this.onTranscriptClick(e));
    document.addEventListener('keydown', e => this.onKeyDown(e));
    this.client.on(m => this.onServerMessage(m));
    onRevealRequest(id => {
      const previous = this.state.messages.find(m => m.id === this.highlightId);
      this.pendingReveal = id;
      this.highlightId = id;
      if (previous) this.list.refresh(previous);
      this.revealPending();
    });
    this.renderChrome();
  }

  start(): void {
    this.postHost({ channel: 'host', type: 'ready', sessionId: this.sessionId });
    this.drawSaved();
    this.subscribe();
    this.saveState();
  }

  /** The last state drawn before the page was hidden, at once; the live snapshot replaces it. */
  private drawSaved(): void {
    const last = this.saved?.last;
    if (!last || last.session.id !== this.sessionId) return;
    this.state.apply({ type: 'session_snapshot', requestId: 'saved', revision: last.revision, session: last.session, messages: last.messages, hasMore: true });
    this.list.setItems(this.state.messages);
    this.list.scrollToBottom();
    this.renderChrome();
  }

  // ---- server → page ---------------------------------------------------------------------

  private onServerMessage(m: ServerMessage): void {
    // The list's word that this session's engine is reachable again (it comes before any snapshot).
    if (this.awaitingHost && m.type === 'session_delta' && m.sessionId === this.sessionId && m.changes.host?.reachable === true) {
      this.awaitingHost = null;
      this.subscribe();
      this.renderChrome();
    }
    // Errors answering our own requests are shown by the request's catch; others here.
    if (m.type === 'error' && !m.requestId) this.showError(m.message);
    if (m.type === 'messages_page' && m.sessionId === this.sessionId) this.loadingOlder = false;
    const change = this.state.apply(m);
    if (change.resubscribe) this.subscribe(change.resubscribe.sinceRevision);
    if (change.structure) this.list.setItems(this.state.messages);
    // The first snapshot opens at the newest item; a later one (after a resync) keeps the reader's place.
    if (change.reset && !this.opened) {
      this.opened = true;
      this.list.scrollToBottom();
      if (this.state.hasMore && this.scroller.scrollHeight <= this.scroller.clientHeight) this.loadOlder();
    }
    for (const item of change.updated) this.list.refresh(item);
    if (change.structure) this.revealPending();
    if (change.session) { this.refreshApprovalRows(); this.renderChrome(); }
    if (change.session || change.structure || change.updated.length) this.scheduleSave();
  }

  private scheduleSave(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => { this.saveTimer = null; this.saveState(); }, SAVE_DELAY_MS);
  }

  /** Items an approval is about say "waiting for approval": redraw those whose approval came or went. */
  private refreshApprovalRows(): void {
    const now = new Set((this.state.session?.pendingApprovals ?? []).map(a => a.itemId).filter((x): x is string => !!x));
    for (const id of new Set([...now, ...this.approvalItems])) {
      if (now.has(id) === this.approvalItems.has(id)) continue;
      const m = this.state.message(id);
      if (m) this.list.refresh(m);
    }
    this.approvalItems = now;
  }

  /**
   * Scrolls to the item a search hit named and highlights it; an item older than what is loaded is
   * reached by paging back (each page that arrives tries again) until it is found or none is left.
   */
  private revealPending(): void {
    const id = this.pendingReveal;
    if (!id) return;
    if (this.list.scrollToKey(id)) {
      this.opened = true;
      this.pendingReveal = null;
      const hit = this.state.messages.find(m => m.id === id);
      if (hit) this.list.refresh(hit);
      return;
    }
    if (this.state.oldestSeq !== null) this.loadOlder();
  }

  private subscribe(sinceRevision?: number): void {
    const fields = sinceRevision === undefined ? { sessionId: this.sessionId } : { sessionId: this.sessionId, sinceRevision };
    this.client.request({ type: 'subscribe_session', ...fields }).catch((e: Error) => {
      // A remote session whose engine is away: said where the transcript is, not shown as a failure.
      if (e instanceof ProtocolError && e.code === ErrorCode.unreachable) {
        this.awaitingHost = e.message;
        this.renderChrome();
        return;
      }
      this.showError(`subscribe session failed: ${e.message}`);
    });
  }

  // ---- page → engine / host ---------------------------------------------------------------

  private request(msg: ClientRequest, onError?: () => void): void {
    this.client.request(msg).catch((e: Error) => {
      onError?.();
      this.showError(`${msg.type.replace(/_/g, ' ')} failed: ${e.message}`);
    });
  }

  private postHost(msg: HostRequest): void { this.port.postMessage(msg); }

  private decide(decision: ApprovalDecision): void {
    const a = this.state.pendingApproval;
    if (!a || this.sentApproval) return;
    this.sentApproval = { approvalId: a.approvalId, version: a.version, decision };
    this.renderChrome();
    this.request({ type: 'approve_tool', sessionId: this.sessionId, approvalId: a.approvalId, version: a.version, decision }, () => {
      if (this.sentApproval?.approvalId === a.approvalId) { this.sentApproval = null; this.renderChrome(); }
    });
  }

  private answer({ answers, missing }: { answers: Record<string, string | string[]>; missing: string[] }): void {
    const q = this.state.pendingQuestion;
    if (!q || this.sentQuestionId === q.questionId) return;
    if (missing.length) { this.showError(`Answer “${missing[0]}” first.`); return; }
    this.sentQuestionId = q.questionId;
    this.renderChrome();
    this.request({ type: 'answer_question', sessionId: this.sessionId, questionId: q.questionId, answers }, () => {
      this.sentQuestionId = null;
      this.renderChrome();
    });
  }

  private send(text: string): void {
    this.history.push(text);
    this.saveState();
    this.list.scrollToBottom();
    this.request({ type: 'send_message', sessionId: this.sessionId, text });
  }

  private takeOver(): void { this.request({ type: 'takeover_session', sessionId: this.sessionId }); }

  private interrupt(): void { this.request({ type: 'interrupt_session', sessionId: this.sessionId }); }

  private setAutonomy(autonomy: Autonomy): void {
    this.request({ type: 'update_session_config', sessionId: this.sessionId, autonomy }, () => this.renderChrome());
  }

  private setModel(model: string): void {
    this.request({ type: 'update_session_config', sessionId: this.sessionId, model }, () => this.renderChrome());
  }

  private setEffort(effort: string): void {
    this.request({ type: 'update_session_config', sessionId: this.sessionId, effort }, () => this.renderChrome());
  }

  /** The model list, once, when the user first reaches for the model select (a Codex direct session). */
  private loadModels(): void {
    const s = this.state.session;
    if (this.modelsAsked || !s || s.provider !== 'codex' || s.mode !== 'direct' || s.status !== 'active') return;
    this.modelsAsked = true;
    this.client.request({ type: 'list_models', provider: 'codex' }).then(answer => {
      this.models = answer.models;
      this.renderChrome();
    }, (e: Error) => this.showError(`The model list is unavailable: ${e.message}`));
  }

  private rename(name: string): void {
    this.editingName = false;
    const s = this.state.session;
    const trimmed = name.trim();
    if (s && trimmed !== (s.customName ?? s.displayName)) this.request({ type: 'rename_session', sessionId: this.sessionId, name: trimmed });
    this.renderChrome();
  }

  private openDiff(messageId: string | null, turnId: string | null, change: FileChange): void {
    this.postHost({ channel: 'host', type: 'openDiff', sessionId: this.sessionId, messageId, turnId, path: change.path });
  }

  private loadOlder(): void {
    const oldest = this.state.oldestSeq;
    if (!this.state.hasMore || this.loadingOlder || oldest === null) return;
    this.loadingOlder = true;
    this.renderChrome();
    this.request({ type: 'load_messages', sessionId: this.sessionId, beforeSeq: oldest, limit: OLDER_PAGE_SIZE }, () => { this.loadingOlder = false; });
  }

  private saveState(): void {
    const session = this.state.session, revision = this.state.revision;
    let last: SavedState['last'];
    if (session && revision !== null) {
      const messages = this.state.messages.slice(-SAVED_ITEMS);
      // Long outputs would make every save slow: keep the newest items that fit.
      let size = JSON.stringify(session).length;
      let from = messages.length;
      while (from > 0 && (size += JSON.stringify(messages[from - 1]).length) <= SAVED_MAX_CHARS) from--;
      last = { revision, session, messages: messages.slice(from) };
    }
    this.port.setState({ sessionId: this.sessionId, history: [...this.history.all], ...(last ? { last } : {}) } satisfies SavedState);
  }

  // ---- input --------------------------------------------------------------------------------

  private onKeyDown(e: KeyboardEvent): void {
    const decision = decisionForKey(e);
    // Ctrl+Backspace still deletes a word in a field that has text; an empty field lets it deny.
    const field = e.target as HTMLInputElement | HTMLTextAreaElement;
    const editing = e.key === 'Backspace' && (field?.tagName === 'TEXTAREA' || field?.tagName === 'INPUT') && field.value !== '';
    if (decision && !editing && this.state.pendingApproval && approvalActions(this.state.pendingApproval).some(x => x.decision === decision)) {
      e.preventDefault();
      this.decide(decision);
      return;
    }
    const s = this.state.session;
    if (e.key === 'Escape' && !e.defaultPrevented && s?.mode === 'direct' && s.status === 'active' && s.workStatus === 'working') {
      e.preventDefault();
      this.interrupt();
    }
  }

  /** Links in agent text never navigate the webview: the host opens web links outside. */
  private onTranscriptClick(e: MouseEvent): void {
    const a = (e.target as Element).closest?.('a');
    if (!a) return;
    e.preventDefault();
    const href = a.getAttribute('href') ?? '';
    if (isOpenableLink(href)) this.postHost({ channel: 'host', type: 'openLink', href });
  }

  // ---- drawing ------------------------------------------------------------------------------

  private messageContext(): MessageViewContext {
    return {
      isExpanded: (id, part) => this.expanded.has(`${id}:${part}`),
      setExpanded: (id, part, open) => {
        const key = `${id}:${part}`;
        if (open === this.expanded.has(key)) return;
        if (open) this.expanded.add(key); else this.expanded.delete(key);
        const m = this.state.message(id);
        if (m) this.list.refresh(m);
      },
      openDiff: (m, c) => this.openDiff(m.id, m.turnId ?? null, c),
      loadFullMessage: m => this.request({ type: 'get_message', sessionId: this.sessionId, messageId: m.id }),
      copy: text => this.postHost({ channel: 'host', type: 'copy', text }),
      awaitsApproval: id => this.state.session?.pendingApprovals.some(a => a.itemId === id) ?? false,
      cwd: () => this.state.session?.cwd ?? null,
    };
  }

  private renderChrome(): void {
    const s = this.state.session;
    const a = this.state.pendingApproval;
    // The engine confirmed the decision once the approval (this version) left the state.
    if (this.sentApproval && (!a || a.approvalId !== this.sentApproval.approvalId || a.version !== this.sentApproval.version)) this.sentApproval = null;
    const q = this.state.pendingQuestion;
    if (this.sentQuestionId && q?.questionId !== this.sentQuestionId) this.sentQuestionId = null;
    document.body.classList.toggle('has-session', !!s);

    render(s ? headerTemplate(s, this.editingName, {
      startRename: () => { this.editingName = true; this.renderChrome(); },
      commitRename: name => this.rename(name),
      cancelRename: () => { if (this.editingName) { this.editingName = false; this.renderChrome(); } },
      setAutonomy: level => this.setAutonomy(level),
      setModel: model => this.setModel(model),
      setEffort: effort => this.setEffort(effort),
      loadModels: () => this.loadModels(),
    }, this.models) : html`<div class="header-top"><h1 class="session-name muted">${this.awaitingHost ? UNREACHABLE_SESSION_TITLE : 'Loading session…'}</h1></div>`, this.headerEl);

    // Conflict radar (issue 18): another live session edits the same files in this checkout.
    render(html`${s ? conflictsOf(s).map(c => html`<div class="banner warning conflict" role="alert" data-other-session=${c.sessionId}>
        <span><span aria-hidden="true">⚠</span> ${conflictText(c, s.cwd)}</span>
        <button class="link-button" @click=${() => this.postHost({ channel: 'host', type: 'openSession', sessionId: c.sessionId })}>${OPEN_OTHER_SESSION_LABEL}</button></div>`) : nothing}
      ${this.errors.map(err => html`<div class="banner error" role="alert"><span>${err.text}</span>
        <button class="link-button" title="Dismiss" @click=${() => this.dismissError(err.id)}>Dismiss</button></div>`)}
      ${this.awaitingHost ? html`<div class="banner info unreachable" role="status">${unreachableTranscriptText(this.awaitingHost)}</div>` : nothing}
      ${this.loadingOlder ? html`<div class="banner info" role="status">Loading earlier messages…</div>` : nothing}`, this.bannerEl);

    if (!s) { render(nothing, this.dockEl); return; }
    const offer = a ? approvalOffer(s, a) : null;
    const relatedChanges = a ? a.changes ?? (a.itemId ? this.state.message(a.itemId)?.changes : null) ?? [] : [];
    render(html`
      ${changesTemplate(s.turnDiff, this.changesOpen, open => { this.changesOpen = open; }, c => this.openDiff(null, s.currentTurnId, c), s.cwd)}
      ${q ? questionTemplate(q, this.sentQuestionId === q.questionId, answers => this.answer(answers)) : nothing}
      ${offer ? approvalTemplate({
        approval: offer.approval, offer, queueLength: Math.max(1, s.pendingApprovals.length), changes: relatedChanges, cwd: s.cwd,
        sentDecision: this.sentApproval?.decision ?? null,
      }, d => this.decide(d), c => this.openDiff(offer.approval.itemId ?? null, s.currentTurnId, c), () => this.takeOver()) : nothing}
      ${composerTemplate(s, {
        send: text => this.send(text),
        interrupt: () => this.interrupt(),
        takeOver: () => this.takeOver(),
        resume: () => this.request({ type: 'resume_session', sessionId: this.sessionId }),
        history: (direction, draft) => this.history.step(direction, draft),
      })}`, this.dockEl);
  }

  private showError(text: string): void {
    this.errors = [...this.errors.slice(-2), { id: this.nextErrorId++, text }];
    this.renderChrome();
  }

  private dismissError(id: number): void {
    this.errors = this.errors.filter(e => e.id !== id);
    this.renderChrome();
  }
}
