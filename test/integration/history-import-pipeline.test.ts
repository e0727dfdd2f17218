// The history import on two threads (history/importPipe.ts, importWriter.ts; issue 14): one maps the
// files, the other writes. Against real SQLite files and the real threads: the store ends exactly as
// the one-thread import leaves it; the mapping thread's reads see what it sent and the writer has not
// committed; a unit the writer cannot store stops its file only, and the rest goes on; an open
// transaction of the writer gives way as soon as the engine announces a write; a writer thread that
// dies ends the import loudly instead of failing every file after it.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureCorpus, type Corpus } from '../../bench/corpus';
import { FatalImportError } from '../../src/engine/history/fileReader';
import { historySessionId } from '../../src/engine/history/historySession';
import { importHistory } from '../../src/engine/history/importer';
import { type ImportUnit, PIPE_DEFAULTS, PipedImportStore, WriterLink, openImportPipe, startWriterThread } from '../../src/engine/history/importPipe';
import { MessageChannel } from 'node:worker_threads';
import { UnitWriter } from '../../src/engine/history/importWriter';
import { IMPORT_WORKER_FILE, importOnThread, writerThreadWanted } from '../../src/engine/history/workerImport';
import { FakeClock } from '../../src/engine/platform/clock';
import type { FromImportWriter } from '../../src/engine/history/importPipe';
import type { Message, Session } from '../../src/engine/protocol';
import { newSession } from '../../src/engine/sessions/model';
import { openStore } from '../../src/engine/store/sqliteStore';
import { engineAnnounced, engineSide, engineWaiting } from '../../src/engine/store/writeGate';
import { TEST_DRIVER, openTestDb } from '../helpers/storeDriver';
import { cleanupTmpDirs, tmpDir } from '../helpers/tmp';

const clock = () => new FakeClock(Date.parse('2026-12-04T12:00:00.000Z'));

/** JSON columns parsed: where a slice ends moves the order of keys (a patch merged before or after its item's commit), not the data. */
const parsed = (rows: Record<string, unknown>[]) => rows.map(r => ({ ...r, data: JSON.parse(String(r.data)) as unknown }));

/** The names of the file's tables and indexes. */
function schema(file: string): string[] {
  const db = openTestDb(file);
  try { return db.prepare('SELECT name FROM sqlite_master ORDER BY name').all().map(r => String(r.name)); } finally { db.close(); }
}

/** Every row the import writes, in a stable order (timestamps of the writes themselves left out). */
function dump(file: string): Record<string, unknown[]> {
  const db = openTestDb(file);
  try {
    return {
      sessions: parsed(db.prepare('SELECT id, provider, mode, provider_session_id, status, last_activity_at, data FROM sessions ORDER BY id').all()),
      messages: parsed(db.prepare('SELECT id, session_id, seq, kind, text, created_at, data FROM messages ORDER BY id').all()),
      usage: db.prepare('SELECT * FROM token_usage ORDER BY session_id, message_key').all(),
      sources: db.prepare('SELECT path, session_id, provider_session_id, offset, state FROM sources ORDER BY path').all(),
      kv: db.prepare("SELECT key, value FROM kv WHERE key NOT LIKE 'fts%' ORDER BY key").all(),
      indexed: db.prepare("SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'the' ORDER BY rowid").all(),
    };
  } finally { db.close(); }
}

function session(id: string, providerSessionId: string): Session {
  return { ...newSession({ id, provider: 'claude', mode: 'passive', providerSessionId }, Date.parse('2026-12-01T10:00:00.000Z')), status: 'ended' };
}

function message(sessionId: string, seq: number, text = `item ${seq}`): Message {
  return { id: `${sessionId}:m${seq}`, sessionId, seq, kind: 'agent', text, createdAt: '2026-12-01T10:00:00.000Z' } as Message;
}

function batchUnit(seq: number, p: string, s: Session, messages: Message[]): ImportUnit {
  return { seq, path: p, ops: [{ op: 'batch', batch: { sessions: [s], messages, patches: [], offsets: [{ path: p, sessionId: s.id, providerSessionId: s.providerSessionId, offset: seq * 100 }], kv: [] } }] };
}

