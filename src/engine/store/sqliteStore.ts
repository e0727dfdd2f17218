// The SQLite store: pragmas of SPEC §7, migrations, the batched writer, queries and search.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Message, MessagePatch, Session } from '../protocol';
import type { Clock } from '../platform/clock';
import type { LogFn } from '../platform/log';
import { isJsonText, objectJson } from '../platform/jsonText';
import { type Db, StoreLoadError, hasSchemaObject, pageSize, passiveCheckpoint } from './db';
import { startBackgroundCheckpoints } from './backgroundCheckpoints';
import { openDatabase, type DriverPreference } from './driver';
import { FtsBuilder, type FtsBackfill, closeBacklog, fillFtsRows, fillFtsSlice, openBacklog } from './ftsBuild';
import { endedBefore, historyGroups, historySessions } from './history';
import { FTS_AUTOMERGE, FTS_BULK_AUTOMERGE, LATEST_VERSION, currentVersion, installSearchTriggers, migrate, setFtsSetting } from './migrations';
import { searchFts, searchLike } from './search';
import { usageBuckets } from './usage';
import { UsageKeyIndexDeferral, ensureUsageKeyIndex } from './usageKeyIndex';
import type { ImportBatch, MessageRow, SourceOffset, Store, TokenUsageRecord } from './types';
import { ensurePrivateDir, preparePrivateDb, tightenDbFiles } from './privateFiles';
import { BatchedWriter } from './writer';
import { bulkSide, createWriteGateBuffer, engineSide } from './writeGate';

export interface OpenStoreOptions {
  /** Path of the database file (':memory:' for tests that need no file). */
  file: string;
  clock: Clock;
  log?: LogFn;
  /** SQLite driver: 'auto' (default; FLIGHTDECK_SQLITE_DRIVER may force one), 'better-sqlite3' or 'node:sqlite'. */
  driver?: DriverPreference;
  /** Opens the database instead of the driver choice (tests wrap a driver). */
  openDb?: (file: string) => Db;
  onFlush?: (count: number) => void;
  /** Rows per slice of the background search-index build (default: sized to ~8 ms a slice). */
  ftsSliceRows?: number;
  /** After each slice of that build, with what is left (undefined: complete). */
  onFtsSlice?: (left: FtsBackfill | undefined) => void;
  /**
   * This connection is a bulk writer on another thread (the history import's worker), beside the
   * engine's store that made this buffer (Store.writeGate): its transactions give way to the engine's
   * (writeGate.ts), and the background index build is left to the engine's store.
   */
  bulkWriterGate?: SharedArrayBuffer;
  /** This connection's page cache (SQLite's default: 2,000 KiB), e.g. smaller for one that only looks rows up. */
  cacheKiB?: number;
  /**
   * This process only reads the store (`flightdeck usage`), perhaps while an engine imports into it:
   * it leaves the search index's open range and its background build to the store's owner.
   */
  onlyReads?: boolean;
  /** Usage rows a bulk writer adds before it may drop the index by message key (usageKeyIndex.ts; tests use a few). */
  usageKeyIndexDeferRows?: number;
}

const MESSAGE_COLUMNS = new Set(['id', 'sessionId', 'seq', 'kind', 'text', 'createdAt']);

/** The message in the messages table's column form. */
export function messageRow(m: Message): MessageRow {
  return [m.id, m.sessionId, m.seq, m.kind, m.text, m.createdAt, messageData(m)];
}

/**
 * The item's fields beyond the columns, as JSON (for…in, not Object.entries: every imported item passes
 * here). A field the history import holds as JSON text (a Claude tool's output, platform/jsonText.ts)
 * makes it UTF-8 bytes, which the statements that take it store as text (CAST).
 */
function messageData(m: Partial<Message>): string | Uint8Array {
  const rest: Record<string, unknown> = {};
  let hasJsonText = false;
  for (const k in m) {
    const v = (m as Record<string, unknown>)[k];
    if (v !== undefined && v !== null && !MESSAGE_COLUMNS.has(k)) {
      rest[k] = v;
      if (typeof v === 'object' && isJsonText(v)) hasJsonText = true;
    }
  }
  return hasJsonText ? objectJson(rest) : JSON.stringify(rest);
}

function rowToMessage(r: Record<string, unknown>): Message {
  return {
    ...(JSON.parse(String(r.data)) as object),
    id: String(r.id), sessionId: String(r.session_id), seq: Number(r.seq), kind: r.kind as Message['kind'],
    text: String(r.text), createdAt: String(r.created_at),
  } as Message;
}

