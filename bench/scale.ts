// Scale: a store with 10,000 sessions and 5M messages (FTS-indexed), generated once with direct
// batched inserts (the store's own schema via openStore, then big transactions of raw SQL through a
// connection with the store's search triggers: since migration 10 they are TEMP, each connection's
// own, and a bare connection's rows went unindexed — the v2 file searched an empty index in 0.1 ms)
// and cached under .cache/bench/ by its parameters. A file whose index does not hold every message
// is refused. Measured in a fresh child process per repeat:
// - restore: openStore + SessionEngine.start() (what the leader does at startup);
// - list snapshot: a subscribe_list answered by a ClientConnection, serialized as the hub sends it;
// - search: engine.search over FTS, median of several queries;
// - RSS after restore.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ClientConnection, attachReplay } from '../src/engine/clients/connection';
import type { ServerMessage } from '../src/engine/protocol';
import { systemClock } from '../src/engine/platform/clock';
import { SessionEngine } from '../src/engine/sessions/engine';
import { newSession } from '../src/engine/sessions/model';
import type { Db } from '../src/engine/store/db';
import { openDatabase } from '../src/engine/store/driver';
import { installSearchTriggers } from '../src/engine/store/migrations';
import { openStore } from '../src/engine/store/sqliteStore';
import { seededRng, between } from '../test/fixtures/bench/rng';
import { median, ms, now } from './stats';

export interface ScaleParams { sessions: number; messages: number }
export interface ScaleRun { restoreMs: number; listMs: number; listWarmMs: number; listBytes: number; searchMs: number; searchRareMs: number; searchHits: number; rssMb: number; restored: number }

const VOCAB = ('refactor limiter token session cache migrate schema index query handler route login payment invoice retry timeout '
  + 'backoff stream buffer parse render widget layout theme button modal table column filter sort page cursor deploy pipeline '
  + 'docker kubernetes terraform lambda queue worker cron metric alert trace span latency throughput memory leak crash panic '
  + 'assert mock fixture snapshot coverage lint format typecheck compile bundle minify webpack esbuild vite react vue svelte').split(' ');
/** Common words (each in hundreds of thousands of messages) and identifiers (each in a handful). */
export const SEARCH_QUERIES = {
  common: ['limiter timeout', 'kubernetes', 'memory leak', 'payment invoice retry', 'snapshot cov', 'esbuild bundle'],
  rare: ['parseConfig4242', 'handleRequest123456', 'UserSession77777', 'retryPolicy31337', 'renderWidget2026', 'fetchInvoice9001'],
};
const IDENTIFIERS = ['parseConfig', 'handleRequest', 'UserSession', 'retryPolicy', 'renderWidget', 'fetchInvoice', 'buildIndex', 'AuthToken'];

export function scaleDbPath(cacheDir: string, p: ScaleParams): string {
  return path.join(cacheDir, `scale-${p.sessions}s-${p.messages}m-v3.db`);
}

