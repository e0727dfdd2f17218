// History (SPEC §11) on a real SQLite file: paged groups and sessions that never join the live list,
// opening a past session, archive / un-archive, delete with session_removed, retention.
import * as assert from 'node:assert/strict';
import type { ServerMessage } from '../../src/engine/protocol';
import { ClientConnection, attachReplay } from '../../src/engine/clients/connection';
import { startRetention } from '../../src/engine/history/retention';
import { iso } from '../../src/engine/platform/clock';
import { DAY, writePast } from '../fixtures/historyStore';
import { makeEngine, type TestEngine } from '../helpers/engine';
import { openTestDb } from '../helpers/storeDriver';
import { cleanupTmpDirs } from '../helpers/tmp';

function connect(t: TestEngine) {
  const sent: ServerMessage[] = [];
  const conn = new ClientConnection({ engine: t.engine, replay: attachReplay(t.engine), serverVersion: 't', send: m => sent.push(m) });
  let n = 0;
  const ask = async <T extends ServerMessage['type']>(msg: Record<string, unknown>): Promise<Extract<ServerMessage, { type: T }> | Extract<ServerMessage, { type: 'error' }>> => {
    const requestId = `q${++n}`;
    await conn.handle({ ...msg, requestId });
    const answer = sent.find(m => 'requestId' in m && m.requestId === requestId);
    assert.ok(answer, `an answer to ${String(msg.type)}`);
    return answer as never;
  };
  return { conn, sent, ask };
}

