// Continuing a past Codex session from History (SPEC §11, issue 14) with the REAL codex binary: a
// rollout written by `codex exec`, stored as a history session (not in the live list), is resumed
// through `codex app-server` (thread/resume): it becomes direct, joins the list, and the next turn
// lands in the same thread and rollout. Refused with a clear message while the rollout is still written.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { type DirectHarness, sessionReads, startCodexWorld, startDirectHarness, stopCodexWorld } from '../fixtures/codexDirect';
import { codexBinaryForTests, type CodexHome, rolloutFiles } from '../fixtures/codexHome';
import { type FakeOpenAI, promptRouter } from '../fixtures/fakeOpenAI';
import { writePast } from '../fixtures/historyStore';
import { tmpDir } from '../helpers/tmp';

describe('history: resume a past Codex session (real codex)', function () {
  this.timeout(60_000);
  const router = promptRouter();
  let fake: FakeOpenAI;
  let home: CodexHome;
  let ws: { dir: string; cleanup(): void };
  let h: DirectHarness;

  before(async () => {
    ({ fake, home, ws } = await startCodexWorld(router.handler));
    h = await startDirectHarness({ dbDir: tmpDir('fd-codex-hist-'), codexHome: home.dir, env: home.env, codexPath: codexBinaryForTests() });
  });
  after(() => stopCodexWorld({ fake, home, ws }, h));

  const { session, messages, sendAndWait } = sessionReads(() => h);

  it('a history session resumes direct in the same thread; refused while its rollout is still being written', async () => {
    router.on('past work', () => ({ steps: [{ type: 'text', text: 'done in the past' }] }));
    const before = new Set(rolloutFiles(home.dir));
    const exec = spawn(codexBinaryForTests(), ['exec', '--skip-git-repo-check', 'past work'], { cwd: ws.dir, env: { ...process.env, ...home.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    exec.stderr.on('data', d => { stderr += d; });
    assert.equal(await new Promise<number | null>(resolve => exec.on('exit', c => resolve(c))), 0, stderr);
    const rollout = rolloutFiles(home.dir).find(f => !before.has(f))!;
    const meta = JSON.parse(fs.readFileSync(rollout, 'utf8').split('\n')[0]);
    const threadId: string = meta.payload.id;

    // What the importer leaves: an ended session with endReason history; the engine restarts over it.
    const at = Date.now() - 3 * 86_400_000;
    writePast(h.store, [{ id: 'past-codex', provider: 'codex', cwd: meta.payload.cwd, at, providerSessionId: threadId, sourcePath: rollout, prompt: 'past work', messages: [{ kind: 'user', text: 'past work' }, { kind: 'agent', text: 'done in the past' }] }]);
    h = await h.restart();
    assert.equal(h.engine.listSessions().length, 0, 'a history session is not in the live list');

    // The rollout was just written: another codex may still hold the thread.
    await assert.rejects(h.engine.resume('past-codex'), (e: Error & { code?: string }) => e.code === 'conflict' && /may still be writing/.test(e.message));
    assert.equal(h.engine.listSessions().length, 0, 'a refused resume leaves it in History');

    const quiet = new Date(Date.now() - 60_000);
    fs.utimesSync(rollout, quiet, quiet);
    await h.engine.resume('past-codex');
    const s = session('past-codex');
    assert.deepEqual([s.mode, s.status, s.providerSessionId], ['direct', 'active', threadId]);
    assert.deepEqual(h.engine.listSessions().map(x => x.id), ['past-codex'], 'it joined the live list');
    assert.ok(h.events.some(e => e.type === 'session_created' && e.session.id === 'past-codex'));

    await sendAndWait('past-codex', 'and now continue');
    const req = fake.requests.find(r => r.prompt === 'and now continue')!;
    assert.equal(req.threadId, threadId, 'the same thread');
    assert.ok(req.userTexts.includes('past work'), 'with its history');
    assert.ok(fs.readFileSync(rollout, 'utf8').includes('and now continue'), 'appended to the same rollout');
    assert.deepEqual(messages('past-codex').filter(m => m.kind === 'user').map(m => m.text), ['past work', 'and now continue']);
  });
});
