// Reading one rollout file into the engine: tail it from its persisted offset, bind it to the
// session of the thread id inside it, map each line and apply the result. Each read commits in one
// transaction (Store.atomic): the items of its lines, the offset after them and the mapper state
// (current turn, open calls). A crash at any point leaves the store at the end of a whole read, so a
// restart re-reads exactly the lines whose items were not committed, and gives them the same ids.
import * as fs from 'node:fs';
import { sha256Hex } from '../../platform/sha256';
import type { FileChange, Session } from '../../protocol';
import type { SessionEngine } from '../../sessions/engine';
import type { LogFn } from '../../platform/log';
import type { SessionEvent } from '../../sessions/events';
import { END_REASONS, LIFECYCLE } from '../../sessions/lifecycle';
import type { SourceOffset, Store } from '../../store/types';
import { codexUsageRecord } from '../../history/usageRecords';
import { type TailPosition, type TailRead, readAppended } from '../../platform/jsonlTail';
import { readFirstLine, threadIdFromFileName } from './rolloutFiles';
import { type MapperState, type RolloutOp, loadMapperState, mapRolloutLine, newMapperState, saveMapperState } from './rolloutMap';
import { RolloutEnvelope, SessionMeta } from './rolloutSchema';

export interface IngestOptions {
  engine: SessionEngine;
  store: Store;
  log: LogFn;
  maxLineBytes: number;
  /** customName for a thread from session_index.jsonl, when a session is created for it. */
  nameFor(threadId: string): string | null;
}

export interface FileTrack {
  path: string;
  fileKey: string;
  pos: TailPosition;
  /** What the store holds for this path (offset + mapping), to write only changes. */
  persisted: string;
  threadId: string | null;
  sessionId: string | null;
  /** The thread belongs to a direct session: its lines are skipped (SPEC §1, kind 1). */
  excluded: boolean;
  mapState: MapperState;
  /** Clock time of the last read that brought new lines. */
  lastLinesAt: number;
  /** This file's first read created its session (it was not known from another file or the store). */
  createdSession: boolean;
}

export interface IngestResult {
  lines: number;
  invalidJson: number;
  invalidPayload: number;
  oversized: number;
  more: boolean;
  missing: boolean;
}

const MAX_ROUNDS = 4;

export class RolloutIngest {
  readonly tracks = new Map<string, FileTrack>();
  /** Totals since start, for diagnostics and tests. */
  readonly totals = { lines: 0, invalidJson: 0, invalidPayload: 0, oversized: 0 };

  constructor(private readonly o: IngestOptions) {}

  /** Whether a file of this size has bytes not read yet (or shrank), for the catch-up sweep. */
  unread(track: FileTrack, size: number): boolean {
    return size !== (track.pos.carry?.scanFrom ?? track.pos.offset);
  }

  forget(path: string): void { this.tracks.delete(path); }

