// Crash-exact ingest, piece by piece (the SIGKILL test is test/integration/crash-exact-ingest.test.ts):
// Store.atomic commits a read's items with its offset or nothing; an older-format rollout resumed
// from the stored offset gives the same ids as one read in one go; token usage counts once per
// message across restarts; the list revision never restarts below a published one.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RolloutIngest } from '../../src/engine/codex/rollout/rolloutIngest';
import { loadMapperState, newMapperState, saveMapperState } from '../../src/engine/codex/rollout/rolloutMap';
import { SessionEngine } from '../../src/engine/sessions/engine';
import { openStore } from '../../src/engine/store/sqliteStore';
import { type CodexCtx, codex, codexOlder } from '../fixtures/bench/shapes';
import { makeEngine, type TestEngine } from '../helpers/engine';
import { TEST_DRIVER } from '../helpers/storeDriver';
import { cleanupTmpDirs, tmpDir } from '../helpers/tmp';

const THREAD = '01a21287-d365-7980-ae07-436af9b6c7aa';

/** An older-format rollout (only task_started names the turn), cut into its lines. */
function olderRollout(turns: number): string[] {
  const c: CodexCtx = { threadId: THREAD, cwd: '/work/x', turnId: '', ordinal: -1, at: Date.UTC(2026, 10, 25) };
  const lines = [codex.meta(c)];
  for (let t = 0; t < turns; t++) {
    c.turnId = `turn-${t}`;
    lines.push(codexOlder.taskStarted(c), codexOlder.turnContext(c), codexOlder.user(c, `prompt ${t}`), codexOlder.userEvent(c, `prompt ${t}`));
    lines.push(codexOlder.exec(c, `call_${t}`, `ls ${t}`), codexOlder.execOutput(c, `call_${t}`, `out ${t}`));
    lines.push(codexOlder.agentEvent(c, `answer ${t}`), codexOlder.agent(c, `answer ${t}`), codexOlder.taskComplete(c));
  }
  return lines;
}

