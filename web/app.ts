// The web client's controller: the token (asked once, kept in localStorage), the connection with
// reconnects that resume from the last revision, the route (#/, #/s/<id>, or #/s/<id>/m/<item> for a
// search hit: opened scrolled to that item, highlighted), History, search and rendering.
import { ClientState } from '../src/engine/protocol/mirror/clientState';
import {
  type ApprovalDecision, type Message, PROTOCOL_VERSION, type PendingApproval, ProtocolClient, type ServerMessage, type Session,
} from '../src/engine/protocol';
import { h } from './dom';
import { type Connection, headerView, listView, loginView, type QuestionDraft, sessionView, type ViewActions } from './views';
import { attentionCount, buildAnswers, isUnreachable } from '../src/engine/protocol/uiPolicy';
import { openSocket } from './wsTransport';
import { HistoryBrowser } from './history';
import { SearchBox } from './search';

const TOKEN_KEY = 'flightdeck.hubToken';
/** Close code the hub uses when the token was rotated. */
const TOKEN_ROTATED = 4001;

export class App implements ViewActions {
  private state = new ClientState();
  private client: ProtocolClient | null = null;
  private token: string | null;
  private conn: Connection = 'connecting';
  private loginError: string | null = null;
  private following: string | null = null;
  /** The followed session's remote engine cannot be reached: subscribed once it is back (issue 20). */
  private awaitingHost: string | null = null;
  private busy = new Set<string>();
  /** The answer being composed to the pending question of the followed session. */
  private draft: QuestionDraft = { picked: new Map(), text: new Map() };
  private toastText: string | null = null;
  private toastTimer: ReturnType<typeof setTimeout> | null = null;
  private retryMs = 1_000;
  private renderQueued = false;
  /** The search hit the session was opened for: highlighted; scrolled to once (`revealed`). */
  private hit: { sessionId: string; messageId: string; revealed: boolean } | null = null;
  private loadingOlder = false;
  private readonly ask: ProtocolClient['request'] = msg => {
    if (!this.client) return Promise.reject(new Error('Not connected to the hub.'));
    return this.client.request(msg);
  };
  private readonly history = new HistoryBrowser(this.ask, () => this.scheduleRender());
  private readonly search = new SearchBox(this.ask, () => this.scheduleRender());
  private readonly composer = h('textarea', { id: 'composer', rows: '2', placeholder: 'Message the agent…', 'aria-label': 'Message' }) as HTMLTextAreaElement;