export { ftsQuery, toFtsQuery } from './search';

/**
 * SPEC §7: WAL, busy_timeout 5000 ms, foreign keys on (per connection). Temporary storage in memory:
 * with it on disk, the statement journals of the upserts inside import transactions went to short-lived
 * files in /var/tmp — 15,000 files and ~850,000 page writes for a 100 MB import, a fifth of its time
 * (strace -c, docs/benchmarks.md); they hold a statement's old pages only, so they stay small.
 */
export function configureConnection(db: Db): void {
  // Only a new, empty database takes it (an existing file keeps its page size): half the pages to
  // write, read and checksum for the same rows — a history import ~8 % faster at 1 GB, paired.
  db.exec(`PRAGMA page_size = ${NEW_DB_PAGE_SIZE}`);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY;');
  // An import checkpoints every second or so (pauseAutoCheckpoint), which lets the WAL grow to tens of
  // MB; SQLite never shrinks it by itself. The first commit after a checkpoint emptied it cuts it back.
  db.exec(`PRAGMA wal_autocheckpoint = ${walAutocheckpointPages(db)}; PRAGMA journal_size_limit = ${WAL_SIZE_LIMIT_BYTES};`);
}

export const NEW_DB_PAGE_SIZE = 8192;

/** SQLite's default threshold in bytes (1,000 pages of 4 KiB): a commit that leaves the WAL past it checkpoints. */
export const WAL_AUTOCHECKPOINT_BYTES = 4_096_000;

/** wal_autocheckpoint (counted in pages) for this connection's page size: ~4 MB whatever the page size. */
export function walAutocheckpointPages(db: Db): number {
  return Math.max(1, Math.round(WAL_AUTOCHECKPOINT_BYTES / (pageSize(db) || 4096)));
}

export const WAL_SIZE_LIMIT_BYTES = 16 * 1024 * 1024;

