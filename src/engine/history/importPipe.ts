// The history import on two threads (issue 14): the import thread reads and maps files while a second
// thread (importWriter.ts) writes what it mapped. Writing SQLite alone — statements, commits,
// checkpoints, the search index — took as long as 2.5× reading and parsing the files, so one thread
// doing both could not come near the floor; two overlap them.
//
// The import thread sees the store through PipedImportStore:
// - each outermost atomic() is one unit (a slice's items, sessions and token usage with the file
//   offset they reach), sent whole to the writer, which commits units whole — several per transaction,
//   so a kill still leaves every file at a unit boundary and the next import goes on from there;
// - reads answer from what was sent and not yet committed (the overlay) before asking the database
//   through the thread's own connection, so the mapping sees its own writes as it did on one thread;
// - the writer says when it has written a unit into its open transaction (`written`: the unit's payload
//   is no longer held anywhere but SQLite's pages) and acknowledges units after their commit (`ack`: the
//   overlay forgets them, the database has them now); the import waits while more than the window's
//   characters are unwritten or more than its items uncommitted, which bounds both threads' memory.
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import * as path from 'node:path';
import type { MessagePatch, Session } from '../protocol';
import type { LogFn, LogLevel } from '../platform/log';
import type { DriverName } from '../store/driver';
import { messageRow } from '../store/sqliteStore';
import { isJsonText } from '../platform/jsonText';
import { unpretenuredArray } from '../platform/objects';
import type { ImportBatch, MessageRow, Store, TokenUsageRecord } from '../store/types';
import { FatalImportError, type ImportStore } from './fileReader';
import type { WriteBehind } from './importer';

export type UnitOp =
  | { op: 'session'; session: Session }
  | { op: 'usage'; usage: TokenUsageRecord }
  | { op: 'batch'; batch: ImportBatch };

/** What one outermost atomic() of the import wrote, in order. */
export interface ImportUnit {
  seq: number;
  /** The file it came from: a unit the writer cannot store drops the file's later units too. */
  path: string | null;
  ops: UnitOp[];
}

export interface ImportWriterData {
  file: string;
  driver: DriverName;
  gate: SharedArrayBuffer;
  /** Usage rows written before the usage index by message key may be dropped (store/usageKeyIndex.ts; tests use a few). */
  usageKeyIndexDeferRows?: number;
}

/** The writing thread's workerData: the store, and its end of the channel to the import thread. */
export interface WriterThreadData extends ImportWriterData {
  port: MessagePort;
}

export type ToImportWriter = { type: 'unit'; unit: ImportUnit } | { type: 'end' };
export type FromImportWriter =
  /** Units up to `seq` are committed (or were reported not stored). */
  | { type: 'ack'; seq: number }
  /** Units up to `seq` are written into the open transaction (or passed over): the writer holds no more of them. */
  | { type: 'written'; seq: number }
  | { type: 'notStored'; path: string | null; error: string }
  | { type: 'log'; level: LogLevel; message: string }
  | { type: 'ended' }
  | { type: 'failed'; error: string };

