// What the engine needs from persistence. One implementation (sqliteStore) over the Db interface.
import type { HistoryGroup, HistoryScope, Message, MessagePatch, SearchFilters, SearchHit, Session } from '../protocol';
import type { HistoryPageQuery } from './history';
import type { BackgroundCheckpointOptions, BackgroundCheckpoints } from './backgroundCheckpoints';

export interface SourceOffset {
  path: string;
  sessionId: string | null;
  providerSessionId: string | null;
  offset: number;
  /**
   * What the reader of the file needs, besides the offset, to give the lines after it the same ids
   * as before a crash (JSON; its shape is the reader's). Absent: keep what is stored.
   */
  state?: string | null;
}

/** Token usage of one provider message, counted once per (session, message key) across restarts and re-reads. */
export interface TokenUsageRecord {
  sessionId: string;
  /**
   * Claude: the API message id (`msg_…`), shared by every line of that message (the usage report
   * also counts it once across sessions: a fork repeats its parent's messages). Codex:
   * `codex:<cumulative total>` of a token record, so a repeated record is one.
   */
  messageKey: string;
  model: string | null;
  /** Input neither read from nor written to the prompt cache. */
  input: number;
  output: number;
  cacheRead: number;
  cacheCreation: number;
  /** Reasoning tokens (Codex), already part of `output`. */
  reasoning?: number;
  /** ISO time of the message, when known. */
  at: string | null;
}

export type UsageBucketBy = 'hour' | 'project' | 'model' | 'session';

/** Token sums of the records in one group and one model (cost is priced per model). */
export interface UsageBucket {
  /** The hour (`YYYY-MM-DDTHH`, UTC), the cwd, the model or the session id; null when unknown. */
  key: string | null;
  model: string | null;
  records: number;
  input: number;
  cacheCreation: number;
  cacheRead: number;
  output: number;
  reasoning: number;
  /** Latest record time in the group (ISO). */
  lastAt: string;
}

/**
 * What one step of a history import writes: the sessions it touched, its new items, patches to items
 * of earlier steps, the file offsets it reached and small state (kv). Committed in one transaction,
 * so an offset never runs ahead of (or behind) the items read before it.
 */
/**
 * A message as the messages table stores it: id, session_id, seq, kind, text, created_at, data (JSON of
 * the other fields; as UTF-8 bytes when a field was JSON text, platform/jsonText.ts — stored as text).
 */
export type MessageRow = [id: string, sessionId: string, seq: number, kind: string, text: string, createdAt: string, data: string | Uint8Array];

export interface ImportBatch {
  sessions: Session[];
  /** Inserted, or merged into the stored item when the id exists (a line read twice). */
  messages: Message[];
  /**
   * More messages, already in column form (messageRow): the history import's mapping thread makes
   * them, so its writing thread — the slower of the two — only binds them. Written after `messages`.
   */
  rows?: MessageRow[];
  patches: MessagePatch[];
  offsets: SourceOffset[];
  kv: [string, string][];
}