/** Creates the cached database unless it exists complete (a marker row in kv says so). */
export function ensureScaleDb(cacheDir: string, p: ScaleParams, log: (m: string) => void): string {
  const file = scaleDbPath(cacheDir, p);
  if (fs.existsSync(file)) {
    const db = openDatabase(file);
    try {
      if (db.prepare("SELECT value FROM kv WHERE key = 'bench.complete'").get()?.value === '1') return file;
    } catch { /* incomplete: rebuild */ } finally { db.close(); }
  }
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  fs.mkdirSync(cacheDir, { recursive: true });
  const t0 = Date.now();
  openStore({ file, clock: systemClock }).close(); // the schema, migrations and FTS triggers of the real store
  const db = openDatabase(file);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144;');
  installSearchTriggers(db); // each row indexed as a store's connection indexes it
  const rng = seededRng(5);
  const insertSession = db.prepare('INSERT INTO sessions (id, provider, mode, provider_session_id, status, last_activity_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const insertMessage = db.prepare('INSERT INTO messages (id, session_id, seq, kind, text, created_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const perSession = Math.floor(p.messages / p.sessions);
  const base = Date.parse('2025-06-01T00:00:00.000Z');
  const kinds = ['user', 'agent', 'agent', 'reasoning', 'command', 'agent'] as const;
  let done = 0;
  const BATCH_SESSIONS = 100;
  for (let first = 0; first < p.sessions; first += BATCH_SESSIONS) {
    db.transaction(() => {
      for (let i = first; i < Math.min(p.sessions, first + BATCH_SESSIONS); i++) {
        const at = base + i * 1_500_000;
        const id = `bench-s-${i}`;
        // The newest 50 are live Codex direct sessions (no startup rule changes them, so a restore writes
        // nothing and every run measures the same file); the rest ended long ago.
        const live = i >= p.sessions - 50;
        const s = newSession({
          id, provider: live ? 'codex' : i % 3 === 0 ? 'claude' : 'codex', mode: live || i % 5 === 0 ? 'direct' : 'passive', providerSessionId: `thread-${i}`,
          cwd: `/home/dev/project-${i % 40}`, firstPrompt: `${VOCAB[i % VOCAB.length]} the ${VOCAB[(i * 7) % VOCAB.length]} of project ${i % 40}`, createdAt: at,
        }, at + perSession * 1000);
        const ended = { ...s, status: live ? 'active' as const : 'ended' as const, revision: perSession, workStatus: 'idle' as const };
        insertSession.run(id, s.provider, s.mode, s.providerSessionId, ended.status, s.lastActivityAt, JSON.stringify(ended));
        for (let seq = 0; seq < perSession; seq++) {
          const kind = kinds[seq % kinds.length];
          const n = between(rng, 6, 30);
          const words: string[] = [];
          for (let w = 0; w < n; w++) words.push(VOCAB[Math.floor(rng() * VOCAB.length)]);
          // Code identifiers, the long tail real transcripts are full of (and what people search for).
          for (let w = between(rng, 1, 3); w > 0; w--) words.splice(between(rng, 0, words.length), 0, `${IDENTIFIERS[Math.floor(rng() * IDENTIFIERS.length)]}${between(rng, 0, 199_999)}`);
          const text = words.join(' ');
          const data = kind === 'command' ? JSON.stringify({ command: `npm run ${words[0]}`, exitCode: 0, output: text, status: 'completed', turnId: `t${seq >> 4}` }) : JSON.stringify({ turnId: `t${seq >> 4}` });
          insertMessage.run(`${id}-m${seq}`, id, seq, kind, text, new Date(at + seq * 1000).toISOString(), data);
        }
        done += perSession;
      }
    });
    if (first % 1000 === 0) log(`scale: ${done.toLocaleString('en-US')} / ${p.messages.toLocaleString('en-US')} messages (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  assertFullyIndexed(db);
  db.prepare("INSERT INTO kv (key, value) VALUES ('listRevision', '1'), ('bench.complete', '1')").run();
  db.exec('PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;');
  db.close();
  log(`scale: generated ${file} (${(fs.statSync(file).size / 1048576).toFixed(0)} MB) in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return file;
}

/** Every message in the search index (one docsize row each), no fill pending: search figures on less would flatter. */
function assertFullyIndexed(db: Db): void {
  const r = db.prepare('SELECT (SELECT COUNT(*) FROM messages) AS m, (SELECT COUNT(*) FROM messages_fts_docsize) AS i, (SELECT COUNT(*) FROM fts_backfill) AS b').get();
  if (Number(r?.m) !== Number(r?.i) || Number(r?.b) !== 0) throw new Error(`the scale database's search index holds ${r?.i} of ${r?.m} messages (${r?.b} fill pending)`);
}

/** One measurement in this (fresh) process. The database is copied nowhere: runs only read it (WAL). */
export async function scaleRun(file: string): Promise<ScaleRun> {
  const t0 = now();
  const store = openStore({ file, clock: systemClock });
  const engine = new SessionEngine({ store, clock: systemClock });
  engine.start();
  const restoreMs = ms(t0);
  global.gc?.();
  const rssMb = process.memoryUsage().rss / 1048576;

  const sent: ServerMessage[] = [];
  let listBytes = 0;
  const conn = new ClientConnection({ engine, replay: attachReplay(engine), serverVersion: 'bench', send: m => {
    sent.push(m);
    // A long list comes in pages (issue 19): the figure is the whole list's bytes.
    if (m.type === 'sessions_list') listBytes = (m.part ? listBytes : 0) + JSON.stringify(m).length;
  } });
  const list = async () => { const t1 = now(); await conn.handle('{"type":"subscribe_list","requestId":"l"}'); return ms(t1); };
  // The first answer is what a client sees right after startup; later ones run warm code.
  const listMs = await list();
  const warm: number[] = [];
  for (let i = 0; i < 5; i++) warm.push(await list());
  const listWarmMs = median(warm);
  conn.close();

  let hits = 0;
  const timed = (queries: string[]) => median(queries.map(q => {
    const t2 = now();
    hits += engine.search(q, 50).length;
    return ms(t2);
  }));
  const searchRareMs = timed(SEARCH_QUERIES.rare);
  const searchMs = timed(SEARCH_QUERIES.common);
  if (hits === 0) throw new Error('no search found anything: the figures would time an empty index');
  const restored = engine.listSessions().length;
  store.close();
  return { restoreMs, listMs, listWarmMs, listBytes, searchMs, searchRareMs, searchHits: hits, rssMb, restored };
}
