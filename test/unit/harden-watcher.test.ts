// Issue 19 item 3 and issue 15: the passive Codex watcher is never left blind. A file watcher that
// fails (EMFILE in a scandir, as under descriptor exhaustion) is made anew; and the catch-up sweep
// lists the tree for files it does not track: new ones whose event never came (a date folder made
// while the watcher was broken) and ones idle past the seed window that grow again. Fake clock,
// real files, real SQLite; the file watcher is injected, so nothing here depends on chokidar timing.
import * as assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import type { FSWatcher } from 'chokidar';
import { type CodexWatcher, WATCHER_DEFAULTS, createCodexWatcher } from '../../src/engine/codex/rollout/watcher';
import { makeEngine, type TestEngine } from '../helpers/engine';
import { cleanupTmpDirs, tmpDir } from '../helpers/tmp';
import { L, oneTurn, rolloutPath, writeRollout } from '../fixtures/rollouts/lines';

const TH = (n: number) => `0000bbbb-0000-7000-8000-${String(n).padStart(12, '0')}`;

/** A stand-in for chokidar: ready at once, fails on demand, remembers being closed. */
class FakeFsWatcher extends EventEmitter {
  closed = false;
  constructor() { super(); setImmediate(() => this.emit('ready')); }
  async close(): Promise<void> { this.closed = true; }
}

describe('codex watcher: never blind (issue 19, issue 15)', function () {
  this.timeout(20_000);
  let t: TestEngine;
  let home: string;
  let w: CodexWatcher | undefined;
  let logs: string[];
  beforeEach(() => { t = makeEngine(); home = tmpDir('fd-blind-'); logs = []; fs.mkdirSync(`${home}/sessions`, { recursive: true }); });
  afterEach(async () => { await w?.stop(); w = undefined; t.close(); cleanupTmpDirs(); });

  const start = async (extra: Partial<Parameters<typeof createCodexWatcher>[0]> = {}) => {
    w = createCodexWatcher({ engine: t.engine, store: t.store, codexHome: home, clock: t.clock, log: (l, m) => logs.push(`${l}: ${m}`), watchFiles: false, ...extra });
    await w.start();
    return w;
  };
  /** Runs the sweeps of `ms` of fake time, then waits for the tree listings they started (off the event loop). */
  const sweepFor = async (ms: number) => {
    for (let s = 0; s < ms; s += WATCHER_DEFAULTS.sweepMs) t.clock.advance(WATCHER_DEFAULTS.sweepMs);
    await w!.settled();
  };
  const touchNow = (file: string) => { const s = t.clock.now() / 1000; fs.utimesSync(file, s, s); };

  it('a rollout in a new date folder that no event reported is found by the sweep within 30 s', async () => {
    await start();
    const file = writeRollout(rolloutPath(home, TH(1), '17'), oneTurn(TH(1), 'Found without an event', 'ok'));
    touchNow(file);
    await sweepFor(WATCHER_DEFAULTS.rescanMs + WATCHER_DEFAULTS.sweepMs);
    const s = t.engine.findByProviderId('codex', TH(1));
    assert.ok(s, 'the sweep found the untracked file');
    assert.equal(s.firstPrompt, 'Found without an event');
  });

  it('a file idle past the seed window that grows again is read again by the sweep, without an event', async () => {
    const file = writeRollout(rolloutPath(home, TH(2)), oneTurn(TH(2), 'Old work', 'ok'));
    touchNow(file);
    await start();
    const id = t.engine.findByProviderId('codex', TH(2))!.id;
    await sweepFor(WATCHER_DEFAULTS.seedWindowMs + 2 * WATCHER_DEFAULTS.sweepMs);
    assert.equal(w!.trackedFiles, 0, 'dropped out of the sweep after the seed window');
    fs.appendFileSync(file, L.taskStarted('turn-2') + L.user('turn-2', 'Back again') + L.agent('turn-2', 'growing again'));
    touchNow(file);
    await sweepFor(WATCHER_DEFAULTS.rescanMs + WATCHER_DEFAULTS.sweepMs);
    const texts = t.engine.getMessages(id, { limit: 100 }).map(m => m.text);
    assert.ok(texts.includes('growing again'), `read again: ${JSON.stringify(texts)}`);
    assert.equal(t.engine.getSession(id)!.status, 'active');
  });

  it('a watcher error (EMFILE) closes the watcher; the next sweep makes a new one and finds what was missed', async () => {
    const made: FakeFsWatcher[] = [];
    await start({ watchFiles: true, watchFactory: () => { const f = new FakeFsWatcher(); made.push(f); return f as unknown as FSWatcher; } });
    await w!.ready;
    assert.equal(made.length, 1);
    made[0].emit('error', Object.assign(new Error(`EMFILE: too many open files, scandir '${home}/sessions/2026/01/18'`), { code: 'EMFILE' }));
    assert.ok(made[0].closed, 'the failed watcher is closed');
    const file = writeRollout(rolloutPath(home, TH(3), '18'), oneTurn(TH(3), 'Written while blind', 'ok'));
    touchNow(file);
    t.clock.advance(WATCHER_DEFAULTS.sweepMs);
    await w!.settled();
    assert.equal(made.length, 2, 'a new watcher was made');
    assert.ok(t.engine.findByProviderId('codex', TH(3)), 'the file written while the watcher was broken is read at once');
    assert.ok(logs.some(l => /^warn: codex: file watcher error: EMFILE.*watching again/.test(l)), logs.join('\n'));
  });
});