export const PIPE_DEFAULTS = {
  /**
   * Items sent and not yet committed, and characters of what the units carry (batchPayload, and fixed
   * shares for sessions and usage records) sent and not yet written, before the import waits. The items
   * bound the overlay (a few keys each); the characters bound the memory the units take on their way
   * (serialized, then in the writer's heap until written).
   *
   * The characters used to wait for the commit too: on few large messages the window then filled well
   * within a 50 ms transaction and the import thread stood still until the commit while the writer,
   * its units written, had nothing to do — each thread idle ~1.2 s of the 4.8 s Claude half of 1 GB
   * (schedstat). Freed at `written`, 6 MB took that to ~4.0 s but the whole 1 GB import's peak to
   * 149–157 MiB (the window is now full most of the time); 3 MB: ~4.2 s and 144–147 MiB, as before.
   *
   * Counting only the items' text let units of large tool outputs (their output is in `data`) pile up
   * — 1 GB of few large messages peaked at 180 MiB. They used to be the bytes of the files' lines,
   * which for short messages are mostly metadata no unit carries (~6,800 items of ~1.2 KB lines filled
   * 8 MB): the threads then waited on each other. The Claude half of 1 GB of short messages took 13.2 s
   * that way, 11.3 s with this window (paired; flat from 10,000 to 16,000 items, and 12,000 keeps the
   * whole 1 GB import at ~144 MiB where 16,000 took it to 148). Short messages carry ~400 characters
   * per item, so the items bind there.
   */
  windowItems: 12_000,
  windowBytes: 3 * 1024 * 1024,
  /**
   * The writing thread's heap: it holds one unit at a time (written on arrival), so a small young
   * generation collects each unit cheaply; a unit bigger than the bound (a line near the 8 MiB cap)
   * ends the thread, and the import thread goes on writing by itself from the last commit.
   */
  writerYoungMb: 1,
  writerOldMb: 16,
  /**
   * SQLite page caches (SQLite's default is 2,000 KiB each). The writer's is the process's largest
   * single cost beside the heaps: 1,500 KiB took ~12 MiB off the peak of a 100 MB import for no
   * measurable time; the import thread's connection only looks rows up.
   */
  writerCacheKiB: 1_500,
  readerCacheKiB: 512,
} as const;

/** Next to this file: dist/importWriter.js in the bundles, out/src/engine/history/importWriter.js in tests. */
export const IMPORT_WRITER_FILE = path.join(__dirname, 'importWriter.js');

/** The writing thread, from the import thread's side. */
export class WriterLink {
  /** Units sent and not acknowledged yet, oldest first. */
  private inFlight: { seq: number; items: number; bytes: number; forget: () => void }[] = [];
  /** How many units at the head of inFlight the writer has written (their characters no longer count). */
  private writtenUnits = 0;
  /** Items of the units in flight. */
  private items = 0;
  /** Characters of the units in flight not written yet. */
  private bytes = 0;
  /** room()'s waits: woken once the window has room again (or the writer failed). */
  private roomWaiters: (() => void)[] = [];
  /** drain()'s waits: woken at every acknowledgement. */
  private ackWaiters: (() => void)[] = [];
  private notStoredFiles = new Set<string | null>();
  private failure: Error | null = null;
  private endSent = false;

  private constructor(private readonly port: MessagePort, private readonly log: LogFn, private readonly ended: Promise<void>) {}

  /**
   * The import thread's side of the channel to the writing thread (startWriterThread). Nothing waits
   * for the writer to be ready: units sent before it has opened its store wait in the channel, and a
   * writer that cannot start fails the import's next send with FatalImportError (the import thread
   * then writes by itself).
   */
  static over(port: MessagePort, log: LogFn): WriterLink {
    let endResolve!: () => void;
    let ended = false;
    const link = new WriterLink(port, log, new Promise<void>(res => { endResolve = () => { ended = true; res(); }; }));
    const fail = (e: Error) => { link.fail(e); endResolve(); };
    port.on('message', (m: FromImportWriter) => {
      if (m.type === 'written') link.onWritten(m.seq);
      else if (m.type === 'ack') link.onAck(m.seq);
      else if (m.type === 'notStored') link.onNotStored(m.path, m.error);
      else if (m.type === 'log') log(m.level, m.message);
      else if (m.type === 'ended') endResolve();
      else if (m.type === 'failed') fail(new Error(`the history writer thread failed: ${m.error}`));
    });
    // The writer's thread ended (out of its heap, killed) before its last word: its end of the channel closed.
    port.on('close', () => { if (!ended) fail(new Error('the history writer thread ended before the import did')); });
    return link;
  }

  send(unit: ImportUnit, items: number, bytes: number, forget: () => void): void {
    if (this.failure) throw this.failure;
    this.port.postMessage({ type: 'unit', unit } satisfies ToImportWriter);
    this.inFlight.push({ seq: unit.seq, items, bytes, forget });
    this.items += items;
    this.bytes += bytes;
  }

  room(): Promise<void> | null {
    if (this.failure) return Promise.reject(this.failure);
    if (!this.full()) return null;
    return new Promise<void>((resolve, reject) => this.roomWaiters.push(() => (this.failure ? reject(this.failure) : resolve())));
  }

