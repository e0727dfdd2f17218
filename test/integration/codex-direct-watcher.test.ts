// The direct connector next to the real passive watcher, both over the same CODEX_HOME: a direct
// session's rollout never shows up as a second (passive) session, and a passive session the watcher
// found can be taken over, after which the watcher leaves its rollout alone (SPEC §1, §6).
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type CodexWatcher, createCodexWatcher } from '../../src/engine/codex/rollout/watcher';
import type { Session } from '../../src/engine/protocol';
import { systemClock } from '../../src/engine/platform/clock';
import { type DirectHarness, startCodexWorld, startDirectHarness, stopCodexWorld } from '../fixtures/codexDirect';
import { codexBinaryForTests, type CodexHome, rolloutFiles } from '../fixtures/codexHome';
import { type FakeOpenAI, promptRouter } from '../fixtures/fakeOpenAI';
import { tmpDir, waitFor } from '../helpers/tmp';

describe('codex direct sessions beside the passive watcher (real codex)', function () {
  this.timeout(60_000);
  const router = promptRouter();
  let fake: FakeOpenAI;
  let home: CodexHome;
  let ws: { dir: string; cleanup(): void };
  let h: DirectHarness;
  let watcher: CodexWatcher;

  before(async () => {
    ({ fake, home, ws } = await startCodexWorld(router.handler));
    h = await startDirectHarness({ dbDir: tmpDir('fd-codex-watch-'), codexHome: home.dir, env: home.env, codexPath: codexBinaryForTests() });
    // File events off: the test reads files itself, so nothing depends on timing.
    watcher = createCodexWatcher({ engine: h.engine, store: h.store, codexHome: home.dir, clock: systemClock, watchFiles: false, log: (l, m) => h.logs.push({ level: l, msg: m }) });
    await watcher.start();
  });
  after(() => stopCodexWorld({ fake, home, ws }, watcher, h));

  const session = (id: string): Session => h.engine.requireSession(id);
  const codexSessions = () => h.engine.listSessions().filter(s => s.provider === 'codex');

  it('a direct session\'s rollout is not picked up as a passive session', async () => {
    const s = await h.engine.createFromClient({ provider: 'codex', cwd: ws.dir, autonomy: 'fullAuto' });
    await h.engine.sendMessage(s.id, 'direct only');
    await waitFor(() => session(s.id).currentTurnId === null && h.engine.getMessages(s.id).some(m => m.kind === 'agent'), 'turn end', 20_000);
    const rollout = session(s.id).sourcePath!;
    assert.ok(fs.existsSync(rollout));
    watcher.processNow(rollout);
    watcher.sweep();
    const mine = codexSessions().filter(x => x.providerSessionId === s.providerSessionId);
    assert.deepEqual(mine.map(x => [x.id, x.mode]), [[s.id, 'direct']], 'one session, the direct one');
    assert.equal(h.engine.getMessages(s.id).filter(m => m.kind === 'user').length, 1, 'no lines duplicated by the watcher');
  });

  it('takes over what the watcher found; afterwards the watcher leaves the thread to the connector', async () => {
    router.on('watched exec', () => ({ steps: [{ type: 'text', text: 'from exec' }] }));
    const before = new Set(rolloutFiles(home.dir));
    const exec = spawn(codexBinaryForTests(), ['exec', '--skip-git-repo-check', 'watched exec'], {
      cwd: ws.dir, env: { ...process.env, ...home.env }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    exec.stderr!.on('data', d => { stderr += d; });
    assert.equal(await new Promise(resolve => exec.on('exit', resolve)), 0, stderr);
    const rollout = rolloutFiles(home.dir).find(f => !before.has(f))!;
    watcher.processNow(rollout);
    const threadId = JSON.parse(fs.readFileSync(rollout, 'utf8').split('\n')[0]).payload.id as string;
    const passive = h.engine.findByProviderId('codex', threadId)!;
    assert.equal(passive.mode, 'passive');
    assert.equal(passive.displayName, 'watched exec');
    const historyBefore = h.engine.getMessages(passive.id).length;
    assert.ok(historyBefore >= 2, 'the watcher read the exec turn');

    await assert.rejects(h.engine.takeover(passive.id), /may still be writing/);
    const quiet = new Date(Date.now() - 11_000);
    fs.utimesSync(rollout, quiet, quiet);
    await h.engine.takeover(passive.id);
    assert.equal(session(passive.id).mode, 'direct');

    await h.engine.sendMessage(passive.id, 'driven now');
    await waitFor(() => session(passive.id).currentTurnId === null && h.engine.getMessages(passive.id).filter(m => m.kind === 'agent').length >= 2, 'turn end', 20_000);
    watcher.processNow(rollout);
    watcher.sweep();
    assert.deepEqual(codexSessions().filter(x => x.providerSessionId === threadId).map(x => x.id), [passive.id], 'still one session');
    const users = h.engine.getMessages(passive.id).filter(m => m.kind === 'user').map(m => m.text);
    assert.deepEqual(users, ['watched exec', 'driven now'], 'history kept, new turn once');
    assert.equal(session(passive.id).displayName, 'watched exec', 'name kept');
  });
});
