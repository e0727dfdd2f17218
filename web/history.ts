// The web client's History section (SPEC §11), the same as the VS Code tree's History node: past
// sessions by project (cwd), then day, each level asked for only when opened
// (list_history_groups / list_history_sessions), a day's sessions a page at a time with "Load more",
// so 10,000 of them cost the page nothing until they are opened. It reloads what is open when an
// import progresses or ends and when a session ends or is removed.
import type { AnswerTo, ClientRequest, HistoryGroup, ProtocolClient, ServerMessage, Session } from '../src/engine/protocol';
import { PROVIDER_LABELS } from '../src/engine/protocol/uiPolicy';
import { h } from './dom';

/** ProtocolClient.request: answers typed by the request (protocol/requests.ts). */
type Request = ProtocolClient['request'];

/** Made once: toLocale*String builds a formatter per call (~1 ms), which made a year of day rows cost 0.3 s. */
const DAY_FORMAT = new Intl.DateTimeFormat(undefined, { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric' });
const TIME_FORMAT = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const PAGE = 50;
/** While an import runs, open History is reloaded at most this often (progress comes a few times a second). */
const IMPORT_RELOAD_MS = 2_000;

interface DayState { sessions: Session[]; cursor: string | null; loading: boolean }

/** The user's offset from UTC in minutes, so days are the user's days (as in VS Code). */
export function utcOffsetMinutes(at = new Date()): number { return -at.getTimezoneOffset(); }

/** "Today", "Yesterday", else the day in the user's locale. */
export function dayLabel(day: string, now = new Date()): string {
  const [y, m, d] = day.split('-').map(Number);
  const diff = Math.round((new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime() - new Date(y, m - 1, d).getTime()) / 86_400_000);
  if (diff === 0) return 'Today';
  if (diff === 1) return 'Yesterday';
  return DAY_FORMAT.format(new Date(y, m - 1, d));
}

const projectKey = (cwd: string | null) => cwd ?? '\u0000';
const dayKey = (cwd: string | null, day: string) => `${projectKey(cwd)}\u0001${day}`;

export class HistoryBrowser {
  private open = false;
  private projects: HistoryGroup[] | null = null;
  private readonly days = new Map<string, HistoryGroup[] | null>();
  private readonly sessions = new Map<string, DayState>();
  private error: string | null = null;
  private lastImportReload = 0;
  private reloadTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly request: Request, private readonly changed: () => void) {}

  /** Events that change what History holds: reload what is open (nothing is asked while it is closed). */
  receive(m: ServerMessage): void {
    if (m.type === 'session_ended' || m.type === 'session_removed') this.reloadSoon(250);
    else if (m.type === 'import_progress') {
      const now = Date.now();
      if (m.progress.phase === 'done') this.reloadSoon(0);
      else if (now - this.lastImportReload >= IMPORT_RELOAD_MS) { this.lastImportReload = now; this.reloadSoon(0); }
    }
  }

  /** After a reconnect: what is open is asked again. */
  reset(): void { if (this.open) void this.reload(); }

  private reloadSoon(ms: number): void {
    if (!this.open || this.reloadTimer) return;
    this.reloadTimer = setTimeout(() => { this.reloadTimer = null; void this.reload(); }, ms);
  }

  /** Asks again for every level that is open; extra pages of a day are dropped (its first page comes again). */
  async reload(): Promise<void> {
    if (!this.open) return;
    await this.loadProjects();
    await Promise.all([...this.days.keys()].map(k => {
      const p = this.projects?.find(g => projectKey(g.cwd) === k);
      if (!p) { this.days.delete(k); return undefined; }
      return this.loadDays(p.cwd);
    }));
    await Promise.all([...this.sessions.keys()].map(k => {
      const [pk, day] = k.split('\u0001');
      const cwd = pk === '\u0000' ? null : pk;
      return this.loadPage(cwd, day, true);
    }));
  }

  private toggleRoot(): void {
    this.open = !this.open;
    if (this.open) void this.loadProjects();
    this.changed();
  }

  private toggleProject(cwd: string | null): void {
    const k = projectKey(cwd);
    if (this.days.has(k)) this.days.delete(k);
    else { this.days.set(k, null); void this.loadDays(cwd); }
    this.changed();
  }

  private toggleDay(cwd: string | null, day: string): void {
    const k = dayKey(cwd, day);
    if (this.sessions.has(k)) this.sessions.delete(k);
    else void this.loadPage(cwd, day, true);
    this.changed();
  }

  private async ask<R extends ClientRequest>(msg: R): Promise<AnswerTo<R['type']> | null> {
    try {
      const answer = await this.request(msg);
      this.error = null;
      return answer;
    } catch (e) {
      this.error = (e as Error).message;
      return null;
    } finally {
      this.changed();
    }
  }

  private async loadProjects(): Promise<void> {
    const a = await this.ask({ type: 'list_history_groups', scope: 'history', utcOffsetMinutes: utcOffsetMinutes() });
    if (a) this.projects = a.groups;
  }

  private async loadDays(cwd: string | null): Promise<void> {
    const a = await this.ask({ type: 'list_history_groups', scope: 'history', cwd, utcOffsetMinutes: utcOffsetMinutes() });
    if (a && this.days.has(projectKey(cwd))) this.days.set(projectKey(cwd), a.groups);
  }

  private async loadPage(cwd: string | null, day: string, first: boolean): Promise<void> {
    const k = dayKey(cwd, day);
    const known = this.sessions.get(k);
    if (known?.loading) return;
    const state: DayState = first ? { sessions: known?.sessions ?? [], cursor: null, loading: true } : { ...known!, loading: true };
    this.sessions.set(k, state);
    const a = await this.ask({
      type: 'list_history_sessions', scope: 'history', cwd, day, utcOffsetMinutes: utcOffsetMinutes(), limit: PAGE,
      cursor: first ? undefined : known?.cursor ?? undefined,
    });
    if (this.sessions.get(k) !== state) return; // closed meanwhile
    state.loading = false;
    if (!a) return;
    state.sessions = first ? a.sessions : [...state.sessions, ...a.sessions];
    state.cursor = a.nextCursor;
  }

  render(selected: string | null): HTMLElement {
    const total = this.projects?.reduce((n, g) => n + g.count, 0);
    return h('section', { class: 'history', 'aria-label': 'History' },
      h('h2', {}, h('button', {
        type: 'button', class: 'tree-toggle', id: 'history-toggle', 'aria-expanded': String(this.open), onclick: () => this.toggleRoot(),
      }, h('span', { class: 'twisty' }, this.open ? '▾' : '▸'), 'History'), total !== undefined ? h('span', { class: 'n' }, String(total)) : null),
      this.open ? this.renderProjects(selected) : null);
  }

  private renderProjects(selected: string | null): HTMLElement {
    if (this.error) return h('p', { class: 'muted pad-s', role: 'alert' }, `Could not load History: ${this.error}`);
    if (!this.projects) return h('p', { class: 'muted pad-s' }, 'Loading…');
    if (!this.projects.length) return h('p', { class: 'muted pad-s' }, 'No past sessions yet.');
    return h('ul', { class: 'tree', role: 'tree' }, ...this.projects.map(p => {
      const days = this.days.get(projectKey(p.cwd));
      return h('li', { class: 'project', 'data-cwd': p.cwd ?? '' },
        h('button', { type: 'button', class: 'tree-toggle', title: p.cwd ?? 'Sessions without a folder', 'aria-expanded': String(days !== undefined), onclick: () => this.toggleProject(p.cwd) },
          h('span', { class: 'twisty' }, days !== undefined ? '▾' : '▸'), h('span', { class: 'label' }, p.label), h('span', { class: 'n' }, String(p.count))),
        days === undefined ? null : days === null ? h('p', { class: 'muted pad-s' }, 'Loading…')
          : h('ul', {}, ...days.map(d => this.renderDay(p.cwd, d, selected))));
    }));
  }

  private renderDay(cwd: string | null, d: HistoryGroup, selected: string | null): HTMLElement {
    const day = d.day!;
    const state = this.sessions.get(dayKey(cwd, day));
    return h('li', { class: 'day', 'data-day': day },
      h('button', { type: 'button', class: 'tree-toggle', 'aria-expanded': String(!!state), onclick: () => this.toggleDay(cwd, day) },
        h('span', { class: 'twisty' }, state ? '▾' : '▸'), h('span', { class: 'label' }, dayLabel(day)), h('span', { class: 'n' }, String(d.count))),
      !state ? null : h('ul', {},
        ...state.sessions.map(s => h('li', {}, h('a', {
          class: `row past${s.id === selected ? ' selected' : ''}`, href: `#/s/${encodeURIComponent(s.id)}`, 'data-session': s.id,
        }, h('span', { class: 'row-main' },
          h('span', { class: 'title' }, s.displayName || s.projectName || s.id),
          h('span', { class: 'meta' }, `${PROVIDER_LABELS[s.provider]} · ${TIME_FORMAT.format(new Date(s.lastActivityAt))}`))))),
        state.loading ? h('li', { class: 'muted pad-s' }, 'Loading…') : null,
        state.cursor && !state.loading ? h('li', {}, h('button', { type: 'button', class: 'link more', onclick: () => { void this.loadPage(cwd, day, false); this.changed(); } }, 'Load more')) : null));
  }
}