  /**
   * Waits for everything sent to be committed, then for the writer's last steps (the search index
   * complete, a checkpoint, its connection closed): the import is done when this resolves. The end
   * goes out first, right behind the last unit: the writer then commits at once, where waiting for
   * its acknowledgement first left it idle until its transaction's timer (up to 50 ms of every import).
   */
  async drain(): Promise<{ notStored: number }> {
    this.sendEnd();
    while (this.inFlight.length && !this.failure) await new Promise<void>(r => this.ackWaiters.push(r));
    if (this.failure) throw this.failure;
    await this.finish();
    if (this.failure) throw this.failure;
    return { notStored: this.notStoredFiles.size };
  }

  /** Ends the writer after what was sent (whatever happened: drain() is the way to learn the outcome); the closed channel ends its thread. */
  async close(): Promise<void> {
    await this.finish();
    this.port.close();
  }

  private async finish(): Promise<void> {
    this.sendEnd();
    await this.ended;
  }

  private sendEnd(): void {
    if (this.endSent || this.failure) return;
    this.endSent = true;
    this.port.postMessage({ type: 'end' } satisfies ToImportWriter);
  }

  private full(): boolean {
    return this.inFlight.length > 0 && (this.items > PIPE_DEFAULTS.windowItems || this.bytes > PIPE_DEFAULTS.windowBytes);
  }

  private onWritten(seq: number): void {
    const before = this.bytes;
    while (this.writtenUnits < this.inFlight.length && this.inFlight[this.writtenUnits].seq <= seq) this.bytes -= this.inFlight[this.writtenUnits++].bytes;
    if (this.bytes !== before) this.wakeRoom();
  }

  private onAck(seq: number): void {
    while (this.inFlight.length && this.inFlight[0].seq <= seq) {
      const u = this.inFlight.shift()!;
      this.items -= u.items;
      if (this.writtenUnits > 0) this.writtenUnits--;
      else this.bytes -= u.bytes; // committed without a `written` first (a unit passed over)
      u.forget();
    }
    this.wakeRoom();
    this.wakeAcks();
  }

  private onNotStored(file: string | null, error: string): void {
    if (!this.notStoredFiles.has(file)) this.log('warn', `history: ${file ?? 'a batch'} could not be stored (read again by the next import from its last commit): ${error}`);
    this.notStoredFiles.add(file);
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = new FatalImportError(e.message);
    this.wakeRoom();
    this.wakeAcks();
  }

  /** `written` and `ack` come several times per window: the import goes on only once it has room. */
  private wakeRoom(): void {
    if (!this.failure && this.full()) return;
    const ws = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of ws) w();
  }

  private wakeAcks(): void {
    const ws = this.ackWaiters;
    this.ackWaiters = [];
    for (const w of ws) w();
  }
}

/** The unit being filled, with the overlay keys it set (so its ack, or its rollback, forgets exactly them). */
interface OpenUnit {
  seq: number;
  ops: UnitOp[];
  items: number;
  /** Characters of what the unit carries (batchPayload, and fixed shares for sessions and usage records). */
  bytes: number;
  /** The token usage records it holds (their keys are the usage overlay's: IdOverlay). */
  usage: TokenUsageRecord[];
  messages: string[];
  sessions: Session[];
  /** Sessions whose highest seq this unit raised. */
  seqs: string[];
}

/**
 * The import thread's store while another thread writes: writes become units sent to the writer,
 * reads see those units until the writer has committed them. Only the import's own calls are served.
 */
export class PipedImportStore implements ImportStore {
  private seq = 0;
  private depth = 0;
  private unit: OpenUnit | null = null;
  /** Overlay: what sent units wrote, each entry with the seq of the last unit that wrote it. */
  private readonly sessions = new Map<string, { seq: number; session: Session }>();
  private readonly byProvider = new Map<string, { seq: number; id: string }>();
  private readonly maxSeqs = new Map<string, { seq: number; max: number }>();
  private readonly messages = new IdOverlay<string>(u => u.messages, id => id);
  private readonly usage = new IdOverlay<TokenUsageRecord>(u => u.usage, r => usageKey(r.sessionId, r.messageKey));
  /** Units sent and not acknowledged yet, oldest first. */
  private readonly inFlight: OpenUnit[] = [];
  /** Units whose writes the overlay answers for: those in flight, then the one being filled. */
  private readonly pending = (): readonly OpenUnit[] => (this.unit ? [...this.inFlight, this.unit] : this.inFlight);
  /** The file whose lines the current unit holds (importer: set before each file). */
  currentPath: string | null = null;