export interface Store {
  readonly driver: string;
  readonly ftsAvailable: boolean;
  /** The database file (absolute), or null for an in-memory store. */
  readonly file: string | null;
  /** The flags a bulk writer on another thread opens its own store with (OpenStoreOptions.bulkWriterGate). */
  readonly writeGate: SharedArrayBuffer;
  /** Goes on with the background search-index build (after a bulk writer on another connection ended). */
  resumeSearchIndex(): void;
  /**
   * While the search index of rows stored before it existed is built in the background (after an
   * upgrade): how much is indexed, 0–99; search then finds only the indexed rows. Undefined when complete.
   */
  searchIndexPercent(): number | undefined;
  /**
   * A bulk writer (the history import) starts: rows written from now on are left out of the search
   * index until fillSearchIndex indexes them in batches (much cheaper than one trigger per row).
   * A bulk write that adds many usage rows also drops their index by message key until it ends
   * (usageKeyIndex.ts). Pair with endBulkWrite; a crash in between is repaired at the next open.
   */
  beginBulkWrite(): void;
  /** Indexes up to `rows` of the rows left out; true while some are left. */
  fillSearchIndex(rows: number): boolean;
  /** The bulk writer is done: what is left is indexed in the background (slices on the clock), a dropped usage index built again. */
  endBulkWrite(): void;
  loadRecentSessions(limit: number): Session[];
  getSession(id: string): Session | undefined;
  findSessionByProviderId(provider: string, providerSessionId: string): Session | undefined;
  saveSession(session: Session): void;
  /** Removes the session and (cascade) its messages and their FTS rows. Queued like every write. */
  deleteSession(id: string): void;
  saveMessage(message: Message): void;
  patchMessage(patch: MessagePatch): void;
  getMessage(id: string): Message | undefined;
  /** Whether a message with this id was committed (queued writes are not seen: the engine tracks those). */
  hasCommittedMessage(id: string): boolean;
  /** Messages of a session in seq order: the `limit` before `beforeSeq` (or the latest). */
  getMessages(sessionId: string, opts?: { beforeSeq?: number; limit?: number }): Message[];
  maxSeq(sessionId: string): number;
  countMessages(sessionId: string): number;
  /** Newest hits first, with their session's name, agent and project. */
  search(query: string, limit: number, filters?: SearchFilters): SearchHit[];
  /** Projects of past sessions (cwd undefined) or the days of one project, with counts. */
  historyGroups(q: { cwd?: string | null; scope?: HistoryScope; utcOffsetMinutes?: number }): HistoryGroup[];
  historySessions(q: HistoryPageQuery): { sessions: Session[]; nextCursor: string | null };
  /** Ended sessions last active before the cutoff, oldest first (retention). */
  endedBefore(cutoffIso: string, limit: number): string[];
  getOffset(path: string): SourceOffset | undefined;
  /** Queued like every write; call it inside atomic() with the writes of the lines it covers. */
  setOffset(o: SourceOffset): void;
  listOffsets(): SourceOffset[];
  /**
   * Runs fn so that every write queued before and during it commits in ONE transaction, or none
   * does (a crash or a throw). Readers of files call it per read: the items of the lines and the
   * offset (+ reader state) after them land together, so a restart re-reads exactly the lines
   * whose items were not committed. Nests (inner calls join the outer transaction).
   */
  atomic<T>(fn: () => T): T;
  /**
   * Bulk writers (the history import): one transaction around the atomic() calls until commitGroup(),
   * each of them a savepoint in it, so many small files cost one commit. Between the two the caller
   * must not yield to the event loop (other writes of this connection would join the transaction)
   * and must stay brief (the engine's thread may be waiting for it at the write gate).
   */
  beginGroup(): void;
  /** Commits the group's transaction (a failed commit rolls it back and throws). */
  commitGroup(): void;
  /** Rolls the group's transaction back with what it queued (nothing open: nothing to do). */
  rollbackGroup(): void;
  /**
   * Bulk writers: this connection stops checkpointing the WAL inside its commits until the returned
   * function runs (calls nest). The import checkpoints by itself between its transactions instead
   * (checkpointWal), and the engine's connection pauses too while an import thread writes, so neither
   * copies the import's pages into the database on its event loop or behind the write gate.
   */
  pauseAutoCheckpoint(): () => void;
  /** The WAL pages after which this connection checkpoints at a commit (0 while paused). */
  autoCheckpointPages(): number;
  /** A passive WAL checkpoint now: never waits for a writer; outside any transaction of this connection. */
  checkpointWal(): void;
  /**
   * A bulk writer's checkpoints with most of their fsyncs' work done ahead of them in the background
   * (backgroundCheckpoints.ts), instead of checkpointWal; null for a store in memory.
   */
  backgroundCheckpoints?(o: BackgroundCheckpointOptions): BackgroundCheckpoints | null;
  /** Queues the record unless one with its (session, message key) exists; false when it was there already. */
  recordTokenUsage(u: TokenUsageRecord): boolean;
  /** Queues the record without looking first (its writer knows it is new; one that exists stays as it is). */
  insertTokenUsage(u: TokenUsageRecord): void;
  /** Whether usage of this message was recorded (queued or committed). */
  hasTokenUsage(sessionId: string, messageKey: string): boolean;
  /** Sums of token usage with `from <= at < to` (ISO instants), grouped by `by` and model (history/usage.ts). */
  usageBuckets(q: { by: UsageBucketBy; from?: string; to?: string }): UsageBucket[];
  /** One history-import step, queued as one write and committed now with whatever else is queued. */
  saveImportBatch(batch: ImportBatch): void;
  getKv(key: string): string | undefined;
  setKv(key: string, value: string): void;
  flush(): void;
  close(): void;
}