/** Lets promise callbacks and timers run (the writer's wake-ups are on the event loop). */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (cond()) return;
    await new Promise(r => setTimeout(r, 2));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('history import on two threads: mapping and writing (issue 14)', function () {
  this.timeout(180_000);
  let corpus: Corpus;
  before(() => { corpus = ensureCorpus(tmpDir('fd-import-pipe-'), 8 * 1024 * 1024, () => {}, 'short'); });
  after(cleanupTmpDirs);

  it('is on unless FLIGHTDECK_IMPORT_WRITER_THREAD says 0 / false / no', () => {
    assert.equal(writerThreadWanted({}), true);
    assert.equal(writerThreadWanted({ FLIGHTDECK_IMPORT_WRITER_THREAD: '1' }), true);
    for (const off of ['0', 'false', 'NO']) assert.equal(writerThreadWanted({ FLIGHTDECK_IMPORT_WRITER_THREAD: off }), false, off);
  });

  it('stores exactly what the one-thread import stores: sessions, items, token usage, offsets, search index', async () => {
    const files: string[] = [];
    for (const pipeline of [false, true]) {
      const file = path.join(tmpDir(), 'flightdeck.db');
      const store = openStore({ file, clock: clock(), driver: TEST_DRIVER });
      const logs: string[] = [];
      const summary = await importOnThread({
        store, log: (l, m) => logs.push(`${l} ${m}`), codexHome: corpus.codexHome, claudeHome: corpus.claudeHome,
        skipRecentMs: 0, loaded: [], onProgress: () => {}, pipeline, usageKeyIndexDeferRows: 100,
      });
      assert.equal(summary.counts.notStored, 0);
      // The usage index by message key went while the writing thread wrote, and is back (usageKeyIndex.ts).
      assert.ok(logs.some(l => /^debug store: token_usage_by_key dropped until this import ends/.test(l)), logs.join('\n'));
      assert.ok(schema(file).includes('token_usage_by_key'));
      assert.ok(summary.counts.items > 5_000, `the corpus has items (${summary.counts.items})`);
      assert.ok(!logs.some(l => l.startsWith('warn history: the writing thread')), logs.join('\n'));
      assert.equal(store.searchIndexPercent(), undefined, 'the search index is complete when the import returns');
      store.close();
      files.push(file);
    }
    const [one, two] = files.map(dump);
    for (const table of Object.keys(one)) {
      assert.ok(one[table].length > 0 || table === 'kv', `${table} has rows`);
      assert.deepEqual(two[table], one[table], `${table}: the same rows on two threads as on one`);
    }
    assert.deepEqual(schema(files[1]), schema(files[0]), 'the same tables and indexes');
  });

  it('a writing thread that fails to start, or dies mid-import, leaves the import thread writing by itself from the last commit: the store ends as on one thread', async () => {
    const one = path.join(tmpDir(), 'flightdeck.db');
    const oneStore = openStore({ file: one, clock: clock(), driver: TEST_DRIVER });
    await importOnThread({ store: oneStore, log: () => {}, codexHome: corpus.codexHome, claudeHome: corpus.claudeHome, skipRecentMs: 0, loaded: [], onProgress: () => {}, pipeline: false });
    oneStore.close();
    const real = path.dirname(IMPORT_WORKER_FILE);
    const writers = {
      // Its store cannot open (a driver that does not load there, say): it says so and ends.
      'fails to start': `throw new Error('no SQLite on this thread');`,
      // The real writer, ended at its 10th unit with whatever it committed by then (the corpus makes 35 or more: a file each) (as a kill would).
      'dies mid-import': `const { workerData } = require('node:worker_threads');
require(${JSON.stringify(path.join(real, 'importWriter.js'))});
let n = 0;
workerData.port.on('message', m => { if (m.type === 'unit' && ++n === 10) process.exit(3); });`,
    };
    for (const [what, code] of Object.entries(writers)) {
      // The import thread's script, beside a writer script of the test's own (the writer is looked for beside it).
      const dir = tmpDir();
      fs.writeFileSync(path.join(dir, 'importWorker.js'), `require(${JSON.stringify(path.join(real, 'importWorker.js'))});`);
      fs.writeFileSync(path.join(dir, 'importWriter.js'), code);
      const file = path.join(tmpDir(), 'flightdeck.db');
      const store = openStore({ file, clock: clock(), driver: TEST_DRIVER });
      const logs: string[] = [];
      const summary = await importOnThread({
        store, log: (l, m) => logs.push(`${l} ${m}`), codexHome: corpus.codexHome, claudeHome: corpus.claudeHome,
        skipRecentMs: 0, loaded: [], onProgress: () => {}, pipeline: true, workerFile: path.join(dir, 'importWorker.js'),
      });
      store.close();
      assert.equal(summary.counts.notStored, 0, what);
      assert.ok(logs.some(l => l.includes('this thread goes on writing by itself from the last commit')), `${what}: ${logs.join('\n')}`);
      assert.ok(logs.some(l => /^warn history: the writing thread (failed: no SQLite on this thread|ended \(exit code 3\))/.test(l)), `${what}: the reason is logged: ${logs.join('\n')}`);
      const [want, got] = [dump(one), dump(file)];
      for (const table of Object.keys(want)) assert.deepEqual(got[table], want[table], `${what}: ${table}`);
    }
  });

  it('the mapping thread reads what it sent and the writer has not committed; an ack or a rollback forgets it', () => {
    const file = path.join(tmpDir(), 'flightdeck.db');
    const read = openStore({ file, clock: clock(), driver: TEST_DRIVER });
    const sent: { unit: ImportUnit; forget: () => void }[] = [];
    const piped = new PipedImportStore(read, { send: (unit, _items, _text, forget) => sent.push({ unit, forget }) });
    const s = session(historySessionId('claude', 'p-1'), 'p-1');
    piped.atomic(() => {
      piped.saveSession(s);
      piped.saveImportBatch({ sessions: [s], messages: [message(s.id, 0), message(s.id, 1)], patches: [], offsets: [], kv: [] });
      assert.equal(piped.recordTokenUsage({ sessionId: s.id, messageKey: 'msg_1', model: 'm', input: 1, output: 2, cacheRead: 0, cacheCreation: 0, at: null }), true);
      assert.equal(piped.recordTokenUsage({ sessionId: s.id, messageKey: 'msg_1', model: 'm', input: 1, output: 2, cacheRead: 0, cacheCreation: 0, at: null }), false, 'counted once within a unit');
    });
    assert.equal(sent.length, 1, 'one atomic() is one unit');
    assert.deepEqual(sent[0].unit.ops.map(o => o.op), ['session', 'batch', 'usage']);
    // Nothing is in the database: the answers come from the overlay.
    assert.equal(read.getSession(s.id), undefined);
    assert.equal(piped.findSessionByProviderId('claude', 'p-1')?.id, s.id);
    assert.equal(piped.getSession(s.id)?.id, s.id);
    assert.equal(piped.maxSeq(s.id), 1);
    assert.equal(piped.hasCommittedMessage(`${s.id}:m1`), true);
    assert.equal(piped.hasTokenUsage(s.id, 'msg_1'), true);
    // The ack: the database is asked again (here it has nothing, so the overlay is seen to be gone).
    sent[0].forget();
    assert.equal(piped.findSessionByProviderId('claude', 'p-1'), undefined);
    assert.equal(piped.maxSeq(s.id), -1);
    assert.equal(piped.hasCommittedMessage(`${s.id}:m1`), false);
    assert.equal(piped.hasTokenUsage(s.id, 'msg_1'), false);
    // A slice that throws (rolled back by the import) is neither sent nor remembered, except its seq high-water mark.
    const t = session(historySessionId('claude', 'p-2'), 'p-2');
    assert.throws(() => piped.atomic(() => {
      piped.saveImportBatch({ sessions: [t], messages: [message(t.id, 4)], patches: [], offsets: [], kv: [] });
      throw new Error('rolled back');
    }), /rolled back/);
    assert.equal(sent.length, 1);
    assert.equal(piped.findSessionByProviderId('claude', 'p-2'), undefined);
    assert.equal(piped.hasCommittedMessage(`${t.id}:m4`), false);
    assert.equal(piped.maxSeq(t.id), 4, 'a seq is never given twice');
    read.close();
  });

  it('the overlay answers the same whenever it is first asked: units in flight, the one being filled, acks and rollbacks in any order', () => {
    // The overlay keeps its item ids and usage keys only once asked (IdOverlay): every answer must be
    // what a plain record of what was sent and not acknowledged says, at whatever point it is asked.
    const file = path.join(tmpDir(), 'flightdeck.db');
    const read = openStore({ file, clock: clock(), driver: TEST_DRIVER });
    const s = session(historySessionId('claude', 'p-ov'), 'p-ov');
    const usage = (k: number) => ({ sessionId: s.id, messageKey: `msg_${k}`, model: 'm', input: 1, output: 1, cacheRead: 0, cacheCreation: 0, at: null });
    type Step = { type: 'unit'; items: number[]; usage: number[]; ask: number[]; rollback: boolean } | { type: 'ack' };
    const step = fc.oneof(
      fc.record({ type: fc.constant('unit' as const), items: fc.array(fc.integer({ min: 0, max: 8 }), { maxLength: 4 }), usage: fc.array(fc.integer({ min: 0, max: 8 }), { maxLength: 3 }), ask: fc.array(fc.integer({ min: 0, max: 8 }), { maxLength: 3 }), rollback: fc.boolean() }),
      fc.constant({ type: 'ack' as const }),
    );
    fc.assert(fc.property(fc.array(step, { maxLength: 25 }), fc.array(fc.integer({ min: 0, max: 8 }), { maxLength: 6 }), (steps: Step[], finalAsks) => {
      const sent: { forget: () => void; items: number[]; usage: number[] }[] = [];
      const piped = new PipedImportStore(read, { send: (_unit, _items, _text, forget) => sent.push({ forget, items: [], usage: [] }) });
      /** What was sent and not acknowledged: the reference the overlay is held to. */
      const expectItem = (k: number, open: number[] = []) => open.includes(k) || sent.some(u => u.items.includes(k));
      const expectUsage = (k: number, open: number[] = []) => open.includes(k) || sent.some(u => u.usage.includes(k));
      let seq = 0;
      for (const st of steps) {
        if (st.type === 'ack') { sent.shift()?.forget(); continue; }
        const openItems: number[] = [];
        const openUsage: number[] = [];
        const before = sent.length;
        try {
          piped.atomic(() => {
            for (const k of st.ask) {
              assert.equal(piped.hasCommittedMessage(`${s.id}:m${k}`), expectItem(k, openItems), `item ${k} asked inside a unit`);
              assert.equal(piped.hasTokenUsage(s.id, `msg_${k}`), expectUsage(k, openUsage), `usage ${k} asked inside a unit`);
            }
            if (st.items.length) {
              piped.saveImportBatch({ sessions: [], messages: st.items.map(k => ({ ...message(s.id, k), seq: seq++ })), patches: [], offsets: [], kv: [] });
              openItems.push(...st.items);
            }
            for (const k of st.usage) {
              const recorded = piped.recordTokenUsage(usage(k));
              assert.equal(recorded, !expectUsage(k, openUsage), `usage ${k} counted once`);
              if (recorded) openUsage.push(k);
            }
            if (st.rollback) throw new Error('rolled back');
          });
        } catch (e) {
          if ((e as Error).message !== 'rolled back') throw e;
        }
        if (sent.length > before) Object.assign(sent[sent.length - 1], { items: openItems, usage: openUsage });
      }
      for (const k of finalAsks) {
        assert.equal(piped.hasCommittedMessage(`${s.id}:m${k}`), expectItem(k), `item ${k}`);
        assert.equal(piped.hasTokenUsage(s.id, `msg_${k}`), expectUsage(k), `usage ${k}`);
      }
      while (sent.length) sent.shift()!.forget();
      for (const k of finalAsks) assert.equal(piped.hasCommittedMessage(`${s.id}:m${k}`), false, `item ${k} after every ack`);
    }), { numRuns: 1_000 });
    read.close();
  });

  it('the window counts what the units carry, not the lines they came from: a long tool output fills it, a file of short items does not', async () => {
    const file = path.join(tmpDir(), 'flightdeck.db');
    const read = openStore({ file, clock: clock(), driver: TEST_DRIVER });
    const sizes: number[] = [];
    const piped = new PipedImportStore(read, { send: (_unit, _items, bytes) => sizes.push(bytes) });
    const s = session(historySessionId('claude', 'p-w'), 'p-w');
    // 200 short items from 5 MB of lines (metadata no unit carries): a few KB of payload.
    piped.atomic(() => piped.saveImportBatch({
      sessions: [], patches: [], kv: [],
      messages: Array.from({ length: 200 }, (_, i) => message(s.id, i, 'short reply')),
      offsets: [{ path: '/short.jsonl', sessionId: s.id, providerSessionId: 'p-w', offset: 5 * 1024 * 1024 }],
    }));
    // One item whose output (in the row's data, not its text) is 3 MB, from as many bytes of lines.
    const big = { ...message(s.id, 200, 'npm test'), kind: 'command', output: 'x'.repeat(3 * 1024 * 1024) } as Message;
    piped.atomic(() => piped.saveImportBatch({
      sessions: [], patches: [], kv: [], messages: [big],
      offsets: [{ path: '/short.jsonl', sessionId: s.id, providerSessionId: 'p-w', offset: 8 * 1024 * 1024 }],
    }));
    // A patch carrying a result's output counts too.
    piped.atomic(() => piped.saveImportBatch({ sessions: [], messages: [], kv: [], offsets: [], patches: [{ id: big.id, output: 'y'.repeat(100_000) }] }));
    assert.ok(sizes[0] < 200 * 256, `200 short items carry ${sizes[0]} characters, not the 5 MB of their lines`);
    assert.ok(sizes[1] > 3 * 1024 * 1024, `the 3 MB output counts: ${sizes[1]}`);
    assert.ok(sizes[2] > 100_000, `the patch's output counts: ${sizes[2]}`);
    read.close();

    // The link waits once the units in flight carry more than the window, and goes on at their ack.
    const { port1, port2 } = new MessageChannel();
    const link = WriterLink.over(port1, () => {});
    const unit = (seq: number): ImportUnit => ({ seq, path: null, ops: [] });
    link.send(unit(1), 1, PIPE_DEFAULTS.windowBytes / 2, () => {});
    assert.equal(link.room(), null, 'half the window: room');
    link.send(unit(2), 1, PIPE_DEFAULTS.windowBytes / 2 + 1, () => {});
    const waiting = link.room();
    assert.ok(waiting, 'past the window: the import waits');
    port2.postMessage({ type: 'ack', seq: 2 } satisfies FromImportWriter);
    await waiting;
    assert.equal(link.room(), null, 'acked: room again');
    port1.close();
    port2.close();
  });

  it('the window\'s characters count until the writer has written them, its items until their commit', async () => {
    const { port1, port2 } = new MessageChannel();
    // The writer's messages arrive in order: a log line after them says they have all been handled.
    let handled: () => void = () => {};
    const link = WriterLink.over(port1, (_level, message) => { if (message === 'sync') handled(); });
    const writerSays = async (...ms: FromImportWriter[]) => {
      const done = new Promise<void>(r => { handled = r; });
      for (const m of ms) port2.postMessage(m);
      port2.postMessage({ type: 'log', level: 'info', message: 'sync' } satisfies FromImportWriter);
      await done;
    };
    const watch = (p: Promise<void> | null) => {
      assert.ok(p, 'the import waits');
      const w = { woken: false };
      void p.then(() => { w.woken = true; });
      return w;
    };
    const unit = (seq: number): ImportUnit => ({ seq, path: null, ops: [] });
    try {
      // A large output: past the characters of the window. Written into the open transaction, it no
      // longer takes memory on its way: the import goes on before the commit.
      link.send(unit(1), 1, PIPE_DEFAULTS.windowBytes + 1, () => {});
      const chars = watch(link.room());
      await writerSays();
      assert.equal(chars.woken, false, 'nothing written yet: still waiting');
      await writerSays({ type: 'written', seq: 1 });
      assert.equal(chars.woken, true, 'written: the import goes on without waiting for the commit');
      assert.equal(link.room(), null);

      // Items past the window: being written is not enough (the overlay holds their keys until the commit).
      let forgotten = 0;
      link.send(unit(2), PIPE_DEFAULTS.windowItems + 1, 10, () => { forgotten++; });
      const items = watch(link.room());
      await writerSays({ type: 'written', seq: 2 }, { type: 'ack', seq: 1 });
      assert.equal(items.woken, false, 'written, and an earlier unit committed: still more items than the window');
      assert.equal(forgotten, 0);
      await writerSays({ type: 'ack', seq: 2 });
      assert.equal(items.woken, true, 'committed: room again');
      assert.equal(forgotten, 1, 'the overlay forgets it at the commit');
      assert.equal(link.room(), null);

      // A unit committed with no `written` before (the writer passed over it) leaves the window too.
      link.send(unit(3), 1, PIPE_DEFAULTS.windowBytes + 1, () => {});
      const passed = watch(link.room());
      await writerSays({ type: 'ack', seq: 3 });
      assert.equal(passed.woken, true);
      assert.equal(link.room(), null);
    } finally {
      port1.close();
      port2.close();
    }
  });

  it('a unit the writer cannot store stops its file; the transaction\'s other files are read again next time; later units go on', () => {
    const file = path.join(tmpDir(), 'flightdeck.db');
    const store = openStore({ file, clock: clock(), driver: TEST_DRIVER, bulkWriterGate: new SharedArrayBuffer(8) });
    const posted: FromImportWriter[] = [];
    const w = new UnitWriter({ store, post: m => posted.push(m), engineWants: () => false, untilEngineWants: () => new Promise(() => {}), transactionMs: 60_000 });
    const a = session('a0000000-0000-5000-8000-000000000001', 'a');
    const b = session('b0000000-0000-5000-8000-000000000002', 'b');
    w.add(batchUnit(1, '/a.jsonl', a, [message(a.id, 0)]));
    w.add(batchUnit(2, '/b.jsonl', b, [message(b.id, 0)]));
    // Token usage of a session that has no row: the foreign key refuses it.
    w.add({ seq: 3, path: '/b.jsonl', ops: [{ op: 'usage', usage: { sessionId: 'no-such-session', messageKey: 'k', model: null, input: 1, output: 1, cacheRead: 0, cacheCreation: 0, at: null } }] });
    w.add(batchUnit(4, '/b.jsonl', b, [message(b.id, 1)]));
    w.add(batchUnit(5, '/c.jsonl', session('c0000000-0000-5000-8000-000000000003', 'c'), [message('c0000000-0000-5000-8000-000000000003', 0)]));
    w.end();
    const notStored = posted.filter(m => m.type === 'notStored').map(m => (m as { path: string }).path).sort();
    assert.deepEqual(notStored, ['/a.jsonl', '/b.jsonl'], 'the failing unit\'s file and the file rolled back with it');
    const acks = posted.filter(m => m.type === 'ack').map(m => (m as { seq: number }).seq);
    assert.equal(acks[acks.length - 1], 5, 'every unit is acknowledged, in order');
    assert.deepEqual(acks, [...acks].sort((x, y) => x - y));
    assert.equal(posted[posted.length - 1].type, 'ended');
    const rows = dump(file);
    assert.deepEqual(rows.messages.map(r => (r as { id: string }).id), ['c0000000-0000-5000-8000-000000000003:m0'], 'only the file after the failure is stored');
    assert.deepEqual(rows.sources.map(r => (r as { path: string }).path), ['/c.jsonl'], 'no offset moved past what was lost');
  });

  it('an open transaction of the writer commits as soon as the engine announces a write, even with no unit coming', async () => {
    const file = path.join(tmpDir(), 'flightdeck.db');
    const engineStore = openStore({ file, clock: clock(), driver: TEST_DRIVER });
    const gate = engineStore.writeGate;
    const store = openStore({ file, clock: clock(), driver: TEST_DRIVER, bulkWriterGate: gate });
    const posted: FromImportWriter[] = [];
    const w = new UnitWriter({ store, post: m => posted.push(m), engineWants: () => engineWaiting(gate), untilEngineWants: ms => engineAnnounced(gate, ms), transactionMs: 60_000 });
    const a = session('a0000000-0000-5000-8000-000000000001', 'a');
    w.add(batchUnit(1, '/a.jsonl', a, [message(a.id, 0)]));
    const engine = engineSide(gate);
    assert.equal(posted.some(m => m.type === 'ack'), false, 'the unit waits in the open transaction');
    assert.deepEqual(posted.filter(m => m.type === 'written'), [{ type: 'written', seq: 1 }], 'written at once: the import may send more');
    assert.equal(engine.ready(), false, 'the import holds the database');
    await until(() => posted.some(m => m.type === 'ack'), 'the writer to commit for the engine');
    assert.equal(engine.ready(), true, 'the engine may write now');
    engine.enter();
    engine.leave();
    assert.equal(openTestDb(file).prepare('SELECT COUNT(*) AS n FROM messages').get()?.n, 1, 'the unit was committed');
    // The engine did not wait for the search index: the row is indexed later, at the latest at the end.
    const indexed = () => Number(openTestDb(file).prepare("SELECT COUNT(*) AS n FROM messages_fts WHERE messages_fts MATCH 'item'").get()?.n);
    assert.equal(indexed(), 0, 'not indexed in the commit the engine waited for');
    w.end();
    assert.equal(indexed(), 1, 'indexed by the end of the import');
    engineStore.close();
  });

  it('the end goes out right behind the last unit, so a writer holding its transaction open commits at once', async () => {
    // The writer commits when its transaction is 50 ms old or when the end comes. A stand-in at the
    // channel's other end that acknowledges only at the end: drain() must send the end before it
    // waits for acknowledgements (it used to wait first, leaving the writer idle until its timer).
    const { port1, port2 } = new MessageChannel();
    const link = WriterLink.over(port1, () => {});
    const seen: string[] = [];
    let last = 0;
    port2.on('message', (m: { type: string; unit?: ImportUnit }) => {
      seen.push(m.type);
      if (m.type === 'unit') last = m.unit!.seq;
      else if (m.type === 'end') { port2.postMessage({ type: 'ack', seq: last } satisfies FromImportWriter); port2.postMessage({ type: 'ended' } satisfies FromImportWriter); }
    });
    let forgotten = 0;
    for (const seq of [1, 2]) link.send({ seq, path: `/h/${seq}.jsonl`, ops: [] }, 1, 100, () => { forgotten++; });
    let bound: NodeJS.Timeout | undefined;
    const stuck = new Promise<never>((_, reject) => { bound = setTimeout(() => reject(new Error('drain() waited for acknowledgements the writer gives only at the end')), 10_000); });
    try {
      assert.deepEqual(await Promise.race([link.drain(), stuck]), { notStored: 0 });
    } finally { clearTimeout(bound); }
    assert.deepEqual(seen, ['unit', 'unit', 'end']);
    assert.equal(forgotten, 2, 'both units acknowledged');
    port1.close();
  });

  it('a writer thread that dies ends the import with one clear error instead of failing each file after it', async () => {
    const file = path.join(tmpDir(), 'flightdeck.db');
    const read = openStore({ file, clock: clock(), driver: TEST_DRIVER });
    // A stand-in writer that starts, then dies at its first unit (as a thread out of its heap does).
    const dying = path.join(tmpDir(), 'dyingWriter.js');
    fs.writeFileSync(dying, `const { workerData } = require('node:worker_threads');
workerData.port.on('message', () => { process.exit(3); });`);
    const logs: string[] = [];
    const writer = startWriterThread({ file, driver: TEST_DRIVER, gate: read.writeGate }, (l, m) => logs.push(`${l} ${m}`), dying);
    const pipe = openImportPipe(read, writer.port, (l, m) => logs.push(`${l} ${m}`));
    await assert.rejects(
      importHistory({ store: pipe.store, writeBehind: pipe.writeBehind, log: (l, m) => logs.push(`${l} ${m}`), codexHome: corpus.codexHome, claudeHome: corpus.claudeHome }),
      (e: unknown) => e instanceof FatalImportError && /writer thread ended before the import did/.test((e as Error).message),
    );
    await until(() => logs.some(l => /warn history: the writing thread ended \(exit code 3\)/.test(l)), 'the reason in the log');
    assert.equal(logs.filter(l => l.includes('could not be read')).length, 0, 'no file was counted unreadable for it');
    await pipe.close();
    read.close();
  });
});