  constructor(private readonly read: Store, private readonly link: Pick<WriterLink, 'send'>) {}

  listOffsets() {
    return this.read.listOffsets();
  }
  getSession(id: string): Session | undefined {
    return this.sessions.get(id)?.session ?? this.read.getSession(id);
  }
  findSessionByProviderId(provider: string, providerSessionId: string): Session | undefined {
    const sent = this.byProvider.get(providerKey(provider, providerSessionId));
    const s = sent && this.sessions.get(sent.id)?.session;
    return s ?? this.read.findSessionByProviderId(provider, providerSessionId);
  }
  maxSeq(sessionId: string): number {
    const sent = this.maxSeqs.get(sessionId)?.max ?? -1;
    return Math.max(sent, this.read.maxSeq(sessionId));
  }
  hasCommittedMessage(id: string): boolean {
    return this.messages.has(id, this.pending) || this.read.hasCommittedMessage(id);
  }
  hasTokenUsage(sessionId: string, messageKey: string): boolean {
    return this.usage.has(usageKey(sessionId, messageKey), this.pending) || this.read.hasTokenUsage(sessionId, messageKey);
  }

  recordTokenUsage(u: TokenUsageRecord): boolean {
    if (this.hasTokenUsage(u.sessionId, u.messageKey)) return false;
    this.insertTokenUsage(u);
    return true;
  }
  insertTokenUsage(u: TokenUsageRecord): void {
    const unit = this.open();
    unit.ops.push({ op: 'usage', usage: u });
    unit.bytes += USAGE_PAYLOAD;
    unit.usage.push(u);
    this.usage.add(u, unit.seq);
    this.closeImplicit(unit);
  }
  saveSession(session: Session): void {
    const unit = this.open();
    unit.ops.push({ op: 'session', session });
    unit.bytes += SESSION_PAYLOAD;
    this.rememberSession(session, unit);
    this.closeImplicit(unit);
  }
  saveImportBatch(batch: ImportBatch): void {
    const unit = this.open();
    // In column form: the writer, the busier thread, then only binds them (and the unit is cheaper to copy).
    const rows = batch.rows?.length ? [...batch.rows, ...batch.messages.map(messageRow)] : batch.messages.map(messageRow);
    unit.ops.push({ op: 'batch', batch: { ...batch, messages: [], rows } });
    for (const s of batch.sessions) this.rememberSession(s, unit);
    // The highest seq of each run of one session's rows (a batch is mostly one session's).
    let runSession: string | null = null;
    let runMax = -1;
    for (const [id, sessionId, seq] of rows) {
      unit.messages.push(id);
      this.messages.add(id, unit.seq);
      if (sessionId !== runSession) {
        if (runSession !== null) this.raiseMaxSeq(runSession, runMax, unit);
        runSession = sessionId;
        runMax = seq;
      } else if (seq > runMax) {
        runMax = seq;
      }
    }
    if (runSession !== null) this.raiseMaxSeq(runSession, runMax, unit);
    unit.items += rows.length + batch.patches.length;
    unit.bytes += batchPayload(rows, batch.patches) + batch.sessions.length * SESSION_PAYLOAD;
    this.closeImplicit(unit);
  }

  /** A unit: sent whole when the outermost call returns, forgotten when it throws (the import rolls the slice back). */
  atomic<T>(fn: () => T): T {
    if (this.depth++ > 0) {
      try { return fn(); } finally { this.depth--; }
    }
    const unit = this.unit = newUnit(++this.seq);
    try {
      const result = fn();
      this.send(unit);
      return result;
    } catch (e) {
      this.forget(unit, false);
      throw e;
    } finally {
      this.unit = null;
      this.depth--;
    }
  }

