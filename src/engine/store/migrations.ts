// Versioned migrations from the first schema on (the reference had none and could not upgrade).
// Each runs once, in its own transaction, recorded in schema_migrations. Never edit a shipped one:
// add the next.
import { type Db, hasSchemaObject, pageSize } from './db';

export interface Migration { version: number; name: string; up(db: Db, caps: { fts5: boolean }): void }

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'sessions and messages',
    up(db) {
      db.exec(`
        CREATE TABLE sessions (
          id TEXT PRIMARY KEY,
          provider TEXT NOT NULL,
          mode TEXT NOT NULL,
          provider_session_id TEXT,
          status TEXT NOT NULL,
          last_activity_at TEXT NOT NULL,
          data TEXT NOT NULL
        );
        CREATE INDEX sessions_by_activity ON sessions(last_activity_at DESC);
        CREATE INDEX sessions_by_provider_id ON sessions(provider, provider_session_id);
        CREATE TABLE messages (
          rowid INTEGER PRIMARY KEY,
          id TEXT NOT NULL UNIQUE,
          session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
          seq INTEGER NOT NULL,
          kind TEXT NOT NULL,
          text TEXT NOT NULL,
          created_at TEXT NOT NULL,
          data TEXT NOT NULL
        );
        CREATE INDEX messages_by_session ON messages(session_id, seq);
        CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      `);
    },
  },
  {
    version: 2,
    name: 'full-text search over message text',
    up(db, caps) {
      // Hosts whose SQLite lacks FTS5 still migrate; search then degrades to LIKE (see sqliteStore).
      if (!caps.fts5) return;
      createMessagesFts(db, '');
    },
  },
  {
    version: 3,
    name: 'read offsets of watched files',
    up(db) {
      db.exec(`
        CREATE TABLE sources (
          path TEXT PRIMARY KEY,
          session_id TEXT,
          provider_session_id TEXT,
          offset INTEGER NOT NULL DEFAULT 0,
          updated_at TEXT NOT NULL
        );
      `);
    },
  },
  {
    version: 4,
    name: 'history: project, end reason and archive columns with their indexes',
    up(db) {
      // Generated from the session JSON, so every writer (engine, importer, bench) keeps them right.
      // The partial indexes serve the paged History queries (store/history.ts) and the startup
      // restore, which leaves imported and archived sessions out (SPEC §11).
      db.exec(`
        ALTER TABLE sessions ADD COLUMN cwd TEXT GENERATED ALWAYS AS (json_extract(data, '$.cwd')) VIRTUAL;
        ALTER TABLE sessions ADD COLUMN end_reason TEXT GENERATED ALWAYS AS (json_extract(data, '$.endReason')) VIRTUAL;
        ALTER TABLE sessions ADD COLUMN archived_at TEXT GENERATED ALWAYS AS (json_extract(data, '$.archivedAt')) VIRTUAL;
        CREATE INDEX sessions_history ON sessions(cwd, last_activity_at) WHERE status = 'ended' AND archived_at IS NULL;
        CREATE INDEX sessions_archived ON sessions(cwd, last_activity_at) WHERE archived_at IS NOT NULL;
        CREATE INDEX sessions_live ON sessions(last_activity_at)
          WHERE archived_at IS NULL AND (end_reason IS NULL OR end_reason NOT IN ('history', 'archived'));
        CREATE INDEX sessions_ended_by_activity ON sessions(last_activity_at) WHERE status = 'ended';
      `);
    },
  },
  {
    version: 5,
    name: 'reader state with offsets; token usage once per message',
    up(db) {
      // state: what a file's reader needs to give the lines after `offset` the same ids after a crash.
      // token_usage: one row per counted provider message, so a line read again never counts twice.
      db.exec(`
        ALTER TABLE sources ADD COLUMN state TEXT;
        CREATE TABLE token_usage (
          session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
          message_key TEXT NOT NULL,
          model TEXT,
          input_tokens INTEGER NOT NULL DEFAULT 0,
          output_tokens INTEGER NOT NULL DEFAULT 0,
          cache_read_tokens INTEGER NOT NULL DEFAULT 0,
          cache_creation_tokens INTEGER NOT NULL DEFAULT 0,
          at TEXT,
          PRIMARY KEY (session_id, message_key)
        ) WITHOUT ROWID;
      `);
    },
  },
  {
    version: 6,
    name: 'usage report: reasoning tokens, indexes by time and by message key',
    up(db) {
      // The usage report (history/usage.ts) sums token_usage over a time range and counts a Claude
      // message id once across sessions (a forked transcript repeats its parent's messages).
      db.exec(`
        ALTER TABLE token_usage ADD COLUMN reasoning_tokens INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX token_usage_by_time ON token_usage(at);
        CREATE INDEX token_usage_by_key ON token_usage(message_key, session_id);
      `);
    },
  },
  {
    version: 7,
    name: 'full-text search: prefix indexes of 2 and 3 characters',
    up(db, caps) {
      // A prefix query without a prefix index merges the whole doclist of every term with that prefix
      // before the first row (~50 ms for `pa*` over 5M messages); with prefix='2 3' a 2- or 3-character
      // prefix is one term of its own and streams newest first like a whole word. The table is made
      // again (FTS5 options are fixed at creation), empty; the stored rows are indexed in the background
      // after the store opens (ftsBuild.ts), so the upgrade itself is quick at any size.
      // A file migrated before without FTS5 gets its index here, if this SQLite has FTS5.
      if (!caps.fts5) return;
      db.exec(`
        DROP TRIGGER IF EXISTS messages_ai;
        DROP TRIGGER IF EXISTS messages_ad;
        DROP TRIGGER IF EXISTS messages_au;
        DROP TABLE IF EXISTS messages_fts;
        DROP TABLE IF EXISTS fts_backfill;
      `);
      createMessagesFts(db, ", prefix='2 3'");
    },
  },
  {
    version: 8,
    name: 'full-text search: the triggers leave a range of rows to the background filler',
    up(db) {
      // Files that ran migration 7 before it built the index in the background have triggers that index
      // every row: the history import's rows are indexed in batches now (ftsBuild.ts, OPEN_TARGET), which
      // needs the guarded triggers and the progress table. Their index is complete: nothing to fill.
      if (!db.prepare("SELECT 1 AS x FROM sqlite_master WHERE name = 'messages_fts'").get()) return;
      db.exec('CREATE TABLE IF NOT EXISTS fts_backfill (id INTEGER PRIMARY KEY CHECK (id = 1), done INTEGER NOT NULL, target INTEGER NOT NULL);');
      createFtsTriggers(db);
    },
  },
  {
    version: 9,
    name: 'full-text search: fewer, larger segments for bulk writes',
    up(db) {
      // A history import indexes ~5,000 rows at each of its ~50 ms commits: FTS5 flushed its pending
      // terms every 1 MB (hashsize; the prefix indexes triple them), wrote leaves of 4,050 bytes and
      // merged every 4 segments of a level; the index took 1.2–1.5 s of the writer's 6.6–7.4 s.
      // Flushes every 8 MB (memory held only until the commit), leaves that fill an 8 KiB page and
      // merges of 8 segments: the import's writer alone 7.5 → 6.6 s on 1 GB of short Claude messages
      // (the whole import ~5 % less, paired). Searches there read more segments: ~0.1 ms more each,
      // still under 1 ms.
      if (!hasSchemaObject(db, 'messages_fts')) return;
      setFtsSetting(db, 'hashsize', FTS_HASH_BYTES);
      setFtsSetting(db, 'automerge', FTS_AUTOMERGE);
      // Files made before pages of 8 KiB keep theirs (4 KiB): the default leaf size fits those.
      if (pageSize(db) >= 8192) setFtsSetting(db, 'pgsz', FTS_LEAF_BYTES_8K);
    },
  },
  {
    version: 10,
    name: 'full-text search: the triggers belong to each connection',
    up(db) {
      // A trigger costs each row it applies to even when its WHEN is false: SQLite runs it as a
      // sub-program with a frame of its own. The import's writer leaves every row it inserts to the
      // filler (an open range), so the insert trigger never indexes one of them, and an UPSERT on a
      // table with an update trigger pays for that trigger too: the writer's inserts cost 2.2× what
      // they cost without (1 GB of short Claude messages: 2.6 s → 1.2 s of the writer's ~7 s). Triggers
      // of the main schema apply to every connection; TEMP triggers only to the one that made them, so
      // each connection makes its own (installSearchTriggers, at every open) and a bulk writer goes
      // without the insert trigger while its range is open (sqliteStore.ts, beginBulkWrite).
      db.exec('DROP TRIGGER IF EXISTS main.messages_ai; DROP TRIGGER IF EXISTS main.messages_ad; DROP TRIGGER IF EXISTS main.messages_au;');
    },
  },
];

