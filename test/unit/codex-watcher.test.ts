// The passive Codex watcher over real files and a real SQLite store, with a fake clock for every
// timer (debounce, sweep, seed window, inactivity). File events are fed by hand here (notify); the
// integration test runs chokidar and the real codex binary.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type CodexWatcher, createCodexWatcher, defaultCodexHome } from '../../src/engine/codex/rollout/watcher';
import type { Message, Session } from '../../src/engine/protocol';
import type { LogFn } from '../../src/engine/platform/log';
import { END_REASONS, LIFECYCLE } from '../../src/engine/sessions/lifecycle';
import { makeEngine, type TestEngine } from '../helpers/engine';
import { cleanupTmpDirs, tmpDir } from '../helpers/tmp';
import { L, oneTurn, rolloutPath, sample, threadOfSample, writeRollout } from '../fixtures/rollouts/lines';

const TH = (n: number) => `0000aaaa-0000-7000-8000-${String(n).padStart(12, '0')}`;

describe('codex passive watcher', function () {
  this.timeout(20_000);
  let t: TestEngine;
  let home: string;
  let w: CodexWatcher;
  let logs: string[];
  const log: LogFn = (level, msg) => { logs.push(`${level}: ${msg}`); };

  async function startWatcher(extra: Partial<Parameters<typeof createCodexWatcher>[0]> = {}): Promise<CodexWatcher> {
    w = createCodexWatcher({ engine: t.engine, store: t.store, codexHome: home, clock: t.clock, log, watchFiles: false, ...extra });
    await w.start();
    return w;
  }
  async function restart(): Promise<void> {
    await w.stop();
    t = t.restart();
    await startWatcher();
  }
  const sessionOf = (thread: string): Session => {
    const s = t.engine.findByProviderId('codex', thread);
    assert.ok(s, `a session for ${thread}`);
    return s;
  };
  const messagesOf = (thread: string): Message[] => t.engine.getMessages(sessionOf(thread).id, { limit: 1000 });
  /** Makes a file look last written `agoMs` before the fake clock's now. */
  const age = (file: string, agoMs: number) => { const s = (t.clock.now() - agoMs) / 1000; fs.utimesSync(file, s, s); };

  beforeEach(() => { t = makeEngine(); home = tmpDir('fd-codex-home-'); logs = []; });
  afterEach(async () => { await w?.stop(); t.close(); cleanupTmpDirs(); });

  describe('SPEC §9 scenarios', () => {
    it('1: a passive session closed by the user is active again when its rollout gets a line, in the list and in storage', async () => {
      const file = writeRollout(rolloutPath(home, TH(1)), oneTurn(TH(1), 'Fix the build', 'Done.'));
      await startWatcher();
      const id = sessionOf(TH(1)).id;
      await t.engine.end(id);
      assert.equal(t.engine.getSession(id)?.status, 'ended');
      assert.equal(t.engine.getSession(id)?.endReason, END_REASONS.user);

      fs.appendFileSync(file, L.taskStarted('turn-2') + L.user('turn-2', 'One more thing'));
      w.notify(file);
      t.clock.advance(150);
      const s = t.engine.getSession(id)!;
      assert.equal(s.status, 'active');
      assert.equal(s.endedAt, null);
      assert.equal(s.endReason, null);
      assert.equal(t.engine.listSessions().find(x => x.id === id)?.status, 'active');
      assert.equal(t.store.getSession(id)?.status, 'active');
      assert.equal(t.store.getSession(id)?.endedAt, null);
    });

    it('2: a stale path→session mapping is rebound to the session of the thread id inside the file', async () => {
      const other = t.engine.createSession({ provider: 'codex', mode: 'passive', providerSessionId: TH(99) });
      const file = writeRollout(rolloutPath(home, TH(2)), oneTurn(TH(2), 'Rebind me', 'ok'));
      t.store.setOffset({ path: file, sessionId: other.id, providerSessionId: TH(99), offset: fs.statSync(file).size });
      t.store.flush();
      await startWatcher();
      const s = sessionOf(TH(2));
      assert.notEqual(s.id, other.id);
      assert.equal(s.firstPrompt, 'Rebind me');
      assert.equal(t.engine.getMessages(other.id).length, 0, 'nothing went to the stale session');
      t.store.flush();
      const { state: _state, ...offset } = t.store.getOffset(file)!;
      assert.deepEqual(offset, { path: file, sessionId: s.id, providerSessionId: TH(2), offset: fs.statSync(file).size });
    });

    it('2b: a file whose name disagrees with its session_meta is keyed by the thread id inside', async () => {
      const file = writeRollout(rolloutPath(home, TH(30)), oneTurn(TH(31), 'Inside wins', 'ok'));
      await startWatcher();
      assert.equal(t.engine.findByProviderId('codex', TH(30)), undefined);
      assert.equal(sessionOf(TH(31)).sourcePath, file);
    });

    it('3: lines appended without a file event are picked up by the catch-up sweep', async () => {
      const file = writeRollout(rolloutPath(home, TH(3)), oneTurn(TH(3), 'Sweep', 'ok'));
      await startWatcher();
      fs.appendFileSync(file, L.agent('turn-x', 'appended quietly'));
      t.clock.advance(2_999);
      assert.ok(!messagesOf(TH(3)).some(m => m.text === 'appended quietly'));
      t.clock.advance(1);
      assert.ok(messagesOf(TH(3)).some(m => m.kind === 'agent' && m.text === 'appended quietly'));
    });

    it('4: a response_item message line appends a chat message', async () => {
      const file = writeRollout(rolloutPath(home, TH(4)), L.meta(TH(4)) + L.taskStarted('t4'));
      await startWatcher();
      fs.appendFileSync(file, L.user('t4', 'question via response_item') + L.agent('t4', 'answer via response_item'));
      w.processNow(file);
      const ms = messagesOf(TH(4)).filter(m => m.kind === 'user' || m.kind === 'agent');
      assert.deepEqual(ms.map(m => [m.kind, m.text]), [['user', 'question via response_item'], ['agent', 'answer via response_item']]);
    });

    it('5: bootstrap payloads never name a session', async () => {
      const turnAborted = L.user('t5', '<turn_aborted>\nThe user interrupted the previous turn on purpose.\n</turn_aborted>');
      const legacyEnv = JSON.stringify({ type: 'event_msg', payload: { type: 'user_message', message: '<environment_context><cwd>/x</cwd></environment_context>' } }) + '\n';
      const unlabeled = JSON.stringify({ type: 'response_item', payload: { type: 'message', role: 'user', content: [{ type: 'input_text', text: '<permissions instructions>be careful</permissions instructions>' }] } }) + '\n';
      const file = writeRollout(rolloutPath(home, TH(5)), L.meta(TH(5)) + L.taskStarted('t5') + L.bootstrap('t5') + turnAborted + legacyEnv + unlabeled);
      await startWatcher();
      let s = sessionOf(TH(5));
      assert.equal(s.firstPrompt, null);
      assert.equal(s.displayName, 'proj');
      assert.equal(messagesOf(TH(5)).filter(m => m.kind === 'user').length, 0);
      fs.appendFileSync(file, L.user('t5', '  Real   prompt\nhere '));
      w.processNow(file);
      s = sessionOf(TH(5));
      assert.equal(s.firstPrompt, 'Real prompt here');
      assert.equal(s.displayName, 'Real prompt here');
    });

    it('6: startup backfills passive names from rollout history (first 4,096 lines), without reviving the session', async () => {
      const named = writeRollout(rolloutPath(home, TH(6)), oneTurn(TH(6), 'Name from history', 'ok'));
      const filler = Array.from({ length: 4_100 }, () => L.tokens(1, 1, 1)).join('');
      const late = writeRollout(rolloutPath(home, TH(7)), L.meta(TH(7)) + filler + L.user('t7', 'too late to name'));
      const ids: string[] = [];
      for (const [file, th] of [[named, TH(6)], [late, TH(7)]] as const) {
        const s = t.engine.createSession({ provider: 'codex', mode: 'passive', providerSessionId: th, sourcePath: file, cwd: '/work/proj' });
        t.engine.apply(s.id, { type: 'ended', reason: END_REASONS.timeout });
        t.store.setOffset({ path: file, sessionId: s.id, providerSessionId: th, offset: fs.statSync(file).size });
        ids.push(s.id);
      }
      t.store.flush();
      const before = t.engine.getSession(ids[0])!;
      await startWatcher();
      const s = t.engine.getSession(ids[0])!;
      assert.equal(s.firstPrompt, 'Name from history');
      assert.equal(s.displayName, 'Name from history');
      assert.equal(s.status, 'ended', 'a backfill is not activity');
      assert.equal(s.lastActivityAt, before.lastActivityAt);
      assert.equal(t.engine.getSession(ids[1])!.firstPrompt, null, 'the prompt is past line 4,096');
    });

    it('8: list and detail agree after close/reopen and across restarts; recent passive sessions survive startup, stale ones end', async () => {
      const a = writeRollout(rolloutPath(home, TH(8)), oneTurn(TH(8), 'Recent one', 'ok'));
      const approvalText = sample('app-server-approval.rollout.jsonl');
      const cut = approvalText.split('\n').findIndex(l => l.includes('"call_id":"call_13"') && l.includes('"function_call"')) + 1;
      const waiting = approvalText.split('\n').slice(0, cut).join('\n') + '\n';
      const waitingThread = threadOfSample(approvalText);
      writeRollout(rolloutPath(home, waitingThread), waiting);
      await startWatcher();
      const id = sessionOf(TH(8)).id;
      const consistent = () => {
        t.store.flush();
        const fromList = t.engine.listSessions().find(x => x.id === id);
        assert.deepEqual(fromList, t.engine.getSession(id));
        assert.deepEqual(t.store.getSession(id), t.engine.getSession(id));
      };
      await t.engine.end(id);
      consistent();
      fs.appendFileSync(a, L.agent('turn-z', 'reopened'));
      w.processNow(a);
      assert.equal(t.engine.getSession(id)?.status, 'active');
      consistent();

      await restart();
      assert.equal(t.engine.getSession(id)?.status, 'active', 'idle for less than 15 min: survives startup');
      consistent();
      const count = t.engine.getMessages(id, { limit: 1000 }).length;

      await w.stop();
      t.engine.stop();
      t.clock.advance(LIFECYCLE.startupStalePassiveMs + 60_000);
      t.store.close();
      t = makeEngine({ dir: t.dir, clock: t.clock });
      await startWatcher();
      assert.equal(t.engine.getSession(id)?.status, 'ended');
      assert.equal(t.engine.getSession(id)?.endReason, END_REASONS.startupStalePassive);
      assert.equal(sessionOf(waitingThread).status, 'active', 'a session waiting for an approval is not stale');
      assert.equal(sessionOf(waitingThread).workStatus, 'needsApproval');
      assert.equal(t.engine.getMessages(id, { limit: 1000 }).length, count, 'no line was read twice');
      consistent();
    });

    it('9: restart → live reactivation → restart keeps the session active', async () => {
      const file = writeRollout(rolloutPath(home, TH(9)), oneTurn(TH(9), 'Keep me', 'ok'));
      await startWatcher();
      const id = sessionOf(TH(9)).id;
      t.clock.advance(LIFECYCLE.passiveInactivityMs);
      assert.equal(t.engine.getSession(id)?.endReason, END_REASONS.timeout);
      await restart();
      assert.equal(t.engine.getSession(id)?.status, 'ended');
      fs.appendFileSync(file, L.taskStarted('turn-9b') + L.user('turn-9b', 'back again'));
      w.notify(file);
      t.clock.advance(150);
      assert.equal(t.engine.getSession(id)?.status, 'active');
      await restart();
      const s = t.engine.getSession(id)!;
      assert.equal(s.status, 'active');
      assert.equal(t.engine.listSessions().filter(x => x.providerSessionId === TH(9)).length, 1);
      assert.equal(t.engine.getMessages(id, { limit: 1000 }).filter(m => m.kind === 'user').length, 2);
    });
  });

  describe('lifecycle and timing', () => {
    it('debounces file events per file: one read 150 ms after the first event', async () => {
      const file = writeRollout(rolloutPath(home, TH(10)), oneTurn(TH(10), 'Debounce', 'ok'));
      await startWatcher();
      const before = w.totals.lines;
      fs.appendFileSync(file, L.agent('t10b', 'one'));
      w.notify(file);
      t.clock.advance(50);
      fs.appendFileSync(file, L.agent('t10b', 'two'));
      w.notify(file);
      t.clock.advance(99);
      assert.equal(w.totals.lines, before, 'nothing read before 150 ms');
      t.clock.advance(1);
      assert.equal(w.totals.lines, before + 2, 'both lines in one read');
      assert.deepEqual(messagesOf(TH(10)).filter(m => m.turnId === 't10b').map(m => m.text), ['one', 'two']);
    });

    it('looks again 600 ms after an event-driven read, so an append whose event chokidar dropped is not left to the sweep', async () => {
      const file = writeRollout(rolloutPath(home, TH(11)), oneTurn(TH(11), 'Trailing', 'ok'));
      await startWatcher();
      fs.appendFileSync(file, L.agent('t11b', 'reported'));
      w.notify(file);
      t.clock.advance(150);
      fs.appendFileSync(file, L.agent('t11b', 'unreported'));
      t.clock.advance(599);
      assert.ok(!messagesOf(TH(11)).some(m => m.text === 'unreported'));
      t.clock.advance(1);
      assert.deepEqual(messagesOf(TH(11)).filter(m => m.turnId === 't11b').map(m => m.text), ['reported', 'unreported']);
    });

    it('ends a passive session after 120 s without activity (reason timeout) and revives it on the next line', async () => {
      const file = writeRollout(rolloutPath(home, TH(11)), oneTurn(TH(11), 'Timeout', 'ok'));
      await startWatcher();
      const id = sessionOf(TH(11)).id;
      t.clock.advance(LIFECYCLE.passiveInactivityMs - 1);
      assert.equal(t.engine.getSession(id)?.status, 'active');
      t.clock.advance(1);
      assert.equal(t.engine.getSession(id)?.status, 'ended');
      assert.equal(t.engine.getSession(id)?.endReason, 'timeout');
      fs.appendFileSync(file, L.agent('t11', 'still here'));
      t.clock.advance(3_000);
      assert.equal(t.engine.getSession(id)?.status, 'active');
    });

    it('seeds only files modified in the last 15 minutes at startup; an old file is read when it changes', async () => {
      const recent = writeRollout(rolloutPath(home, TH(12)), oneTurn(TH(12), 'Recent', 'ok'));
      const old = writeRollout(rolloutPath(home, TH(13)), oneTurn(TH(13), 'Old', 'ok'));
      age(recent, 14 * 60_000);
      age(old, 16 * 60_000);
      await startWatcher();
      assert.ok(t.engine.findByProviderId('codex', TH(12)));
      assert.equal(t.engine.findByProviderId('codex', TH(13)), undefined);
      assert.equal(sessionOf(TH(12)).status, 'ended', 'first seen long after its last write: timed out already');
      fs.appendFileSync(old, L.agent('t13', 'changed'));
      w.notify(old);
      t.clock.advance(150);
      assert.equal(sessionOf(TH(13)).status, 'active');
    });

    it('seeds the recent few of 10,000 files at startup within seconds', async function () {
      this.timeout(30_000);
      // Old files are created by `touch` in batches (one process per 2,000 files): per-file fs calls
      // from Node take seconds on a busy machine. Only the three recent ones have content.
      const made = Date.now();
      const all: string[] = [];
      for (let i = 0; i < 10_000; i++) all.push(rolloutPath(home, TH(100_000 + i), String(1 + (i % 28)).padStart(2, '0')));
      for (const d of new Set(all.map(f => path.dirname(f)))) fs.mkdirSync(d, { recursive: true });
      const oldStamp = `@${Math.floor((t.clock.now() - 3_600_000) / 1000)}`;
      for (let i = 0; i < all.length; i += 2_000) execFileSync('touch', ['-d', oldStamp, ...all.slice(i, i + 2_000)]);
      for (const f of all.slice(0, 3)) { fs.writeFileSync(f, L.meta(path.basename(f).slice(-42, -6))); age(f, 60_000); }
      const started = Date.now();
      await startWatcher();
      const took = Date.now() - started;
      console.log(`      (10,000 files written in ${started - made} ms, watcher started in ${took} ms)`);
      assert.equal(t.engine.listSessions().length, 3);
      assert.equal(w.trackedFiles, 3);
      assert.ok(took < 5_000, `startup took ${took} ms`);
    });

    it('keeps excluded the rollouts of direct sessions, also after a takeover', async () => {
      const direct = t.engine.createSession({ provider: 'codex', mode: 'direct', providerSessionId: TH(14) });
      const file = writeRollout(rolloutPath(home, TH(14)), oneTurn(TH(14), 'Driven by Flightdeck', 'ok'));
      const taken = writeRollout(rolloutPath(home, TH(15)), oneTurn(TH(15), 'Watched first', 'ok'));
      await startWatcher();
      assert.equal(t.engine.listSessions().filter(s => s.providerSessionId === TH(14)).length, 1);
      assert.equal(t.engine.getMessages(direct.id).length, 0, 'the direct connector owns its transcript');
      t.store.flush();
      assert.equal(t.store.getOffset(file)?.offset, fs.statSync(file).size, 'read past, not re-read at every sweep');

      const passive = sessionOf(TH(15));
      t.engine.apply(passive.id, { type: 'modeChanged', mode: 'direct' });
      const count = t.engine.getMessages(passive.id, { limit: 1000 }).length;
      fs.appendFileSync(taken, L.agent('t15', 'written by the direct connector'));
      t.clock.advance(3_000);
      assert.equal(t.engine.getMessages(passive.id, { limit: 1000 }).length, count);
    });
    it('does not end a live session when an older file of the same thread shows up', async () => {
      writeRollout(rolloutPath(home, TH(24), '01'), oneTurn(TH(24), 'Live', 'ok'));
      await startWatcher();
      const old = writeRollout(rolloutPath(home, TH(24), '02'), oneTurn(TH(24), 'Live', 'ok'));
      age(old, 5 * 60_000);
      w.processNow(old);
      assert.equal(sessionOf(TH(24)).status, 'active');
    });

    it('defaults CODEX_HOME to ~/.codex', () => {
      assert.equal(defaultCodexHome({ CODEX_HOME: '/x/y' }), '/x/y');
      assert.equal(defaultCodexHome({}), path.join(os.homedir(), '.codex'));
    });
  });

  describe('names', () => {
    it('takes names from session_index.jsonl and thread-name events as customName; a rename in Flightdeck survives restarts', async () => {
      fs.mkdirSync(home, { recursive: true });
      fs.writeFileSync(path.join(home, 'session_index.jsonl'),
        JSON.stringify({ id: TH(16), thread_name: 'Old name', updated_at: '2026-01-01T00:00:00Z' }) + '\n'
        + '{broken\n'
        + JSON.stringify({ id: TH(16), thread_name: 'Indexed name', updated_at: '2026-01-01T00:01:00Z' }) + '\n');
      writeRollout(rolloutPath(home, TH(16)), oneTurn(TH(16), 'The prompt', 'ok'));
      const file17 = writeRollout(rolloutPath(home, TH(17)), oneTurn(TH(17), 'Another prompt', 'ok'));
      await startWatcher();
      assert.equal(sessionOf(TH(16)).customName, 'Indexed name');
      assert.equal(sessionOf(TH(16)).displayName, 'Indexed name');
      assert.equal(sessionOf(TH(16)).firstPrompt, 'The prompt');
      assert.ok(logs.some(l => l.includes('bad line(s)')));

      fs.appendFileSync(file17, L.threadName('Named in the TUI'));
      w.processNow(file17);
      assert.equal(sessionOf(TH(17)).customName, 'Named in the TUI');

      await t.engine.rename(sessionOf(TH(16)).id, 'My own name');
      await restart();
      assert.equal(sessionOf(TH(16)).customName, 'My own name');

      fs.appendFileSync(path.join(home, 'session_index.jsonl'), JSON.stringify({ id: TH(16), thread_name: 'Renamed in Codex', updated_at: '2026-01-01T00:05:00Z' }) + '\n');
      w.reloadNames();
      assert.equal(sessionOf(TH(16)).customName, 'Renamed in Codex');
    });
  });

  describe('edge cases', () => {
    it('keeps a truncated last line until it is completed', async () => {
      const full = L.agent('t18', 'completed later');
      const file = writeRollout(rolloutPath(home, TH(18)), oneTurn(TH(18), 'Partial', 'ok') + full.slice(0, 25));
      await startWatcher();
      assert.ok(!messagesOf(TH(18)).some(m => m.text === 'completed later'));
      t.store.flush();
      const offset = t.store.getOffset(file)!.offset;
      assert.equal(offset, fs.statSync(file).size - 25, 'the offset stays before the partial line');
      fs.appendFileSync(file, full.slice(25));
      t.clock.advance(3_000);
      assert.equal(messagesOf(TH(18)).filter(m => m.text === 'completed later').length, 1);
    });

    it('reads a truncated (shrunk) file again from the start without duplicating messages', async () => {
      const file = writeRollout(rolloutPath(home, TH(19)), oneTurn(TH(19), 'Before truncation', 'first answer') + L.agent('t19x', 'x'.repeat(2000)));
      await startWatcher();
      const before = messagesOf(TH(19)).length;
      fs.writeFileSync(file, oneTurn(TH(19), 'Before truncation', 'first answer') + L.agent('t19y', 'after truncation'));
      t.clock.advance(3_000);
      const ms = messagesOf(TH(19));
      assert.ok(logs.some(l => l.includes('shrank or was replaced')));
      assert.equal(ms.length, before + 1);
      assert.equal(ms.filter(m => m.text === 'first answer').length, 1);
      assert.ok(ms.some(m => m.text === 'after truncation'));
    });

    it('survives a deleted file: tracking ends, the session stays and times out', async () => {
      const file = writeRollout(rolloutPath(home, TH(20)), oneTurn(TH(20), 'Deleted', 'ok'));
      await startWatcher();
      assert.equal(w.trackedFiles, 1);
      fs.unlinkSync(file);
      t.clock.advance(3_000);
      assert.equal(w.trackedFiles, 0);
      assert.ok(logs.some(l => l.includes('is gone')));
      t.clock.advance(LIFECYCLE.passiveInactivityMs);
      assert.equal(sessionOf(TH(20)).endReason, 'timeout');
      w.notify(file);
      t.clock.advance(150);
      assert.ok(!logs.some(l => l.startsWith('error')));
    });

    it('skips invalid JSON lines with a count and a logged warning, and goes on', async () => {
      const file = writeRollout(rolloutPath(home, TH(21)), L.meta(TH(21)) + 'not json at all\n' + '{"truncated":\n' + L.user('t21', 'still read'));
      fs.appendFileSync(file, Buffer.from([0xc3, 0x28, 0x0a]));
      await startWatcher();
      assert.equal(w.totals.invalidJson, 3);
      assert.ok(logs.some(l => l.startsWith('warn') && l.includes('3 line(s) that are not JSON')));
      assert.equal(sessionOf(TH(21)).firstPrompt, 'still read');
    });

    it('skips a line over the size cap with a warning', async () => {
      const file = writeRollout(rolloutPath(home, TH(22)), L.meta(TH(22)) + L.agent('t22', 'y'.repeat(200_000)) + L.agent('t22', 'small'));
      await startWatcher({ maxLineBytes: 64 * 1024 });
      assert.deepEqual(messagesOf(TH(22)).map(m => m.text), ['small']);
      assert.ok(logs.some(l => l.startsWith('warn') && l.includes('over the 65536-byte cap')));
      assert.equal(w.totals.oversized, 1);
      t.store.flush();
      assert.equal(t.store.getOffset(file)?.offset, fs.statSync(file).size);
    });

    it('keys the same thread in two files to one session without duplicate messages', async () => {
      const text = oneTurn(TH(23), 'Twice on disk', 'once in the transcript');
      const first = writeRollout(rolloutPath(home, TH(23), '01'), text);
      const copy = writeRollout(rolloutPath(home, TH(23), '02'), text);
      await startWatcher();
      assert.equal(t.engine.listSessions().filter(s => s.providerSessionId === TH(23)).length, 1);
      const ms = messagesOf(TH(23));
      assert.equal(ms.filter(m => m.kind === 'user').length, 1);
      assert.equal(ms.filter(m => m.kind === 'agent').length, 1);
      fs.appendFileSync(first, L.agent('t23b', 'only in the first'));
      w.processNow(first);
      assert.equal(sessionOf(TH(23)).sourcePath, first, 'the file that moved last');
      fs.appendFileSync(copy, L.agent('t23b', 'only in the copy'));
      w.processNow(copy);
      assert.equal(sessionOf(TH(23)).sourcePath, copy, 'the file that moved last');
    });
  });
});