  /** Reads what was appended to the file and applies it. Never throws for bad content. */
  process(path: string): IngestResult {
    const res: IngestResult = { lines: 0, invalidJson: 0, invalidPayload: 0, oversized: 0, more: false, missing: false };
    const known = this.tracks.get(path);
    const stored = known ? undefined : this.o.store.getOffset(path);
    const fresh = !known && !stored;
    const t = known ?? this.load(path, stored);
    if (!t) { res.missing = true; return res; }
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const r = readAppended(path, t.pos, { maxLineBytes: this.o.maxLineBytes });
      if (r.missing) {
        this.o.log(r.notRegular ? 'warn' : 'info', r.notRegular ? `codex: ${r.notRegular}` : `codex: rollout ${path} is gone; its session stays until it times out`);
        this.tracks.delete(path);
        res.missing = true;
        return res;
      }
      if (r.restarted) this.o.log('warn', `codex: rollout ${path} shrank or was replaced; reading it again from the start`);
      for (const o of r.oversized) this.o.log('warn', `codex: skipped a ${o.bytes}-byte line at ${path}:${o.offset} (over the ${this.o.maxLineBytes}-byte cap)`);
      if (r.invalidUtf8) this.o.log('warn', `codex: ${r.invalidUtf8} line(s) of ${path} were not valid UTF-8 (read with replacement characters)`);
      res.oversized += r.oversized.length;
      this.commit(t, r, res);
      if (r.lines.length) t.lastLinesAt = this.o.engine.clock.now();
      res.more = r.more;
      if (!r.more) break;
    }
    if (res.invalidJson || res.invalidPayload) {
      this.o.log('warn', `codex: ${path}: skipped ${res.invalidJson} line(s) that are not JSON and ${res.invalidPayload} with an unexpected shape`);
    }
    if (fresh && t.createdSession) this.endIfLongIdle(t, path);
    this.totals.lines += res.lines;
    this.totals.invalidJson += res.invalidJson;
    this.totals.invalidPayload += res.invalidPayload;
    this.totals.oversized += res.oversized;
    return res;
  }

  // ---- internals ---------------------------------------------------------------------------

  /** Applies one read: its items, the offset after them and the mapper state commit together. */
  private commit(t: FileTrack, r: TailRead, res: IngestResult): void {
    if (!r.lines.length && r.offset === t.pos.offset && !r.restarted) {
      // No whole line (nothing, or a partial one): nothing to store, only the carry moves.
      t.pos = { offset: r.offset, carry: r.carry };
      return;
    }
    try {
      this.o.store.atomic(() => {
        if (r.restarted) t.mapState = newMapperState();
        this.applyLines(t, r.lines, res);
        t.pos = { offset: r.offset, carry: r.carry };
        this.persist(t);
      });
    } catch (e) {
      // Nothing of this read was stored: the next process() reads it again from what was.
      this.tracks.delete(t.path);
      throw e;
    }
  }

  private load(path: string, stored: SourceOffset | undefined): FileTrack | null {
    const t: FileTrack = {
      path, fileKey: fileKeyOf(path),
      pos: { offset: stored?.offset ?? 0 }, persisted: stored ? persistKey(stored.offset, stored.sessionId, stored.providerSessionId, stored.state ?? null) : '',
      threadId: null, sessionId: null, excluded: false, mapState: newMapperState(), lastLinesAt: this.o.engine.clock.now(),
      createdSession: false,
    };
    if (stored && stored.offset > 0) {
      // Lines after the offset carry no session_meta: the thread id comes from the file's first line,
      // which wins over the stored mapping when they disagree (SPEC §2 rebind).
      const first = readFirstLine(path);
      if (first === null && !fs.existsSync(path)) return null;
      const meta = first ? metaOf(first) : null;
      const threadId = meta?.id ?? stored.providerSessionId ?? threadIdFromFileName(path);
      if (stored.providerSessionId && threadId && stored.providerSessionId !== threadId) {
        this.o.log('info', `codex: ${path} holds thread ${threadId}, not ${stored.providerSessionId}: rebinding and reading it again`);
        t.pos = { offset: 0 };
      } else if (threadId) {
        this.bind(t, threadId, meta);
        t.mapState = loadMapperState(stored.state);
      }
    }
    this.tracks.set(path, t);
    return t;
  }

  private applyLines(t: FileTrack, lines: { offset: number; text: string }[], res: IngestResult): void {
    let activityDone = false;
    // Approvals and questions opened in this batch are applied at its end, and only if still open:
    // catching up on history must not raise (and notify) requests that were long answered.
    const opened = new Map<string, SessionEvent>();
    for (const line of lines) {
      res.lines++;
      let raw: unknown;
      try { raw = JSON.parse(line.text); } catch { res.invalidJson++; continue; }
      const env = RolloutEnvelope.safeParse(raw);
      if (!env.success) { res.invalidPayload++; continue; }
      if (env.data.type === 'session_meta') {
        const meta = SessionMeta.safeParse(env.data.payload);
        if (!meta.success) { res.invalidPayload++; continue; }
        this.bind(t, meta.data.id, meta.data);
        continue;
      }
      if (!t.threadId) {
        const fromName = threadIdFromFileName(t.path);
        if (!fromName) { res.invalidPayload++; continue; }
        this.bind(t, fromName, null);
      }
      const session = this.session(t);
      if (!session) continue;
      if (!activityDone) {
        this.o.engine.apply(session.id, { type: 'activity' });
        // The same thread can live in two files (a copy, a fork): the one that moved last is the source.
        if (session.sourcePath !== t.path) this.o.engine.apply(session.id, { type: 'metadata', sourcePath: t.path });
        activityDone = true;
      }
      const mapped = mapRolloutLine(env.data, {
        threadId: t.threadId!, fileKey: t.fileKey, offset: line.offset, now: this.o.engine.clock.now(), state: t.mapState,
        approvalPolicy: session.approvalPolicy, sandboxMode: session.sandboxMode,
      });
      if (mapped.invalid) { res.invalidPayload++; this.o.log('debug', `codex: ${t.path}:${line.offset}: unexpected ${mapped.invalid} payload`); }
      for (const op of mapped.ops) this.applyOp(session.id, op, opened);
    }
    if (t.sessionId && this.o.engine.getSession(t.sessionId)) {
      for (const ev of opened.values()) this.o.engine.apply(t.sessionId, ev);
    }
  }

  /** The passive session the file feeds, or null when its lines are not ours to apply. */
  private session(t: FileTrack): Session | null {
    if (t.excluded || !t.sessionId) return null;
    const s = this.o.engine.getSession(t.sessionId);
    if (!s) return null;
    if (s.mode === 'direct') {
      // Taken over (or started by Flightdeck): the direct connector owns the thread now.
      t.excluded = true;
      return null;
    }
    return s;
  }

  private applyOp(sessionId: string, op: RolloutOp, opened: Map<string, SessionEvent>): void {
    const engine = this.o.engine;
    switch (op.op) {
      case 'usage': {
        const s = engine.requireSession(sessionId);
        this.o.store.recordTokenUsage(codexUsageRecord(sessionId, s.model, op.tokens, op.at));
        return;
      }
      case 'upsert': engine.appendMessage(sessionId, op.message); return;
      case 'patch': engine.updateMessage(sessionId, op.patch); return;
      case 'turnChanges': engine.apply(sessionId, { type: 'turnDiff', changes: mergeChanges(engine.requireSession(sessionId).turnDiff, op.changes) }); return;
      case 'meta': return;
      case 'event': {
        const ev = op.event;
        if (ev.type === 'approvalRequested') { opened.set(`a:${ev.approval.approvalId}`, ev); return; }
        if (ev.type === 'questionAsked') { opened.set(`q:${ev.question.questionId}`, ev); return; }
        if (ev.type === 'approvalCleared' && ev.approvalId && opened.delete(`a:${ev.approvalId}`)) return;
        if (ev.type === 'questionAnswered' && ev.questionId && opened.delete(`q:${ev.questionId}`)) return;
        if (ev.type === 'turnCompleted') opened.clear();
        engine.apply(sessionId, ev);
      }
    }
  }

  /** Points the file at the session of this thread, creating a passive session when there is none. */
  private bind(t: FileTrack, threadId: string, meta: SessionMeta | null): void {
    const engine = this.o.engine;
    if (t.threadId && t.threadId !== threadId) this.o.log('info', `codex: ${t.path} now holds thread ${threadId} (was ${t.threadId}): rebinding`);
    t.threadId = threadId;
    const existing = engine.findByProviderId('codex', threadId);
    if (existing?.mode === 'direct') {
      t.sessionId = existing.id;
      t.excluded = true;
      return;
    }
    t.excluded = false;
    if (existing) {
      t.sessionId = existing.id;
      const fix: { sourcePath?: string; cwd?: string } = {};
      if (existing.sourcePath !== t.path) fix.sourcePath = t.path;
      if (!existing.cwd && meta?.cwd) fix.cwd = meta.cwd;
      if (Object.keys(fix).length) engine.apply(existing.id, { type: 'metadata', ...fix });
      return;
    }
    const started = meta?.timestamp ? Date.parse(meta.timestamp) : NaN;
    const created = engine.createSession({
      provider: 'codex', mode: 'passive', providerSessionId: threadId, cwd: meta?.cwd ?? null, sourcePath: t.path,
      customName: this.o.nameFor(threadId), createdAt: Number.isFinite(started) ? started : undefined,
    });
    t.sessionId = created.id;
    t.createdSession = true;
    this.o.log('info', `codex: watching ${threadId} (${t.path})`);
  }

  private persist(t: FileTrack): void {
    const state = saveMapperState(t.mapState);
    const key = persistKey(t.pos.offset, t.sessionId, t.threadId, state);
    if (!t.threadId || key === t.persisted) return;
    this.o.store.setOffset({ path: t.path, sessionId: t.sessionId, providerSessionId: t.threadId, offset: t.pos.offset, state });
    t.persisted = key;
  }

  /**
   * A new session from a file seen for the first time whose last write is older than the inactivity
   * timeout: it would have timed out had we been watching, so it ends now instead of looking live.
   */
  private endIfLongIdle(t: FileTrack, path: string): void {
    if (!t.sessionId || t.excluded) return;
    let mtime: number;
    try { mtime = fs.statSync(path).mtimeMs; } catch { return; }
    const s = this.o.engine.getSession(t.sessionId);
    if (!s || s.status !== 'active' || s.pendingApprovals.length || s.pendingQuestion) return;
    if (this.o.engine.clock.now() - mtime > LIFECYCLE.passiveInactivityMs) {
      this.o.engine.apply(s.id, { type: 'ended', reason: END_REASONS.timeout });
    }
  }
}

/** Short stable key of a rollout path: ids of lines without a turn include it (the history import uses the same). */
export function fileKeyOf(path: string): string {
  return sha256Hex(path).slice(0, 12);
}

function persistKey(offset: number, sessionId: string | null, threadId: string | null, state: string | null): string {
  return `${offset}|${sessionId}|${threadId}|${state}`;
}

function metaOf(firstLine: string): SessionMeta | null {
  try {
    const env = RolloutEnvelope.safeParse(JSON.parse(firstLine));
    if (!env.success || env.data.type !== 'session_meta') return null;
    const meta = SessionMeta.safeParse(env.data.payload);
    return meta.success ? meta.data : null;
  } catch {
    return null;
  }
}

/** The turn's diff so far with these changes on top (one entry per path, the latest wins). */
function mergeChanges(current: FileChange[], next: FileChange[]): FileChange[] {
  const paths = new Set(next.map(c => c.path));
  return [...current.filter(c => !paths.has(c.path)), ...next];
}