/** FTS5 settings of migration 9 (the bench's store floor and the tests use them too). */
export const FTS_HASH_BYTES = 8 * 1024 * 1024;
export const FTS_AUTOMERGE = 8;
/**
 * automerge while a bulk writer (the history import) writes: incremental merges of 16 segments of a
 * level instead of 8 rewrite each term's entries fewer times (log16 against log8 of the levels). The
 * import's writer spent ~2.6 s of its ~9.5 s in its commits on the Codex half of 1 GB of short
 * messages, mostly FTS5 flushing and merging; the whole 1 GB import was ~6 % faster (paired), and its
 * searches stayed under 0.5 ms. Set by Store.beginBulkWrite, FTS_AUTOMERGE again at endBulkWrite (a
 * bulk write cut short by a crash leaves 16 until the next one ends: only merges wait longer).
 */
export const FTS_BULK_AUTOMERGE = 16;

/** One of FTS5's settings of the search index (a write: inside or outside a transaction). */
export function setFtsSetting(db: Db, key: 'hashsize' | 'automerge' | 'pgsz', value: number): void {
  // As a literal: FTS5 takes integers only, and a JS number bound as a parameter arrives as a REAL.
  db.exec(`INSERT INTO messages_fts(messages_fts, rank) VALUES ('${key}', ${Math.trunc(value)})`);
}
/** An 8 KiB page holds up to 8,157 bytes of a row: the leaf, its rowid and the record header. */
export const FTS_LEAF_BYTES_8K = 8000;

