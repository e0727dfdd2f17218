// One past session being imported: its state (run through the same reducer as live sessions, with
// the file's own timestamps as the clock), the items read since the last commit, and the patches to
// items of earlier commits. The importer commits it with the file offset in one store batch.
import type { Message, MessagePatch, Provider, Session } from '../protocol';
import { iso, isoCached, parseIsoMs } from '../platform/clock';
import { sha256Hex } from '../platform/sha256';
import type { NewMessage } from '../sessions/engine';
import type { SessionEvent } from '../sessions/events';
import { isHistorySession } from '../sessions/lifecycle';
import { type NewSession, newSession } from '../sessions/model';
import { advance } from '../sessions/reducer';
import type { ImportStore } from './fileReader';
import type { TokenUsageRecord } from '../store/types';

/**
 * A history session's id is derived from its provider id, so importing the same files into another
 * (or a wiped) store gives the same ids. Live sessions keep random ids; a thread known live is reused.
 */
export function historySessionId(provider: Provider, providerSessionId: string): string {
  const h = sha256Hex(`flightdeck-history:${provider}:${providerSessionId}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export class HistorySession {
  /** The state as the lines left it (may look active); this object only, changed in place; persisted through finalized() copies. */
  session: Session;
  /** Items appended or updated since the last commit, by id. */
  private batch = new Map<string, Message>();
  private patches: MessagePatch[] = [];
  /** Created by this import: nothing of it is in the store yet, so no id needs a store lookup. */
  private readonly fresh: boolean;
  private seen = new Set<string>();
  private nextSeq: number;
  /** Clock of the file: the latest line timestamp read (ms). */
  private cur: number;
  /** A session that was not a history session (a past live one): its status and end stay as they are. */
  private readonly keepStatus: boolean;

  /** A created session's start is still the file's mtime: the first line timestamp replaces it. */
  private timeKnown: boolean;

  private constructor(session: Session, private readonly store: ImportStore, fresh: boolean, timeKnown = true) {
    // Its own copy: events change it in place (reducer.advance), and a stored one may be the store's.
    this.session = { ...session };
    this.timeKnown = timeKnown;
    this.fresh = fresh;
    this.nextSeq = fresh ? 0 : store.maxSeq(session.id) + 1;
    this.cur = Date.parse(session.lastActivityAt);
    this.keepStatus = !fresh && !isHistorySession(session);
  }

  /** createdAt: when the file says the session started; else fallbackAt until a line timestamp comes. */
  static create(init: NewSession & { gitBranch?: string | null; fallbackAt: number }, store: ImportStore): HistorySession {
    const { fallbackAt, gitBranch, ...rest } = init;
    const s = newSession(rest, init.createdAt ?? fallbackAt);
    if (gitBranch) s.gitBranch = gitBranch;
    return new HistorySession(s, store, true, init.createdAt !== undefined);
  }

  static resume(stored: Session, store: ImportStore): HistorySession {
    return new HistorySession(stored, store, false);
  }

  private rowWritten = false;

  /**
   * Makes sure the session's row is (queued to be) in the store before rows that reference it
   * (token_usage has a foreign key to sessions): the commit writes the finished state over it.
   */
  ensureRow(reason: string): void {
    if (!this.fresh || this.rowWritten) return;
    this.rowWritten = true;
    this.store.saveSession(this.finalized(reason));
  }

  get id(): string { return this.session.id; }
  /** This import created the session (it was in no store before). */
  get created(): boolean { return this.fresh; }
  get pendingItems(): number { return this.batch.size + this.patches.length; }

  /** Moves the file clock to a line's timestamp (lines without one keep the last). */
  at(timestamp: unknown): void {
    if (typeof timestamp !== 'string') return;
    const ms = parseIsoMs(timestamp);
    if (!Number.isFinite(ms)) return;
    if (!this.timeKnown) {
      this.timeKnown = true;
      this.cur = ms;
      this.session = { ...this.session, createdAt: iso(ms), lastActivityAt: iso(ms) };
    } else if (ms > this.cur) {
      this.cur = ms;
    }
  }

  get now(): number { return this.cur; }
  /** The file clock as iso() writes it (the line's own text when it was in that form: no formatting). */
  get nowIso(): string { return isoCached(this.cur); }

  apply(event: SessionEvent): void {
    advance(this.session, event, this.cur);
  }

  /** Like engine.appendMessage: a known id updates the item; a new user item runs the naming rule. */
  append(m: NewMessage): void {
    if (this.knows(m.id)) {
      // An item keeps the time it was first seen (as engine.appendMessage does).
      const { seq: _s, createdAt: _c, ...patch } = m;
      this.update(patch);
      return;
    }
    // Copied, then the two fields set: a spread that adds fields gave each item a hidden class (map) of
    // its own once V8's clone cache was past its first objects (~700 bytes an item instead of ~160),
    // and every item of the import lives here until its commit (test/unit/history-item-shape.test.ts).
    const message = Object.assign({}, m) as Message;
    message.sessionId = this.session.id;
    message.seq = this.nextSeq++;
    this.batch.set(m.id, message);
    if (this.fresh) this.seen.add(m.id);
    this.session.revision++;
    if (m.kind === 'user') this.apply({ type: 'userPrompt', text: m.text });
  }

  update(patch: MessagePatch): void {
    const queued = this.batch.get(patch.id);
    // In place: the queued item is this session's own copy (append), handed out only by take().
    if (queued) Object.assign(queued, patch);
    else this.patches.push(patch);
    this.session.revision++;
  }

  /** Token usage keys this import recorded for a session it created (nothing of it was stored before). */
  private usageCounted = new Set<string>();

  /**
   * Records a provider message's token usage once; false when it was counted before. A session this
   * import created needs no store lookup for that: every record it has came from this import.
   */
  recordUsage(u: TokenUsageRecord): boolean {
    if (!this.fresh) return this.store.recordTokenUsage(u);
    if (this.usageCounted.has(u.messageKey)) return false;
    this.usageCounted.add(u.messageKey);
    this.store.insertTokenUsage(u);
    return true;
  }

  /** Whether an item with this id exists (this commit, earlier commits, or an earlier run). */
  knows(id: string): boolean {
    if (this.batch.has(id) || this.seen.has(id)) return true;
    return !this.fresh && this.store.hasCommittedMessage(id);
  }

  setMeta(fields: Partial<Pick<Session, 'cwd' | 'gitBranch' | 'model'>>): void {
    const changed = Object.entries(fields).some(([k, v]) => v !== undefined && this.session[k as keyof Session] !== v);
    if (!changed) return;
    if (fields.gitBranch !== undefined) this.session = { ...this.session, gitBranch: fields.gitBranch };
    const { gitBranch: _g, ...rest } = fields;
    if (Object.keys(rest).length) this.apply({ type: 'metadata', ...rest });
  }

  /**
   * The session as stored: ended with the history reason at its last line's time, nothing pending,
   * never needing attention. A past live session keeps its own status and end.
   */
  finalized(reason: string): Session {
    const s = this.session;
    const last = iso(this.timeKnown ? Math.max(this.cur, Date.parse(s.lastActivityAt)) : Date.parse(s.lastActivityAt));
    if (this.keepStatus) return { ...s, lastActivityAt: last };
    return {
      ...s, status: 'ended', workStatus: 'idle', endReason: reason, endedAt: last, lastActivityAt: last,
      pendingApprovals: [], pendingApproval: null, pendingQuestion: null, currentTurnId: null,
    };
  }

  /** Hands out what was read since the last commit and starts the next. */
  take(): { messages: Message[]; patches: MessagePatch[] } {
    const out = { messages: [...this.batch.values()], patches: this.patches };
    this.batch = new Map();
    this.patches = [];
    return out;
  }
}
