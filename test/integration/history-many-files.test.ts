// The "a projects/ tree with 50,000 files" (issue 14, Bad input): every file listed and read,
// the summary counts them, timers keep running while the import works, and the real transcripts among
// them are imported. Integration, not unit: it writes 50,000 files and takes about a minute here.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FakeClock } from '../../src/engine/platform/clock';
import { type ImportSummary, importHistory } from '../../src/engine/history/importer';
import { openStore } from '../../src/engine/store/sqliteStore';
import { MAIN_CLAUDE, world } from '../fixtures/history/world';
import { TEST_DRIVER } from '../helpers/storeDriver';
import { cleanupTmpDirs } from '../helpers/tmp';

describe('history import: a projects/ tree of 50,000 files', () => {
  after(function () { this.timeout(300_000); cleanupTmpDirs(); });

  it('a projects/ tree of 50,000 files: all listed and read, the event loop keeps running, the real sessions imported', async function () {
    this.timeout(300_000);
    const w = world();
    const root = path.join(w.claudeHome, 'projects');
    // 500 project folders of 100 transcripts each, empty (as Claude leaves a session that never got a
    // line): the walk and the per-file work are what is tested, not parsing.
    for (let p = 0; p < 500; p++) {
      const dir = path.join(root, `-home-dev-many-${p}`);
      fs.mkdirSync(dir, { recursive: true });
      for (let i = 0; i < 100; i++) fs.closeSync(fs.openSync(path.join(dir, `m${p}-${i}.jsonl`), 'w'));
    }
    const t0 = Date.now();
    const store = openStore({ file: path.join(w.dataDir, 'flightdeck.db'), clock: new FakeClock(Date.parse('2026-12-03T12:00:00.000Z')), driver: TEST_DRIVER });
    const logs: string[] = [];
    let ticks = 0;
    const timer = setInterval(() => { ticks++; }, 20);
    let sum: ImportSummary;
    try {
      sum = await importHistory({ store, log: (_l, m) => logs.push(m), codexHome: w.codexHome, claudeHome: w.claudeHome });
    } finally {
      clearInterval(timer);
    }
    console.log(`      50,000 files: imported in ${((Date.now() - t0) / 1000).toFixed(1)} s, ${ticks} timer ticks meanwhile`);
    assert.ok(sum.filesTotal >= 50_000, `${sum.filesTotal} files`);
    assert.equal(sum.filesDone, sum.filesTotal);
    assert.ok(logs.some(l => /history: 5\d{4} file\(s\) found/.test(l)), logs.filter(l => /found/.test(l)).join('\n'));
    assert.ok(ticks > 0, 'timers ran while the import worked (it yields)');
    assert.ok(store.findSessionByProviderId('claude', MAIN_CLAUDE), 'the real transcripts among them are imported');
    store.close();
  });
});