/**
 * The FTS5 index over message text, kept in step with `messages` by triggers. It starts empty: the rows
 * already stored are indexed in the background (store/ftsBuild.ts), since a rebuild of millions of rows
 * here would block the start for minutes. Until then the rows in (done, target] of `fts_backfill` are
 * the filler's and the triggers leave them alone (deleting a row an external-content index never held
 * corrupts it; inserting one the filler will index doubles it). Everything else is the triggers'.
 */
function createMessagesFts(db: Db, options: string): void {
  db.exec(`
    CREATE VIRTUAL TABLE messages_fts USING fts5(text, content='messages', content_rowid='rowid', tokenize='unicode61'${options});
    CREATE TABLE IF NOT EXISTS fts_backfill (id INTEGER PRIMARY KEY CHECK (id = 1), done INTEGER NOT NULL, target INTEGER NOT NULL);
    DELETE FROM fts_backfill;
  `);
  createFtsTriggers(db);
  db.exec('INSERT INTO fts_backfill (id, done, target) SELECT 1, 0, MAX(rowid) FROM messages HAVING MAX(rowid) IS NOT NULL;');
}

const notBackfilling = (row: string) => `WHEN NOT EXISTS (SELECT 1 FROM fts_backfill WHERE ${row}.rowid > done AND ${row}.rowid <= target)`;

/**
 * The three triggers that keep messages_fts in step with messages, except for the filler's rows
 * (above): in the main schema (migrations 7 and 8) or as TEMP triggers of one connection (migration 10).
 */
function ftsTriggers(schema: 'main' | 'temp'): { insert: string; deleteAndUpdate: string } {
  const create = schema === 'temp' ? 'CREATE TEMP TRIGGER IF NOT EXISTS' : 'CREATE TRIGGER IF NOT EXISTS';
  const on = schema === 'temp' ? 'main.messages' : 'messages';
  return {
    insert: `${create} messages_ai AFTER INSERT ON ${on} ${notBackfilling('new')} BEGIN
      INSERT INTO messages_fts(rowid, text) VALUES (new.rowid, new.text);
    END;`,
    deleteAndUpdate: `
    ${create} messages_ad AFTER DELETE ON ${on} ${notBackfilling('old')} BEGIN
      INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
    END;
    ${create} messages_au AFTER UPDATE OF text ON ${on} ${notBackfilling('old')} BEGIN
      INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
      INSERT INTO messages_fts(rowid, text) VALUES (new.rowid, new.text);
    END;`,
  };
}

/** The triggers of migrations 7 and 8 (in the main schema, until migration 10 drops them). */
function createFtsTriggers(db: Db): void {
  const t = ftsTriggers('main');
  db.exec(`
    DROP TRIGGER IF EXISTS messages_ai;
    DROP TRIGGER IF EXISTS messages_ad;
    DROP TRIGGER IF EXISTS messages_au;
    ${t.insert}
    ${t.deleteAndUpdate}
  `);
}

/**
 * The triggers that keep messages_fts in step with what this connection writes to messages, except for
 * the filler's rows (above), as TEMP triggers of this connection (migration 10). Every connection that
 * may write messages makes them as the store opens; `insert: false` leaves out the insert trigger, for
 * a bulk writer whose every new row is the filler's (an open range: ftsBuild.ts, openBacklog).
 */
export function installSearchTriggers(db: Db, o: { insert: boolean } = { insert: true }): void {
  const t = ftsTriggers('temp');
  db.exec(`${o.insert ? t.insert : 'DROP TRIGGER IF EXISTS temp.messages_ai;'}${t.deleteAndUpdate}`);
}

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

export function hasFts5(db: Db): boolean {
  try {
    db.exec('CREATE VIRTUAL TABLE temp.fts5_probe USING fts5(x); DROP TABLE temp.fts5_probe;');
    return true;
  } catch {
    return false;
  }
}

export function currentVersion(db: Db): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get();
  return Number(row?.v ?? 0);
}

/** Applies every migration above the file's version, up to `target` (default: the latest). */
export function migrate(db: Db, target = LATEST_VERSION, migrations = MIGRATIONS): number[] {
  const caps = { fts5: hasFts5(db) };
  const from = currentVersion(db);
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version <= from || m.version > target) continue;
    db.transaction(() => {
      m.up(db, caps);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
    });
    applied.push(m.version);
  }
  return applied;
}
