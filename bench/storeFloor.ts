// The store floor (issue 14): the least any importer of these Claude files into this schema can cost
// here, measured in the same run as `flightdeck import` and ccusage. Bare code on two threads, as the
// import is: this thread reads each file whole, JSON.parses each line (without toolUseResult, large
// tool outputs held back as JSON text, as the import: history/claudeLines.ts) and maps it to rows (one per
// text, thinking or tool-use block, a tool result's output put into its call's row as the import does,
// one usage row per assistant message); a worker inserts them into the store's own tables and indexes
// (messages with its unique id and (session, seq) index, token_usage by key and time, the FTS5 table
// with the store's options and settings) and fills the search index at each ~50 ms commit, as the
// import's writer does. It leaves out what makes the real import safe and complete (sessions and
// their names, sources offsets for a resume after a kill, a result whose call was committed before,
// the memory bound, bad input): a floor, not a competitor.
//
// Three variants say where the time goes: the store's search index (prefix indexes '2 3', which keep
// prefix queries at 5M messages under 10 ms), a search index without prefix indexes, and none.
import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { ClaudeHistoryLines, type HeldOutput } from '../src/engine/history/claudeLines';
import { objectJson } from '../src/engine/platform/jsonText';
import { FTS_BULK_AUTOMERGE, FTS_HASH_BYTES, FTS_LEAF_BYTES_8K } from '../src/engine/store/migrations';

export type StoreFloorIndex = 'search' | 'noPrefix' | 'none';
export interface StoreFloorRun { ms: number; rows: number; usageRows: number; index: StoreFloorIndex }

