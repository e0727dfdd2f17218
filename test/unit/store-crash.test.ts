import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { openStore } from '../../src/engine/store/sqliteStore';
import { FakeClock } from '../../src/engine/platform/clock';
import { openTestDb, TEST_DRIVER } from '../helpers/storeDriver';
import { cleanupTmpDirs, tmpDir } from '../helpers/tmp';

const CHILD = path.join(__dirname, '..', 'helpers', 'crashWriterChild.js');

/** Runs the child until it reported `flushes` commits, then SIGKILLs it; returns the last committed seq it reported. */
function runAndKill(file: string, flushes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, file, TEST_DRIVER], { stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = 0, last = -1, buf = '', err = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`child made too few flushes: ${seen}; ${err}`)); }, 30_000);
    child.stderr.on('data', d => { err += d; });
    child.stdout.on('data', d => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const m = /committed (-?\d+)/.exec(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        if (m) { last = Number(m[1]); seen++; }
        if (seen === flushes) child.kill('SIGKILL');
      }
    });
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`child exited on its own: ${err}`)); else resolve(last);
    });
  });
}

describe(`store crash safety (SIGKILL mid-burst) [${TEST_DRIVER}]`, function () {
  this.timeout(120_000);
  afterEach(() => cleanupTmpDirs());

  for (const flushes of [3, 17, 40]) {
    it(`keeps every committed flush, in order, uncorrupted (killed after ${flushes} flushes)`, async () => {
      const file = path.join(tmpDir(), 'crash.db');
      const committed = await runAndKill(file, flushes);
      assert.ok(committed > 0);
      const db = openTestDb(file);
      assert.equal(db.prepare('PRAGMA integrity_check').get()?.integrity_check, 'ok');
      db.close();
      const store = openStore({ file, clock: new FakeClock(), driver: TEST_DRIVER });
      const rows = store.getMessages('crash-session', { limit: 10_000 });
      assert.ok(rows.length >= committed + 1, `expected at least ${committed + 1} rows, got ${rows.length}`);
      rows.forEach((m, i) => { assert.equal(m.seq, i, 'contiguous and in order'); assert.equal(m.id, `m${i}`); });
      assert.equal(store.countMessages('crash-session'), rows.length, 'no duplicates');
      assert.equal(store.search('line', 5).length, 5, 'the FTS index survived too');
      store.close();
    });
  }
});