  constructor(private root: HTMLElement) {
    this.token = this.takeTokenFromHash() ?? localStorage.getItem(TOKEN_KEY);
    window.addEventListener('hashchange', () => { this.follow(this.route()); this.render(); });
    this.composer.addEventListener('keydown', ev => {
      // Enter sends, Shift+Enter is a new line (as in chat apps and the VS Code panel).
      if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); this.composer.form?.requestSubmit(); }
    });
    setInterval(() => this.scheduleRender(), 30_000); // relative times
  }

  start(): void {
    if (this.token) void this.connect();
    this.render();
  }

  // ---- actions ---------------------------------------------------------------------------------

  login(token: string): void {
    this.token = token;
    localStorage.setItem(TOKEN_KEY, token);
    this.loginError = null;
    void this.connect();
  }

  logout(): void {
    localStorage.removeItem(TOKEN_KEY);
    this.token = null;
    this.client?.close();
    this.client = null;
    this.state = new ClientState();
    this.following = null;
    this.render();
  }

  decide(s: Session, a: PendingApproval, decision: ApprovalDecision): void {
    this.busy.add(a.approvalId);
    this.render();
    this.call({ type: 'approve_tool', sessionId: s.id, approvalId: a.approvalId, version: a.version, decision }, () => this.busy.delete(a.approvalId));
  }

  send(s: Session, text: string): void {
    this.call({ type: 'send_message', sessionId: s.id, text }, ok => { if (ok) this.composer.value = ''; });
  }

  interrupt(s: Session): void { this.call({ type: 'interrupt_session', sessionId: s.id }); }

  takeOver(s: Session): void {
    this.call({ type: 'takeover_session', sessionId: s.id }, ok => { if (ok) this.toast('Flightdeck now drives this session: write to it here.'); });
  }

  pickOption(questionPart: string, label: string, multi: boolean): void {
    const set = this.draft.picked.get(questionPart) ?? new Set<string>();
    if (set.has(label)) set.delete(label);
    else { if (!multi) set.clear(); set.add(label); }
    this.draft.picked.set(questionPart, set);
    this.render();
  }

  answer(s: Session): void {
    const q = s.pendingQuestion;
    if (!q) return;
    // The same rule as the panel's question card (uiPolicy.buildAnswers).
    const { answers, missing } = buildAnswers(q, id => [...(this.draft.picked.get(id) ?? [])], id => this.draft.text.get(id)?.value);
    if (missing.length) return this.toast(`Answer “${missing[0]}” first.`);
    this.busy.add(q.questionId);
    this.render();
    this.call({ type: 'answer_question', sessionId: s.id, questionId: q.questionId, answers }, ok => {
      this.busy.delete(q.questionId);
      if (ok) this.draft = { picked: new Map(), text: new Map() };
    });
  }

  loadOlder(s: Session): void {
    if (this.loadingOlder) return;
    this.loadingOlder = true;
    const first = this.state.orderedMessages(s.id)[0];
    this.call({ type: 'load_messages', sessionId: s.id, beforeSeq: first?.seq }, () => { this.loadingOlder = false; });
  }

  showWhole(m: Message): void { this.call({ type: 'get_message', sessionId: m.sessionId, messageId: m.id }); }

  // ---- connection ------------------------------------------------------------------------------

  private wsUrl(): string {
    return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  }

  private async connect(): Promise<void> {
    const token = this.token;
    if (!token) return;
    this.conn = 'connecting';
    this.render();
    let opened;
    try {
      opened = await openSocket(this.wsUrl(), token, why => this.toast(why));
    } catch {
      // The browser hides the HTTP status of a refused upgrade; if the hub itself answers, the token
      // (or this page's origin) was refused, so ask again instead of retrying forever.
      const hubUp = await fetch('/health', { cache: 'no-store' }).then(r => r.ok, () => false);
      if (hubUp && token === this.token) return this.askToken('The hub refused this token. Paste the current one.');
      return this.retry();
    }
    if (token !== this.token) { opened.transport.close(); return; }
    const client = new ProtocolClient(opened.transport, 'w');
    this.client = client;
    client.on(m => this.receive(m));
    opened.socket.addEventListener('close', ev => {
      if (this.client !== client) return;
      this.client = null;
      if (ev.code === TOKEN_ROTATED) return this.askToken('The hub token was rotated. Paste the new one.');
      this.retry();
    });
    try {
      const welcome = await client.request({ type: 'hello', protocolVersion: PROTOCOL_VERSION, client: 'flightdeck-web' });
      if (welcome.protocolVersion !== PROTOCOL_VERSION) {
        this.toast(`The hub speaks protocol ${welcome.protocolVersion}, this page ${PROTOCOL_VERSION}: reload the page.`);
      }
      await client.request({ type: 'subscribe_list' });
      this.conn = 'online';
      this.retryMs = 1_000;
      const route = this.route();
      this.following = null;
      this.follow(route);
      this.history.reset();
    } catch (e) {
      this.toast((e as Error).message);
    }
    this.render();
  }

  private askToken(why: string): void {
    localStorage.removeItem(TOKEN_KEY);
    this.token = null;
    this.loginError = why;
    this.render();
  }

  private retry(): void {
    this.conn = 'offline';
    this.render();
    const wait = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 15_000);
    setTimeout(() => { if (this.token && !this.client) void this.connect(); }, wait);
  }

  private receive(m: ServerMessage): void {
    if (m.type === 'resync') {
      // The hub dropped events for us (we were slow): ask again, from the revision we hold.
      if (m.sessionId && m.sessionId === this.following) this.subscribe(m.sessionId);
      else if (!m.sessionId) this.call({ type: 'subscribe_list' });
      return;
    }
    if (m.type === 'error' && !m.requestId) this.toast(m.message);
    this.history.receive(m);
    const touched = this.state.apply(m);
    // events were lost (a revision gap): ask again, from what the mirrors hold
    for (const again of this.state.takeResubscribes()) {
      if (again.type === 'subscribe_list') this.call(again);
      else if (again.sessionId === this.following) this.subscribe(again.sessionId);
    }
    const waiting = this.awaitingHost;
    if (waiting && waiting === this.following) {
      const listed = this.state.list.get(waiting);
      if (listed && !isUnreachable(listed)) { this.awaitingHost = null; this.subscribe(waiting); }
    }
    if (touched === 'list' || touched === this.following || m.type === 'session_delta') this.scheduleRender();
  }

  private follow(sessionId: string | null): void {
    const hit = this.hitRoute();
    if (hit && (hit.sessionId !== this.hit?.sessionId || hit.messageId !== this.hit.messageId)) this.hit = { ...hit, revealed: false };
    else if (!hit && sessionId !== this.hit?.sessionId) this.hit = null;
    if (sessionId === this.following || !this.client) return;
    if (this.following) this.call({ type: 'unsubscribe_session', sessionId: this.following });
    this.following = sessionId;
    this.composer.value = '';
    this.draft = { picked: new Map(), text: new Map() };
    if (sessionId) this.subscribe(sessionId);
  }

  private subscribe(sessionId: string): void {
    const since = this.state.views.get(sessionId)?.revision ?? undefined;
    // A remote session whose engine cannot be reached: shown from the list (as unreachable) until it is back.
    const listed = this.state.list.get(sessionId);
    if (listed && isUnreachable(listed)) { this.awaitingHost = sessionId; return; }
    this.call({ type: 'subscribe_session', sessionId, sinceRevision: since }, ok => {
      if (ok || this.following !== sessionId) return;
      const now = this.state.list.get(sessionId);
      if (now && isUnreachable(now)) { this.awaitingHost = sessionId; return; }
      this.following = null; location.hash = '#/';
    });
  }

  /** A request whose error becomes a toast; done(ok) runs either way. */
  private call(msg: Parameters<ProtocolClient['request']>[0], done?: (ok: boolean) => void): void {
    if (!this.client) { this.toast('Not connected to the hub.'); done?.(false); return; }
    this.client.request(msg).then(() => done?.(true), (e: Error) => { this.toast(e.message); done?.(false); }).finally(() => this.scheduleRender());
  }

  private toast(text: string): void {
    this.toastText = text;
    if (this.toastTimer) clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => { this.toastText = null; this.render(); }, 6_000);
    this.scheduleRender();
  }

  // ---- routing and rendering -------------------------------------------------------------------

  private route(): string | null {
    const m = /^#\/s\/([^/]+)/.exec(location.hash);
    return m ? decodeURIComponent(m[1]) : null;
  }

  /** #/s/<session>/m/<item>: a search hit to scroll to and highlight. */
  private hitRoute(): { sessionId: string; messageId: string } | null {
    const m = /^#\/s\/([^/]+)\/m\/(.+)$/.exec(location.hash);
    return m ? { sessionId: decodeURIComponent(m[1]), messageId: decodeURIComponent(m[2]) } : null;
  }

  /** A token in the URL fragment (never sent to the server) is taken once and removed from the address bar. */
  private takeTokenFromHash(): string | null {
    const m = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(location.hash);
    if (!m) return null;
    localStorage.setItem(TOKEN_KEY, m[1]);
    history.replaceState(null, '', location.pathname + location.search);
    return m[1];
  }

  private scheduleRender(): void {
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => { this.renderQueued = false; this.render(); });
  }

  private render(): void {
    if (!this.token) {
      this.root.replaceChildren(loginView(this, this.loginError));
      (this.root.querySelector('#token') as HTMLInputElement | null)?.focus();
      return;
    }
    const sessions = this.state.sortedList();
    const selected = this.route();
    const old = this.root.querySelector('#transcript');
    const stick = !old || old.scrollHeight - old.scrollTop - old.clientHeight < 40;
    const prevTop = old?.scrollTop ?? 0;
    // Inputs the app keeps across renders (composer, answers) keep their focus too.
    const focused = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;
    const hitId = this.hit?.sessionId === selected ? this.hit.messageId : null;
    this.root.replaceChildren(
      headerView(this.conn, this, attentionCount(sessions)),
      h('div', { class: `body${selected ? ' has-session' : ''}` },
        h('nav', { class: 'list', 'aria-label': 'Sessions' },
          this.search.renderControls(),
          ...(this.search.active ? [this.search.renderResults(hitId)] : [listView(sessions, selected), this.history.render(selected)])),
        selected ? sessionView({ state: this.state, sessionId: selected, busy: this.busy, composer: this.composer, draft: this.draft, act: this })
          : h('main', { class: 'session empty' }, h('p', { class: 'muted' }, sessions.length ? 'Pick a session.' : ''))),
      this.toastText ? h('div', { class: 'toast', role: 'status' }, this.toastText) : '');
    const t = this.root.querySelector('#transcript');
    if (t) t.scrollTop = stick ? t.scrollHeight : prevTop;
    if (t && selected) this.showHit(t, selected);
    if (focused?.isConnected) focused.focus();
  }

  /**
   * Highlights the search hit of the open session and scrolls to it once; an item older than what is
   * loaded is reached by paging back (each page that arrives renders and tries again).
   */
  private showHit(transcript: Element, sessionId: string): void {
    const hit = this.hit;
    if (!hit || hit.sessionId !== sessionId) return;
    const el = [...transcript.querySelectorAll<HTMLElement>('[data-id]')].find(e => e.dataset.id === hit.messageId);
    if (el) {
      el.classList.add('search-hit');
      if (!hit.revealed) { hit.revealed = true; el.scrollIntoView({ block: 'center' }); }
      return;
    }
    const view = this.state.views.get(sessionId);
    if (!hit.revealed && view?.hasMore && view.session) this.loadOlder(view.session);
  }
}
