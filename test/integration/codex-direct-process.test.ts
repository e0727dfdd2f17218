// The app-server process itself, with the REAL codex binary: a process that keeps dying is restarted
// only so often, then again on demand; a binary that is not codex fails with a clear error.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startDirectHarness } from '../fixtures/codexDirect';
import { codexBinaryForTests, makeCodexHome, makeWorkspace } from '../fixtures/codexHome';
import { startFakeOpenAI } from '../fixtures/fakeOpenAI';
import { cleanupTmpDirs, tmpDir, waitFor } from '../helpers/tmp';

describe('codex app-server process (real codex)', function () {
  this.timeout(60_000);
  afterEach(() => cleanupTmpDirs());

  it('restarts a crashed app-server at most `max` times per window, then starts it again on demand', async () => {
    const fake = await startFakeOpenAI();
    const home = makeCodexHome(fake.port);
    const ws = makeWorkspace();
    const h = await startDirectHarness({
      dbDir: tmpDir(), codexHome: home.dir, env: home.env, codexPath: codexBinaryForTests(),
      restart: { delayMs: 50, max: 1, windowMs: 60_000 },
    });
    try {
      const pids = [h.direct.client.pid!];
      process.kill(pids[0], 'SIGKILL');
      pids.push(await waitFor(() => h.direct.client.running && h.direct.client.pid !== pids[0] && h.direct.client.pid, 'the automatic restart'));
      assert.equal(h.direct.client.generation, 2);
      process.kill(pids[1], 'SIGKILL');
      await waitFor(() => h.logs.some(l => l.msg.includes('keeps exiting')), 'the restart limit');
      assert.equal(h.direct.client.running, false, 'no second automatic restart within the window');
      // A request starts it again.
      const s = await h.engine.createFromClient({ provider: 'codex', cwd: ws.dir });
      assert.equal(h.direct.client.running, true);
      assert.equal(h.direct.client.generation, 3);
      assert.ok(s.providerSessionId);
    } finally {
      await h.close();
      await fake.close();
      home.cleanup();
      ws.cleanup();
    }
  });

  it('no codex binary: creating the provider works, start and operations say what is missing', async () => {
    const dir = tmpDir();
    const h = await startDirectHarness({ dbDir: dir, codexHome: dir, codexPath: path.join(dir, 'missing', 'codex'), start: false });
    try {
      await assert.rejects(h.direct.start(), /the codex path in the settings does not exist/);
      await assert.rejects(h.engine.listModels('codex'), (e: Error & { code?: string }) =>
        e.code === 'provider_error' && /codex path in the settings does not exist/.test(e.message));
    } finally {
      await h.close();
    }
  });

  it('a binary that is not codex fails start with a clear error; operations report it too', async () => {
    const dir = tmpDir();
    const notCodex = path.join(dir, 'not-codex.sh');
    fs.writeFileSync(notCodex, '#!/bin/sh\necho "usage: something else" >&2\nexit 2\n', { mode: 0o755 });
    const h = await startDirectHarness({ dbDir: dir, codexHome: dir, codexPath: notCodex, start: false, restart: { max: 0 } });
    try {
      // Which one the process's early exit shows first is a race: its exit, its closed output, or a failed write.
      await assert.rejects(h.direct.start(), /initialize: (the app-server (exited \(exit code 2\)|closed its output)|writing to the app-server failed)/);
      await assert.rejects(h.engine.createFromClient({ provider: 'codex', cwd: dir }), (e: Error & { code?: string }) =>
        e.code === 'provider_error' && /codex: .*initialize/.test(e.message));
      await waitFor(() => h.logs.some(l => l.msg.includes('usage: something else')), 'its stderr in the log');
    } finally {
      await h.close();
    }
  });
});