/** The worker's code, evaluated as a script: bundles have no file of it. */
const WRITER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('page_size = 8192'); db.pragma('journal_mode = WAL'); db.pragma('synchronous = NORMAL'); db.pragma('temp_store = MEMORY');
db.exec(\`CREATE TABLE messages (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, session_id TEXT NOT NULL, seq INTEGER NOT NULL,
    kind TEXT NOT NULL, text TEXT NOT NULL, created_at TEXT NOT NULL, data TEXT NOT NULL);
  CREATE INDEX messages_by_session ON messages(session_id, seq);
  CREATE TABLE token_usage (session_id TEXT NOT NULL, message_key TEXT NOT NULL, model TEXT, input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL, cache_read_tokens INTEGER NOT NULL, cache_creation_tokens INTEGER NOT NULL, at TEXT,
    PRIMARY KEY (session_id, message_key)) WITHOUT ROWID;
  CREATE INDEX token_usage_by_time ON token_usage(at);\`);
const index = workerData.index;
if (index !== 'none') db.exec("CREATE VIRTUAL TABLE messages_fts USING fts5(text, content='messages', content_rowid='rowid', tokenize='unicode61'" + (index === 'search' ? ", prefix='2 3'" : '') + ')');
// The store's index settings while the import writes (migration 9; automerge of a bulk write).
if (index !== 'none') for (const [k, v] of [['hashsize', ${FTS_HASH_BYTES}], ['automerge', ${FTS_BULK_AUTOMERGE}], ['pgsz', ${FTS_LEAF_BYTES_8K}]]) db.exec("INSERT INTO messages_fts(messages_fts, rank) VALUES ('" + k + "', " + v + ')');
const insert = db.prepare('INSERT INTO messages (id, session_id, seq, kind, text, created_at, data) VALUES (?, ?, ?, ?, ?, ?, CAST(? AS TEXT))');
const usage = db.prepare('INSERT OR IGNORE INTO token_usage VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
const fill = index === 'none' ? null : db.prepare('INSERT INTO messages_fts (rowid, text) SELECT rowid, text FROM messages WHERE rowid > ?');
let indexed = 0, rows = 0, usageRows = 0, started = Date.now();
const commit = () => { if (fill) { fill.run(indexed); indexed = rows; } db.exec('COMMIT'); db.exec('BEGIN'); started = Date.now(); };
db.exec('BEGIN');
parentPort.on('message', m => {
  if (m === 'end') {
    commit(); db.exec('COMMIT'); db.pragma('wal_checkpoint(TRUNCATE)'); db.close();
    parentPort.postMessage({ rows, usageRows });
    return;
  }
  const r = m.rows;
  for (let i = 0; i < r.length; i += 7) { insert.run(r[i], r[i + 1], r[i + 2], r[i + 3], r[i + 4], r[i + 5], r[i + 6]); rows++; }
  const u = m.usage;
  for (let i = 0; i < u.length; i += 8) usageRows += usage.run(u[i], u[i + 1], u[i + 2], u[i + 3], u[i + 4], u[i + 5], u[i + 6], u[i + 7]).changes;
  if (Date.now() - started >= 50) commit();
  parentPort.postMessage('ack');
});
`;

/** Batches in flight to the worker before this thread waits (bounds both heaps). */
const WINDOW = 8;
const ROWS_PER_BATCH = 1_000;

interface Block { type?: string; text?: string; thinking?: string; id?: string; name?: string; input?: unknown; tool_use_id?: string; content?: unknown }
interface Line {
  type?: string; uuid?: string; sessionId?: string; timestamp?: string; requestId?: string;
  message?: { id?: string; role?: string; model?: string; content?: string | Block[]; usage?: Record<string, number> };
}

/** Runs in a child process of its own (bench/main.ts), into a fresh database file. */
export async function storeFloorRun(files: string[], dbFile: string, index: StoreFloorIndex): Promise<StoreFloorRun> {
  const t0 = performance.now();
  const worker = new Worker(WRITER_SOURCE, { eval: true, workerData: { file: dbFile, index, driver: require.resolve('better-sqlite3') } });
  let inFlight = 0;
  let room: (() => void) | null = null;
  const done = new Promise<{ rows: number; usageRows: number }>((resolve, reject) => {
    worker.on('error', reject);
    worker.on('message', (m: unknown) => {
      if (m !== 'ack') { resolve(m as { rows: number; usageRows: number }); return; }
      inFlight--;
      if (room && inFlight < WINDOW) { const r = room; room = null; r(); }
    });
  });
  let rows: unknown[] = [];
  let usage: unknown[] = [];
  const send = async () => {
    worker.postMessage({ rows, usage });
    inFlight++;
    rows = [];
    usage = [];
    if (inFlight >= WINDOW) await new Promise<void>(r => { room = r; });
  };
  const lines = new ClaudeHistoryLines();
  for (const file of files) {
    const buf = fs.readFileSync(file);
    let seq = 0;
    /** Where each tool call's data column is in `rows` (a batch ends only between files). */
    const calls = new Map<string, number>();
    for (let start = 0; start < buf.length;) {
      let end = buf.indexOf(10, start);
      if (end < 0) end = buf.length;
      if (end > start) seq = mapLine(JSON.parse(lines.decode(buf, start, end)) as Line, seq, rows, usage, calls, lines.held);
      start = end + 1;
    }
    if (rows.length >= ROWS_PER_BATCH * 7) await send();
  }
  await send();
  worker.postMessage('end');
  const counts = await done;
  await worker.terminate();
  return { ms: performance.now() - t0, index, ...counts };
}

/** One transcript line's rows (7 columns each) and usage (8 columns); returns the session's next seq. */
function mapLine(o: Line, seq: number, rows: unknown[], usage: unknown[], calls: Map<string, number>, held: HeldOutput[]): number {
  const m = o.message;
  if (!m || (o.type !== 'user' && o.type !== 'assistant') || !o.sessionId || !o.uuid) return seq;
  const blocks: Block[] = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : Array.isArray(m.content) ? m.content : [];
  const data = JSON.stringify({ role: m.role, model: m.model });
  blocks.forEach((b, i) => {
    if (b.type === 'tool_result' && b.tool_use_id) {
      const at = calls.get(b.tool_use_id);
      const output = typeof b.content === 'string' ? b.content
        : Array.isArray(b.content) ? b.content.map((c: { text?: unknown }) => (typeof c?.text === 'string' ? c.text : '')).join('') : '';
      const json = held.find(h => h.placeholder === output)?.json;
      if (at !== undefined) rows[at] = json ? objectJson({ role: 'assistant', output: json }) : JSON.stringify({ role: 'assistant', output });
      return;
    }
    if (b.type === 'tool_use' && b.id) calls.set(b.id, rows.length + 6);
    const text = b.type === 'text' ? b.text : b.type === 'thinking' ? b.thinking : b.type === 'tool_use' ? JSON.stringify(b.input ?? null) : undefined;
    if (!text) return;
    rows.push(`claude:${o.sessionId}:${o.uuid}:${i}`, o.sessionId, ++seq, b.type, text, o.timestamp ?? '', data);
  });
  const u = m.usage;
  if (o.type === 'assistant' && u && m.id) {
    usage.push(o.sessionId, `${m.id}:${o.requestId ?? ''}`, m.model ?? null, u.input_tokens ?? 0, u.output_tokens ?? 0,
      u.cache_read_input_tokens ?? 0, u.cache_creation_input_tokens ?? 0, o.timestamp ?? null);
  }
  return seq;
}