  // The writer decides transactions, runs checkpoints and fills the search index (importWriter.ts).
  beginGroup(): void {}
  commitGroup(): void {}
  beginBulkWrite(): void {}
  fillSearchIndex(): boolean { return false; }
  endBulkWrite(): void {}
  pauseAutoCheckpoint(): () => void { return () => {}; }
  checkpointWal(): void {}

  /** The unit of the atomic() under way, or one of its own for a write outside atomic(). */
  private open(): OpenUnit {
    return this.unit ?? newUnit(++this.seq);
  }

  private closeImplicit(unit: OpenUnit): void {
    if (unit !== this.unit) this.send(unit);
  }

  /** A high-water mark, kept through a rollback: a gap in seq is harmless, a seq given twice is not. */
  private raiseMaxSeq(sessionId: string, max: number, unit: OpenUnit): void {
    const cur = this.maxSeqs.get(sessionId);
    if (cur && max <= cur.max) return;
    if (cur?.seq !== unit.seq) unit.seqs.push(sessionId);
    this.maxSeqs.set(sessionId, { seq: unit.seq, max });
  }

  private send(unit: OpenUnit): void {
    if (!unit.ops.length) return;
    this.inFlight.push(unit);
    this.link.send({ seq: unit.seq, path: this.currentPath, ops: unit.ops }, unit.items, unit.bytes, () => this.forget(unit, true));
    // The writer has its copy: the items need not live here until the ack (they would be promoted to
    // the old generation, and collected there at several times the cost).
    unit.ops = unpretenuredArray();
  }

  /** The unit is in the database (acked) or will never be (rolled back): its overlay entries go. */
  private forget(unit: OpenUnit, acked: boolean): void {
    const seq = unit.seq;
    // Acknowledged in order, so it is at the head (a rolled-back unit was never sent).
    if (acked) {
      const at = this.inFlight.indexOf(unit);
      if (at >= 0) this.inFlight.splice(at, 1);
    }
    this.usage.forget(unit, acked);
    this.messages.forget(unit, acked);
    for (const s of unit.sessions) {
      if (this.sessions.get(s.id)?.seq === seq) this.sessions.delete(s.id);
      const key = providerKey(s.provider, s.providerSessionId ?? '');
      if (this.byProvider.get(key)?.seq === seq) this.byProvider.delete(key);
    }
    if (acked) for (const id of unit.seqs) if (this.maxSeqs.get(id)?.seq === seq) this.maxSeqs.delete(id);
  }

  private rememberSession(session: Session, unit: OpenUnit): void {
    this.sessions.set(session.id, { seq: unit.seq, session });
    unit.sessions.push(session);
    if (session.providerSessionId) this.byProvider.set(providerKey(session.provider, session.providerSessionId), { seq: unit.seq, id: session.id });
  }
}

/** A session's share of a unit's payload: its JSON is ~1 KB (an estimate: measuring each would cost a stringify). */
const SESSION_PAYLOAD = 2_048;
/** A token usage record: keys, model, counts. */
const USAGE_PAYLOAD = 160;
/** The columns of a row besides its id, text and data (seq, kind, times, session id). */
const ROW_OVERHEAD = 96;

/** Characters a batch's rows and patches carry: what their units hold on their way to the writer. */
function batchPayload(rows: readonly MessageRow[], patches: readonly MessagePatch[]): number {
  let n = 0;
  for (const r of rows) n += r[0].length + r[4].length + (typeof r[6] === 'string' ? r[6].length : r[6].byteLength) + ROW_OVERHEAD;
  // A tool result whose call was committed by an earlier slice: they carry outputs (perhaps as JSON text).
  for (const p of patches) n += patchPayload(p);
  return n;
}

function patchPayload(p: MessagePatch): number {
  let n = ROW_OVERHEAD;
  for (const k in p) {
    const v = (p as Record<string, unknown>)[k];
    n += typeof v === 'string' ? v.length : typeof v === 'object' && v !== null && isJsonText(v) ? v.byteLength : 16;
  }
  return n;
}

/** Its arrays live for the unit's slice or until its ack: made so that V8 never pretenures them (unpretenuredArray). */
function newUnit(seq: number): OpenUnit {
  return {
    seq, ops: unpretenuredArray(), items: 0, bytes: 0, usage: unpretenuredArray(), messages: unpretenuredArray(),
    sessions: unpretenuredArray(), seqs: unpretenuredArray(),
  };
}