describe('history: paged past sessions, archive, delete, retention', () => {
  let t: TestEngine;
  afterEach(() => { t?.close(); cleanupTmpDirs(); });

  it('lists projects, their days and pages of sessions from the store, never in the live list', async () => {
    t = makeEngine();
    const now = t.clock.now();
    writePast(t.store, [
      { id: 'a1', cwd: '/w/shop', at: now - 2 * DAY },
      { id: 'a2', cwd: '/w/shop', at: now - 2 * DAY + 1000 },
      { id: 'a3', cwd: '/w/shop', at: now - 5 * DAY },
      { id: 'b1', cwd: '/w/blog', at: now - 1 * DAY, provider: 'claude' },
      { id: 'n1', cwd: null, at: now - 9 * DAY },
    ]);
    t = t.restart();
    const live = t.engine.createSession({ provider: 'codex', mode: 'direct', cwd: '/w/shop' });
    assert.deepEqual(t.engine.listSessions().map(s => s.id), [live.id], 'the restore left every history session out');

    const { ask, sent } = connect(t);
    await ask({ type: 'subscribe_list' });
    const list = sent.find(m => m.type === 'sessions_list');
    assert.ok(list?.type === 'sessions_list' && list.sessions.every(s => s.endReason !== 'history'));

    const projects = await ask<'history_groups'>({ type: 'list_history_groups' });
    assert.equal(projects.type, 'history_groups');
    if (projects.type !== 'history_groups') return;
    assert.deepEqual(projects.groups.map(g => [g.cwd, g.label, g.count]), [['/w/blog', 'blog', 1], ['/w/shop', 'shop', 3], [null, '(no folder)', 1]]);

    const days = await ask<'history_groups'>({ type: 'list_history_groups', cwd: '/w/shop' });
    assert.ok(days.type === 'history_groups');
    assert.deepEqual(days.groups.map(g => [g.day, g.count]), [[iso(now - 2 * DAY).slice(0, 10), 2], [iso(now - 5 * DAY).slice(0, 10), 1]]);
    // The client's time zone decides the day: 2025-12-30T00:00Z is still the 29th at UTC-1.
    const west = await ask<'history_groups'>({ type: 'list_history_groups', cwd: '/w/shop', utcOffsetMinutes: -60 });
    assert.ok(west.type === 'history_groups');
    assert.deepEqual(west.groups.map(g => g.day), ['2025-12-29', '2025-12-26']);

    const day = days.groups[0].day!;
    const page1 = await ask<'history_sessions'>({ type: 'list_history_sessions', cwd: '/w/shop', day, limit: 1 });
    assert.ok(page1.type === 'history_sessions');
    assert.deepEqual(page1.sessions.map(s => s.id), ['a2']);
    assert.ok(page1.nextCursor);
    const page2 = await ask<'history_sessions'>({ type: 'list_history_sessions', cwd: '/w/shop', day, limit: 1, cursor: page1.nextCursor });
    assert.ok(page2.type === 'history_sessions');
    assert.deepEqual(page2.sessions.map(s => s.id), ['a1']);
    assert.equal(page2.nextCursor, null);
    const all = await ask<'history_sessions'>({ type: 'list_history_sessions', cwd: null });
    assert.ok(all.type === 'history_sessions');
    assert.deepEqual(all.sessions.map(s => s.id), ['n1']);
  });

  it('the history and restore queries run on their indexes (10,000 past sessions cost the live list nothing)', () => {
    t = makeEngine();
    const now = t.clock.now();
    writePast(t.store, Array.from({ length: 10_000 }, (_, i) => ({ id: `h${i}`, cwd: `/w/p${i % 40}`, at: now - (i % 700) * 3_600_000 - i, messages: [] })));
    t.engine.createSession({ provider: 'codex', mode: 'direct', cwd: '/w/live' });
    t = t.restart();
    assert.equal(t.engine.listSessions().length, 1, 'only the live session is restored');
    const t0 = performance.now();
    const projects = t.engine.historyGroups({});
    const days = t.engine.historyGroups({ cwd: '/w/p7' });
    const page = t.engine.historySessions({ cwd: '/w/p7', day: days[0].day!, limit: 100 });
    const ms = performance.now() - t0;
    assert.equal(projects.length, 40);
    assert.equal(projects.reduce((n, g) => n + g.count, 0), 10_000);
    assert.equal(days.reduce((n, g) => n + g.count, 0), 250);
    assert.ok(page.sessions.length > 0);
    // The plans, not the clock, are what must hold on a loaded machine.
    const plan = (sql: string, ...p: (string | null)[]) => JSON.stringify(openPlan(t, sql, p));
    assert.match(plan("SELECT cwd, COUNT(*) FROM sessions WHERE status = 'ended' AND archived_at IS NULL GROUP BY cwd"), /sessions_history/);
    assert.match(plan("SELECT id FROM sessions WHERE status = 'ended' AND archived_at IS NULL AND cwd IS ? AND last_activity_at >= ? ORDER BY last_activity_at DESC", '/w/p7', iso(now)), /sessions_history/);
    assert.match(plan("SELECT data FROM sessions WHERE archived_at IS NULL AND (end_reason IS NULL OR end_reason NOT IN ('history', 'archived')) ORDER BY last_activity_at DESC LIMIT 5"), /sessions_live/);
    process.stdout.write(`      (projects + days + one page over 10,000 past sessions: ${ms.toFixed(1)} ms)\n`);
  });

  it('a past session opens from the store without joining the list, and joins it when it changes', async () => {
    t = makeEngine();
    const now = t.clock.now();
    writePast(t.store, [{ id: 'old', at: now - 3 * DAY, messages: Array.from({ length: 250 }, (_, i) => ({ kind: i % 2 ? 'agent' as const : 'user' as const, text: `line ${i}` })) }]);
    t = t.restart();
    const { ask } = connect(t);
    const snap = await ask<'session_snapshot'>({ type: 'subscribe_session', sessionId: 'old' });
    assert.ok(snap.type === 'session_snapshot', JSON.stringify(snap));
    assert.equal(snap.messages.length, 200);
    assert.equal(snap.hasMore, true);
    const older = await ask<'messages_page'>({ type: 'load_messages', sessionId: 'old', beforeSeq: snap.messages[0].seq, limit: 200 });
    assert.ok(older.type === 'messages_page');
    assert.equal(older.messages.length, 50);
    assert.equal(older.hasMore, false);
    assert.equal(t.engine.listSessions().length, 0, 'opening it did not put it in the live list');
    assert.ok(!t.events.some(e => e.type === 'session_created'));

    t.engine.apply('old', { type: 'reactivated' });
    assert.deepEqual(t.engine.listSessions().map(s => s.id), ['old']);
    assert.ok(t.events.some(e => e.type === 'session_created' && e.session.id === 'old'), 'list subscribers hear of it first');
  });

  it('archive hides an ended session from the list and History, keeps it searchable; un-archive brings it back', async () => {
    t = makeEngine();
    const s = t.engine.createSession({ provider: 'claude', mode: 'passive', cwd: '/w/shop' });
    t.engine.appendMessage(s.id, { id: 'u1', kind: 'user', text: 'migrate the invoices table', createdAt: iso(t.clock.now()) });
    const { ask, sent } = connect(t);
    await ask({ type: 'subscribe_list' });
    const refused = await ask<'error'>({ type: 'archive_session', sessionId: s.id });
    assert.ok(refused.type === 'error' && refused.code === 'conflict' && /end it/.test(refused.message), JSON.stringify(refused));

    await t.engine.end(s.id);
    assert.equal(t.engine.historyGroups({})[0].count, 1, 'an ended live session is part of History');
    const ok = await ask<'result'>({ type: 'archive_session', sessionId: s.id });
    assert.equal(ok.type, 'result');
    const removed = sent.find(m => m.type === 'session_removed');
    assert.ok(removed?.type === 'session_removed' && removed.sessionId === s.id);
    assert.equal(t.engine.listSessions().length, 0);
    assert.deepEqual(t.engine.historyGroups({}), []);
    assert.deepEqual(t.engine.historyGroups({ scope: 'archived' }).map(g => g.count), [1]);
    assert.deepEqual(t.engine.search('invoices').map(h => h.sessionId), [s.id], 'still searchable');
    t = t.restart();
    assert.equal(t.engine.listSessions().length, 0, 'not restored into the list either');

    t.engine.archive(s.id, false);
    assert.deepEqual(t.engine.historyGroups({}).map(g => g.count), [1]);
    assert.deepEqual(t.engine.historyGroups({ scope: 'archived' }), []);
  });

  it('delete removes the session, its items and their index rows, and tells every list', async () => {
    t = makeEngine();
    const now = t.clock.now();
    writePast(t.store, [
      { id: 'gone', at: now - DAY, messages: [{ kind: 'user', text: 'rotate the zebrafish keys' }, { kind: 'agent', text: 'rotated zebrafish' }] },
      { id: 'kept', at: now - DAY, messages: [{ kind: 'user', text: 'zebrafish elsewhere' }] },
    ]);
    const active = t.engine.createSession({ provider: 'codex', mode: 'direct', cwd: '/w' });
    const { ask, sent } = connect(t);
    await ask({ type: 'subscribe_list' });
    const refused = await ask<'error'>({ type: 'delete_session', sessionId: active.id });
    assert.ok(refused.type === 'error' && refused.code === 'conflict');
    const missing = await ask<'error'>({ type: 'delete_session', sessionId: 'nope' });
    assert.ok(missing.type === 'error' && missing.code === 'not_found');

    assert.equal(t.engine.search('zebrafish').length, 3);
    const ok = await ask<'result'>({ type: 'delete_session', sessionId: 'gone' });
    assert.equal(ok.type, 'result');
    const removed = sent.filter(m => m.type === 'session_removed');
    assert.deepEqual(removed.map(m => m.type === 'session_removed' && m.sessionId), ['gone']);
    const list = sent.find(m => m.type === 'sessions_list');
    assert.ok(list?.type === 'sessions_list' && removed[0].type === 'session_removed' && removed[0].listRevision === list.revision + 1, 'the next list revision');
    t.store.flush();
    assert.equal(t.store.getSession('gone'), undefined);
    assert.equal(t.store.countMessages('gone'), 0);
    assert.deepEqual(t.engine.search('zebrafish').map(h => h.sessionId), ['kept'], 'no FTS row points at a deleted item');
    t = t.restart();
    assert.equal(t.store.getSession('gone'), undefined);
  });

  it('retention deletes ended sessions older than the setting at start and then daily; 0 keeps all', async () => {
    t = makeEngine();
    const now = t.clock.now();
    writePast(t.store, [
      { id: 'ancient', at: now - 400 * DAY },
      { id: 'old', at: now - 300 * DAY },
      { id: 'recent', at: now - 10 * DAY },
    ]);
    const live = t.engine.createSession({ provider: 'codex', mode: 'direct', cwd: '/w' });
    t.clock.advance(0);
    const keepAll = startRetention({ engine: t.engine, clock: t.clock, days: 0 });
    assert.equal(await keepAll.run(), 0);
    keepAll.stop();

    const retention = startRetention({ engine: t.engine, clock: t.clock, days: 365, batch: 1 });
    assert.equal(await retention.run(), 1);
    t.store.flush();
    assert.equal(t.store.getSession('ancient'), undefined);
    assert.ok(t.store.getSession('old'));
    assert.ok(t.events.some(e => e.type === 'session_removed' && e.sessionId === 'ancient'));

    // A day later the daily run finds "old" past a 365-day limit? Not yet: 301 days. Move 70 days on.
    t.clock.advance(70 * DAY);
    await new Promise(r => setImmediate(r));
    await retention.run();
    t.store.flush();
    assert.equal(t.store.getSession('old'), undefined, 'the daily run pruned it');
    assert.ok(t.store.getSession('recent'));
    assert.ok(t.store.getSession(live.id), 'an active session is never pruned');
    retention.stop();
  });
});

function openPlan(t: TestEngine, sql: string, params: (string | null)[]): unknown[] {
  const db = openTestDb(t.file);
  try { return db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params); } finally { db.close(); }
}