describe('crash-exact ingest (store, mapper state, usage, list revision)', () => {
  let t: TestEngine;
  let dir: string;
  beforeEach(() => { dir = tmpDir(); t = makeEngine(); });
  afterEach(() => { t.close(); cleanupTmpDirs(); });

  const ingestFor = (e: TestEngine) => new RolloutIngest({ engine: e.engine, store: e.store, log: () => {}, maxLineBytes: 1 << 20, nameFor: () => null });
  const idsOf = (e: TestEngine) => {
    const s = e.engine.findByProviderId('codex', THREAD)!;
    return e.engine.getMessages(s.id, { limit: 1000 }).map(m => `${m.seq} ${m.id} ${m.kind} ${m.text}`);
  };

  it('Store.atomic: the items and the offset commit together; a throw leaves neither, now or at a later flush', () => {
    const s = t.engine.createSession({ provider: 'codex', mode: 'passive', providerSessionId: 'th' });
    t.store.flush();
    assert.throws(() => t.store.atomic(() => {
      t.engine.appendMessage(s.id, { id: 'lost', kind: 'agent', text: 'x', createdAt: new Date(0).toISOString() });
      t.store.getMessage('lost'); // a read inside flushes: still one transaction
      t.store.setOffset({ path: '/f', sessionId: s.id, providerSessionId: 'th', offset: 10, state: '{}' });
      throw new Error('crash in the middle');
    }), /crash in the middle/);
    t.store.flush();
    assert.equal(t.store.hasCommittedMessage('lost'), false);
    assert.equal(t.store.getOffset('/f'), undefined);

    t.store.atomic(() => {
      t.store.atomic(() => t.store.setOffset({ path: '/f', sessionId: s.id, providerSessionId: 'th', offset: 20, state: '{"v":1}' }));
      t.store.saveMessage({ id: 'kept', sessionId: s.id, seq: 5, kind: 'agent', text: 'y', createdAt: new Date(0).toISOString() });
    });
    assert.equal(t.store.hasCommittedMessage('kept'), true, 'committed when atomic returns, no flush needed');
    assert.deepEqual(t.store.getOffset('/f'), { path: '/f', sessionId: s.id, providerSessionId: 'th', offset: 20, state: '{"v":1}' });
    t.store.setOffset({ path: '/f', sessionId: s.id, providerSessionId: 'th', offset: 30 });
    assert.equal(t.store.getOffset('/f')?.state, '{"v":1}', 'an offset without state keeps the stored one');
  });

  it('an older-format rollout resumed mid-turn from its stored offset gets the ids of one read in one go', () => {
    const lines = olderRollout(4);
    const file = path.join(dir, `rollout-2026-11-25T00-00-00-${THREAD}.jsonl`);
    fs.writeFileSync(file, lines.join(''));
    ingestFor(t).process(file);
    const reference = idsOf(t);
    assert.ok(reference.length >= 16, 'turn, prompt, command and answer of each turn');
    assert.ok(reference.every(l => l.includes(':turn-')), 'every item is in its turn');

    for (const cut of [3, 7, 12, 20, 30]) {
      const e = makeEngine({ dir: tmpDir() });
      const f2 = path.join(e.dir, path.basename(file));
      fs.writeFileSync(f2, lines.slice(0, cut).join(''));
      ingestFor(e).process(f2);
      const resumed = e.restart();
      fs.appendFileSync(f2, lines.slice(cut).join(''));
      ingestFor(resumed).process(f2);
      assert.deepEqual(idsOf(resumed), reference, `cut after line ${cut}`);
      resumed.close();
    }
  });

  it('the mapper state survives its JSON; anything unreadable starts fresh', () => {
    const st = newMapperState();
    st.turnId = 'turn-9';
    st.completedCalls.add('call_1');
    st.callKinds.set('call_2', 'command');
    assert.deepEqual(loadMapperState(saveMapperState(st)), st);
    for (const bad of [null, '', 'not json', '{"v":2,"turnId":"x"}', '{"v":1,"calls":[["c","nonsense"]]}']) {
      const fresh = loadMapperState(bad);
      assert.equal(fresh.turnId, null);
      assert.equal(fresh.callKinds.size, 0);
    }
  });

  it('token usage is recorded once per (session, message), queued or committed, across a reopen', () => {
    const s = t.engine.createSession({ provider: 'claude', mode: 'passive', providerSessionId: 'cs' });
    const rec = { sessionId: s.id, messageKey: 'msg_1', model: 'm', input: 3, output: 4, cacheRead: 5, cacheCreation: 6, at: null };
    assert.equal(t.store.recordTokenUsage(rec), true);
    assert.equal(t.store.recordTokenUsage(rec), false, 'queued');
    t.store.flush();
    assert.equal(t.store.recordTokenUsage(rec), false, 'committed');
    const again = t.restart();
    t = again;
    assert.equal(again.store.hasTokenUsage(s.id, 'msg_1'), true);
    assert.equal(again.store.recordTokenUsage({ ...rec, messageKey: 'msg_2' }), true);
  });

  it('the list revision never restarts below one that was published (no clean stop), and a clean stop keeps it exact', () => {
    for (let i = 0; i < 30; i++) t.engine.createSession({ provider: 'codex', mode: 'passive', providerSessionId: `p${i}` });
    const published = t.engine.listRevision;
    assert.ok(published >= 30);
    // What a kill -9 leaves: the writes still queued are never committed. A second connection sees the file as it is.
    const other = openStore({ file: t.file, clock: t.clock, driver: TEST_DRIVER });
    const after = new SessionEngine({ store: other, clock: t.clock });
    after.start();
    assert.ok(after.listRevision >= published, `restarted at ${after.listRevision}, ${published} was published`);
    other.close();

    const clean = t.restart();
    t = clean;
    assert.equal(clean.engine.listRevision, published, 'a clean stop stores the exact revision');
  });
});