function usageKey(sessionId: string, messageKey: string): string {
  return `${sessionId}\n${messageKey}`;
}

/**
 * The overlay's item ids (or usage keys) of units in flight, kept only once someone asks. Only a
 * session read again — resumed from an earlier import, or a second file of one thread — asks whether
 * an item is stored; a first import never does, and keeping a Map of the ~6,000 ids in flight cost it a
 * set and a delete per row plus the Map's table, rebuilt every few thousand rows as the oldest ids left
 * (~300 KB in the large-object space each time, collected only by full collections).
 */
class IdOverlay<T> {
  /** Key → the seq of the last unit that holds it; null until the first question. */
  private keys: Map<string, number> | null = null;

  constructor(private readonly entries: (u: OpenUnit) => T[], private readonly keyOf: (entry: T) => string) {}

  add(entry: T, seq: number): void {
    this.keys?.set(this.keyOf(entry), seq);
  }

  /** `units`: those that may hold keys — in flight, oldest first, then the one being filled. */
  has(key: string, units: () => readonly OpenUnit[]): boolean {
    if (!this.keys) {
      const keys = new Map<string, number>();
      for (const u of units()) for (const e of this.entries(u)) keys.set(this.keyOf(e), u.seq);
      if (!keys.size) return false;
      this.keys = keys;
    }
    return this.keys.has(key);
  }

  /**
   * The unit is stored (acked: its keys go, unless a later unit holds them too) or never will be
   * (rolled back: it may have taken over a key an earlier unit in flight holds, so the keys are
   * gathered again at the next question). The Map goes once empty.
   */
  forget(unit: OpenUnit, acked: boolean): void {
    if (!this.keys) return;
    if (!acked) { this.keys = null; return; }
    for (const e of this.entries(unit)) {
      const k = this.keyOf(e);
      if (this.keys.get(k) === unit.seq) this.keys.delete(k);
    }
    if (this.keys.size === 0) this.keys = null;
  }
}

function providerKey(provider: string, providerSessionId: string): string {
  return `${provider}\n${providerSessionId}`;
}

/** The import thread's side of the pipe: the store the importer maps into and its write-behind hooks. */
export interface ImportPipe {
  store: PipedImportStore;
  writeBehind: WriteBehind;
  /** Ends the writing thread after what was sent (call drain first to wait for it with its outcome). */
  close(): Promise<void>;
}

/** The writing thread and the import thread's end of the channel to it (transfer `port` to that thread). */
export interface WriterThread {
  worker: Worker;
  port: MessagePort;
}

/**
 * Starts the writing thread for a database file. The import thread's starter starts it at the same
 * time as the import thread, so the two start up side by side: started by the import thread, after
 * its own start, it held the import's first units back by its whole start-up (~0.1 s of every import).
 */
export function startWriterThread(data: ImportWriterData, log: LogFn, file = IMPORT_WRITER_FILE): WriterThread {
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(file, {
    workerData: { ...data, port: port1 } satisfies WriterThreadData, transferList: [port1], name: 'flightdeck-history-writer',
    resourceLimits: { maxYoungGenerationSizeMb: PIPE_DEFAULTS.writerYoungMb, maxOldGenerationSizeMb: PIPE_DEFAULTS.writerOldMb },
  });
  // The import thread learns of the end from the channel; the reason is only seen here.
  worker.on('error', e => log('warn', `history: the writing thread failed: ${e.message}`));
  worker.on('exit', code => { if (code !== 0) log('warn', `history: the writing thread ended (exit code ${code})`); });
  return { worker, port: port2 };
}

/** The import thread's side of the pipe over its channel to the writing thread; `read` answers the import thread's reads. */
export function openImportPipe(read: Store, port: MessagePort, log: LogFn): ImportPipe {
  const link = WriterLink.over(port, log);
  const store = new PipedImportStore(read, link);
  return {
    store,
    writeBehind: {
      room: () => link.room(),
      drain: () => link.drain(),
      file: p => { store.currentPath = p; },
    },
    close: () => link.close(),
  };
}