export function openStore(opts: OpenStoreOptions): Store {
  const log = opts.log ?? (() => {});
  const onDisk = opts.file !== ':memory:';
  if (onDisk) {
    try {
      ensurePrivateDir(path.dirname(opts.file), log);
      preparePrivateDb(opts.file);
    } catch (e) {
      // A folder where the file should be, no permission, a read-only disk: the same one clear error as SQLite's own.
      throw new StoreLoadError(`Flightdeck cannot open its database at ${opts.file}: ${(e as Error).message}`, e);
    }
  }
  const bulk = !!opts.bulkWriterGate;
  const gateBuffer = opts.bulkWriterGate ?? createWriteGateBuffer();
  const gate = bulk ? undefined : engineSide(gateBuffer);
  const db = gated(opts.openDb ? opts.openDb(opts.file) : openDatabase(opts.file, { prefer: opts.driver, log }),
    gate ?? bulkSide(gateBuffer));
  configureConnection(db);
  if (opts.cacheKiB) db.exec(`PRAGMA cache_size = -${Math.max(64, Math.round(opts.cacheKiB))}`);
  if (onDisk) tightenDbFiles(opts.file);
  // A newer Flightdeck's file: its migrations may have moved what this build relies on (migration 10 put
  // the search index's triggers in each connection; a build without that code writes rows nothing indexes).
  const version = currentVersion(db);
  if (version > LATEST_VERSION) {
    db.close();
    throw new StoreLoadError(`Flightdeck cannot open its database at ${opts.file}: a newer Flightdeck wrote it (schema version ${version}; this one knows versions up to ${LATEST_VERSION}). Fix: update Flightdeck, or give this one another data folder (flightdeck.dataDir, --data-dir or FLIGHTDECK_DATA_DIR).`);
  }
  const applied = migrate(db);
  if (applied.length) log('info', `store: applied migrations ${applied.join(', ')} (${db.driver})`);
  const ftsAvailable = hasSchemaObject(db, 'messages_fts');
  if (!ftsAvailable) log('warn', 'store: this SQLite has no FTS5; search falls back to a slower substring match');
  // Rows stored before the index existed (an upgrade) are indexed in slices after the open: one slice
  // now (a small store is complete on return), the rest on the clock.
  // A range a bulk writer left open (killed mid-import) is bounded first: the filler goes on with it.
  // Not by a bulk connection: the engine's own open did that before its import started, and the
  // import's threads open theirs side by side — one closing the range the other just opened made the
  // search index's triggers index every imported row one by one (the import took 1.6× as long).
  // Nor by a process that only reads: it may open while an engine imports.
  const owner = !bulk && !opts.onlyReads;
  // The triggers that index what this connection writes (migration 10: they are each connection's own).
  if (ftsAvailable && !opts.onlyReads) installSearchTriggers(db);
  if (ftsAvailable && owner) closeBacklog(db);
  // So is the usage report's index a killed import left dropped.
  if (owner && ensureUsageKeyIndex(db)) log('info', 'store: rebuilt the usage index an interrupted import had dropped');
  const ftsBuilder = ftsAvailable
    ? new FtsBuilder(db, { clock: opts.clock, log, sliceRows: opts.ftsSliceRows, onSlice: opts.onFtsSlice })
    : undefined;
  if (owner && ftsBuilder?.step()) ftsBuilder.start();
  /** Bulk writers (imports) running: the search index and the usage index by key wait for the last to end. */
  let bulkWriters = 0;
  /** While they run: the usage report's index by message key, perhaps dropped until they end (usageKeyIndex.ts). */
  let usageKeys: UsageKeyIndexDeferral | null = null;
  /** pauseAutoCheckpoint() calls not resumed yet. */
  let checkpointPauses = 0;
  let closed = false;
  const writer = new BatchedWriter(db, {
    clock: opts.clock,
    onError: e => log('error', `store: write failed: ${e.message}`),
    onFlush: opts.onFlush,
    ready: gate ? () => gate.ready() : undefined,
    idle: gate ? () => gate.withdraw() : undefined,
  });

  const queuedSessions = new Map<string, Session>();
  const queuedMessages = new Map<string, Message>();
  /** Patches of stored messages waiting for the flush, one per message (a streamed reply patches every 50 ms). */
  const queuedPatches = new Map<string, MessagePatch>();
  /** `<session>\n<message key>` of token usage queued and not yet written. */
  const queuedUsage = new Set<string>();
  const upsertSession = `INSERT INTO sessions (id, provider, mode, provider_session_id, status, last_activity_at, data)
    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET provider = excluded.provider, mode = excluded.mode,
    provider_session_id = excluded.provider_session_id, status = excluded.status,
    last_activity_at = excluded.last_activity_at, data = excluded.data`;
  const writeSession = (d: Db, s: Session) => {
    d.prepare(upsertSession).run(s.id, s.provider, s.mode, s.providerSessionId, s.status, s.lastActivityAt, JSON.stringify(s));
  };
  // A history item read again (a file re-read from 0, a message Codex writes twice) merges its fields
  // into the stored one, like engine.appendMessage does for a known id; its seq stays.
  // data may come as bytes (messageData): CAST keeps it text, which json_patch and readers expect.
  const mergeMessage = `INSERT INTO messages (id, session_id, seq, kind, text, created_at, data) VALUES (?, ?, ?, ?, ?, ?, CAST(? AS TEXT))
    ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, text = excluded.text, data = json_patch(messages.data, excluded.data)`;
  // Tried first, the merge only for an id that is there already: an UPSERT runs the update trigger's
  // sub-program for every row it inserts (migration 10), and an import's rows are almost all new.
  const insertNewMessage = `INSERT INTO messages (id, session_id, seq, kind, text, created_at, data) VALUES (?, ?, ?, ?, ?, ?, CAST(? AS TEXT))
    ON CONFLICT(id) DO NOTHING`;
  const insertOrMerge = (d: Db, rows: Iterable<MessageRow>) => {
    const insert = d.prepare(insertNewMessage);
    for (const row of rows) if (!Number(insert.run(...row).changes)) d.prepare(mergeMessage).run(...row);
  };
  const upsertOffset = `INSERT INTO sources (path, session_id, provider_session_id, offset, updated_at, state) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT(path) DO UPDATE SET session_id = excluded.session_id, provider_session_id = excluded.provider_session_id,
    offset = excluded.offset, updated_at = excluded.updated_at, state = excluded.state`;
  const applyPatch = (d: Db, patch: MessagePatch) => {
    const row = d.prepare('SELECT * FROM messages WHERE id = ?').get(patch.id);
    if (!row) return;
    const merged = { ...rowToMessage(row), ...patch };
    d.prepare('UPDATE messages SET kind = ?, text = ?, data = CAST(? AS TEXT) WHERE id = ?').run(merged.kind, merged.text, messageData(merged), patch.id);
  };
  const upsertMessage = `INSERT INTO messages (id, session_id, seq, kind, text, created_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, text = excluded.text, data = excluded.data`;

  /** What was queued and will not be written (its transaction rolled back). */
  const dropQueued = () => {
    writer.discard();
    queuedSessions.clear();
    queuedMessages.clear();
    queuedPatches.clear();
    queuedUsage.clear();
  };
  /** The transaction beginGroup() opened, and the writer's mode before it. */
  let group: { wasDirect: boolean } | null = null;

  const store: Store = {
    driver: db.driver,
    ftsAvailable,
    searchIndexPercent: () => ftsBuilder?.percent,
    beginBulkWrite() {
      writer.flush();
      if (bulkWriters++ > 0) return;
      usageKeys = new UsageKeyIndexDeferral(db, opts.usageKeyIndexDeferRows, log);
      if (!ftsBuilder) return;
      openBacklog(db);
      setFtsSetting(db, 'automerge', FTS_BULK_AUTOMERGE);
      // Every row from now on is the filler's: the insert trigger would only cost each one its sub-program.
      installSearchTriggers(db, { insert: false });
    },
    fillSearchIndex(rows) {
      if (!ftsBuilder) return false;
      writer.flush();
      // Inside beginGroup's transaction: no savepoint (each one would make FTS5 write a segment).
      return !!(group ? fillFtsRows(db, rows) : fillFtsSlice(db, rows)) && hasRowsToIndex(db);
    },
    endBulkWrite() {
      if (bulkWriters === 0) return;
      writer.flush();
      if (--bulkWriters > 0) return;
      usageKeys?.end();
      usageKeys = null;
      if (!ftsBuilder) return;
      closeBacklog(db);
      setFtsSetting(db, 'automerge', FTS_AUTOMERGE);
      installSearchTriggers(db);
      if (!bulk) ftsBuilder.start();
    },
    resumeSearchIndex() {
      if (!bulk) ftsBuilder?.start();
    },
    file: onDisk ? path.resolve(opts.file) : null,
    writeGate: gateBuffer,
    loadRecentSessions(limit) {
      writer.flush();
      // Imported (history) and archived sessions stay out of the live list (SPEC §11); the WHERE is
      // the partial index sessions_live's, so this reads the newest live rows only.
      return db.prepare(`SELECT data FROM sessions WHERE archived_at IS NULL AND (end_reason IS NULL OR end_reason NOT IN ('history', 'archived'))
        ORDER BY last_activity_at DESC LIMIT ?`).all(limit)
        .map(r => JSON.parse(String(r.data)) as Session);
    },
    getSession(id) {
      writer.flush();
      const r = db.prepare('SELECT data FROM sessions WHERE id = ?').get(id);
      return r ? JSON.parse(String(r.data)) as Session : undefined;
    },
    findSessionByProviderId(provider, providerSessionId) {
      writer.flush();
      const r = db.prepare('SELECT data FROM sessions WHERE provider = ? AND provider_session_id = ? ORDER BY last_activity_at DESC LIMIT 1').get(provider, providerSessionId);
      return r ? JSON.parse(String(r.data)) as Session : undefined;
    },
    saveSession(s) {
      // Saves of one session between two flushes collapse into one write of its latest state,
      // kept at the position of the first (so it still precedes that session's messages).
      const queued = queuedSessions.get(s.id);
      queuedSessions.set(s.id, s);
      if (queued) return;
      writer.enqueue(d => {
        const latest = queuedSessions.get(s.id) ?? s;
        queuedSessions.delete(s.id);
        writeSession(d, latest);
      });
    },
    deleteSession(id) {
      writer.enqueue(d => { d.prepare('DELETE FROM sessions WHERE id = ?').run(id); });
    },
    saveMessage(m) {
      // Like sessions: a message's later patches before the flush fold into its one queued insert,
      // so a streamed or completed item is written (and FTS-indexed) once, not once per change.
      const queued = queuedMessages.get(m.id);
      queuedMessages.set(m.id, queued ? { ...queued, ...m } : m);
      if (queued) return;
      writer.enqueue(d => {
        const latest = queuedMessages.get(m.id) ?? m;
        queuedMessages.delete(m.id);
        d.prepare(upsertMessage).run(...messageRow(latest));
      });
    },
    patchMessage(patch) {
      const queued = queuedMessages.get(patch.id);
      if (queued) { queuedMessages.set(patch.id, { ...queued, ...patch }); return; }
      // Patches of one stored message before the flush fold into one read-merge-write (and one FTS
      // re-index of its text), not one per stream window.
      const pending = queuedPatches.get(patch.id);
      queuedPatches.set(patch.id, pending ? { ...pending, ...patch } : patch);
      if (pending) return;
      writer.enqueue(d => {
        const latest = queuedPatches.get(patch.id) ?? patch;
        queuedPatches.delete(patch.id);
        applyPatch(d, latest);
      });
    },
    getMessage(id) {
      writer.flush();
      const r = db.prepare('SELECT * FROM messages WHERE id = ?').get(id);
      return r ? rowToMessage(r) : undefined;
    },
    hasCommittedMessage(id) {
      return !!db.prepare('SELECT 1 AS x FROM messages WHERE id = ?').get(id);
    },
    getMessages(sessionId, o = {}) {
      writer.flush();
      const limit = Math.max(1, Math.min(o.limit ?? 200, 10_000));
      const rows = o.beforeSeq !== undefined
        ? db.prepare('SELECT * FROM messages WHERE session_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?').all(sessionId, o.beforeSeq, limit)
        : db.prepare('SELECT * FROM messages WHERE session_id = ? ORDER BY seq DESC LIMIT ?').all(sessionId, limit);
      return rows.reverse().map(rowToMessage);
    },
    maxSeq(sessionId) {
      writer.flush();
      return Number(db.prepare('SELECT COALESCE(MAX(seq), -1) AS m FROM messages WHERE session_id = ?').get(sessionId)?.m ?? -1);
    },
    countMessages(sessionId) {
      writer.flush();
      return Number(db.prepare('SELECT COUNT(*) AS n FROM messages WHERE session_id = ?').get(sessionId)?.n ?? 0);
    },
    search(query, limit, filters) {
      writer.flush();
      return ftsAvailable ? searchFts(db, query, limit, filters) : searchLike(db, query, limit, filters);
    },
    historyGroups(q) {
      writer.flush();
      return historyGroups(db, q);
    },
    historySessions(q) {
      writer.flush();
      return historySessions(db, q);
    },
    endedBefore(cutoffIso, limit) {
      writer.flush();
      return endedBefore(db, cutoffIso, limit);
    },
    getOffset(p) {
      writer.flush();
      const r = db.prepare('SELECT * FROM sources WHERE path = ?').get(p);
      return r ? rowToOffset(r) : undefined;
    },
    setOffset(o: SourceOffset) {
      const now = new Date(opts.clock.now()).toISOString();
      const keepState = o.state === undefined;
      writer.enqueue(d => {
        d.prepare(`INSERT INTO sources (path, session_id, provider_session_id, offset, updated_at, state) VALUES (?, ?, ?, ?, ?, ?)
          ON CONFLICT(path) DO UPDATE SET session_id = excluded.session_id, provider_session_id = excluded.provider_session_id,
          offset = excluded.offset, updated_at = excluded.updated_at${keepState ? '' : ', state = excluded.state'}`)
          .run(o.path, o.sessionId, o.providerSessionId, o.offset, now, o.state ?? null);
      });
    },
    listOffsets() {
      writer.flush();
      return db.prepare('SELECT * FROM sources').all().map(rowToOffset);
    },
    usageBuckets(q) {
      writer.flush();
      return usageBuckets(db, q);
    },
    saveImportBatch(b: ImportBatch) {
      const now = new Date(opts.clock.now()).toISOString();
      // One command: the writer commits it whole, in order after what live sessions queued before it.
      writer.enqueue(d => {
        for (const s of b.sessions) writeSession(d, s);
        insertOrMerge(d, b.messages.map(messageRow));
        if (b.rows) insertOrMerge(d, b.rows);
        for (const p of b.patches) applyPatch(d, p);
        const offset = d.prepare(upsertOffset);
        for (const o of b.offsets) offset.run(o.path, o.sessionId, o.providerSessionId, o.offset, now, o.state ?? null);
        const kv = d.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
        for (const [k, v] of b.kv) kv.run(k, v);
      });
      writer.flush();
    },
    getKv(key) {
      writer.flush();
      const r = db.prepare('SELECT value FROM kv WHERE key = ?').get(key);
      return r ? String(r.value) : undefined;
    },
    setKv(key, value) {
      writer.enqueue(d => { d.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value); });
    },
    pauseAutoCheckpoint() {
      if (checkpointPauses++ === 0) db.exec('PRAGMA wal_autocheckpoint = 0');
      let resumed = false;
      return () => {
        if (resumed) return;
        resumed = true;
        if (--checkpointPauses === 0 && !closed) db.exec(`PRAGMA wal_autocheckpoint = ${walAutocheckpointPages(db)}`);
      };
    },
    autoCheckpointPages() {
      return Number(db.prepare('PRAGMA wal_autocheckpoint').get()?.wal_autocheckpoint ?? 0);
    },
    checkpointWal() {
      if (onDisk) passiveCheckpoint(db);
    },
    backgroundCheckpoints(o) {
      if (!onDisk) return null;
      const openReader = () => opts.openDb ? opts.openDb(opts.file) : openDatabase(opts.file, { prefer: db.driver as DriverPreference, log });
      return startBackgroundCheckpoints(db, opts.file, openReader, o);
    },
    beginGroup() {
      if (group) return;
      writer.flush();
      db.begin();
      group = { wasDirect: writer.direct };
      writer.direct = true;
    },
    commitGroup() {
      if (!group) return;
      const g = group;
      group = null;
      try {
        writer.flush();
        db.commit();
      } catch (e) {
        db.rollback();
        dropQueued();
        throw e;
      } finally {
        writer.direct = g.wasDirect;
      }
    },
    rollbackGroup() {
      if (!group) return;
      const g = group;
      group = null;
      try {
        dropQueued();
        // A failed COMMIT (disk full) may have ended the transaction already.
        try { db.rollback(); } catch { /* nothing open */ }
      } finally {
        writer.direct = g.wasDirect;
      }
    },
    atomic(fn) {
      // Earlier writes commit on their own first, so a rollback below drops only fn's.
      writer.flush();
      return db.transaction(() => {
        // Inside this transaction the writer's flushes need no transaction of their own (a
        // SAVEPOINT each: the history import's slices spent a third of their time on them).
        const wasDirect = writer.direct;
        writer.direct = true;
        try {
          const result = fn();
          writer.flush();
          return result;
        } catch (e) {
          // The transaction rolls back: what fn queued must not be written later on its own (an item
          // without its offset). In-memory state is the caller's to repair.
          dropQueued();
          throw e;
        } finally {
          writer.direct = wasDirect;
        }
      });
    },
    recordTokenUsage(u: TokenUsageRecord) {
      if (store.hasTokenUsage(u.sessionId, u.messageKey)) return false;
      store.insertTokenUsage(u);
      return true;
    },
    insertTokenUsage(u: TokenUsageRecord) {
      const key = `${u.sessionId}\n${u.messageKey}`;
      queuedUsage.add(key);
      writer.enqueue(d => {
        queuedUsage.delete(key);
        d.prepare(`INSERT INTO token_usage (session_id, message_key, model, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, at, reasoning_tokens)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
          .run(u.sessionId, u.messageKey, u.model, u.input, u.output, u.cacheRead, u.cacheCreation, u.at, u.reasoning ?? 0);
        usageKeys?.rowAdded();
      });
    },
    hasTokenUsage(sessionId, messageKey) {
      if (queuedUsage.has(`${sessionId}\n${messageKey}`)) return true;
      return !!db.prepare('SELECT 1 AS x FROM token_usage WHERE session_id = ? AND message_key = ?').get(sessionId, messageKey);
    },
    flush: () => writer.flush(),
    close() { closed = true; ftsBuilder?.stop(); writer.close(); db.close(); },
  };
  return store;
}

function rowToOffset(r: Record<string, unknown>): SourceOffset {
  return {
    path: String(r.path), sessionId: r.session_id == null ? null : String(r.session_id),
    providerSessionId: r.provider_session_id == null ? null : String(r.provider_session_id), offset: Number(r.offset),
    state: r.state == null ? null : String(r.state),
  };
}

/** Rows after the indexed ones in the filler's range. */
function hasRowsToIndex(db: Db): boolean {
  return !!db.prepare('SELECT 1 AS x FROM fts_backfill b WHERE EXISTS (SELECT 1 FROM messages WHERE rowid > b.done AND rowid <= b.target)').get();
}

/** The connection with every transaction passed through its side of the write gate (writeGate.ts). */
function gated(db: Db, side: { enter(): void; leave(): void }): Db {
  return {
    driver: db.driver, path: db.path,
    exec: sql => db.exec(sql), prepare: sql => db.prepare(sql), close: () => db.close(),
    transaction(fn) {
      side.enter();
      try { return db.transaction(fn); } finally { side.leave(); }
    },
    begin() {
      side.enter();
      try { db.begin(); } catch (e) { side.leave(); throw e; }
    },
    commit() {
      db.commit();
      side.leave();
    },
    rollback() {
      try { db.rollback(); } finally { side.leave(); }
    },
  };
}
