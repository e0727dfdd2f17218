// The "Bad input" list that history-import.test.ts does not cover: files that vanish or
// shrink while an import runs (after the scan listed them) and a 100 MB line. Each gets a log line and
// a count in the summary, and the import goes on with the rest. (Unreadable files, partial last lines,
// invalid UTF-8, FIFOs and symlink loops: history-import.test.ts; a projects/ tree of 50,000 files:
// test/integration/history-many-files.test.ts, a minute of work.)
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FakeClock } from '../../src/engine/platform/clock';
import { type ImportSummary, importHistory } from '../../src/engine/history/importer';
import { openStore } from '../../src/engine/store/sqliteStore';
import type { Store } from '../../src/engine/store/types';
import { MAIN_CLAUDE, type World, world } from '../fixtures/history/world';
import { TEST_DRIVER } from '../helpers/storeDriver';
import { cleanupTmpDirs } from '../helpers/tmp';

function open(w: World): Store {
  return openStore({ file: path.join(w.dataDir, 'flightdeck.db'), clock: new FakeClock(Date.parse('2026-12-03T12:00:00.000Z')), driver: TEST_DRIVER });
}

function claudeLine(sessionId: string, n: number, text: string): string {
  return JSON.stringify({ type: 'user', uuid: `${sessionId}-u${n}`, sessionId, timestamp: `2026-11-20T10:0${n}:00.000Z`, cwd: '/home/dev/bad', message: { role: 'user', content: text } });
}

describe('history import: bad input (issue 14)', () => {
  after(function () { this.timeout(300_000); cleanupTmpDirs(); });

  it('a file that vanishes and one that shrinks after the scan listed them: logged, counted, the rest imported', async () => {
    const w = world();
    const project = path.join(w.claudeHome, 'projects', '-home-dev-bad');
    fs.mkdirSync(project, { recursive: true });
    const gone = path.join(project, 'gone-1.jsonl');
    fs.writeFileSync(gone, claudeLine('gone-1', 1, 'about to vanish') + '\n');
    const shrinking = path.join(project, 'shrink-1.jsonl');
    fs.writeFileSync(shrinking, [1, 2, 3].map(n => claudeLine('shrink-1', n, `line ${n} of a file that will shrink`)).join('\n') + '\n');
    const store = open(w);
    // A first import stores shrink-1's offset at its end; then it grows, so the next import reads on from there.
    await importHistory({ store, log: () => {}, codexHome: null, claudeHome: w.claudeHome });
    fs.rmSync(gone);
    fs.writeFileSync(gone, claudeLine('gone-1', 1, 'about to vanish') + '\n' + claudeLine('gone-1', 2, 'more') + '\n');
    fs.appendFileSync(shrinking, claudeLine('shrink-1', 4, 'grown') + '\n');

    const logs: string[] = [];
    let struck = false;
    const sum: ImportSummary = await importHistory({
      store, log: (_l, m) => logs.push(m), codexHome: w.codexHome, claudeHome: w.claudeHome,
      // Right after the scan (the files to read are listed), before any is read: one goes, one shrinks.
      onProgress: p => {
        if (struck || p.phase !== 'importing') return;
        struck = true;
        fs.rmSync(gone);
        fs.writeFileSync(shrinking, claudeLine('shrink-1', 5, 'rewritten shorter') + '\n');
      },
    });
    assert.ok(struck, 'the files changed mid-import');
    assert.equal(sum.counts.vanished, 1, JSON.stringify(sum.counts));
    assert.equal(sum.counts.shrank, 1, JSON.stringify(sum.counts));
    assert.ok(logs.some(l => l.includes(gone) && /vanished while being imported/.test(l)), logs.join('\n'));
    assert.ok(logs.some(l => l.includes(shrinking) && /shrank or was replaced/.test(l)), logs.join('\n'));
    assert.ok(logs.some(l => /import done: .*vanished 1.*shrank 1|import done: .*shrank 1.*vanished 1/.test(l)), 'the summary line names both');
    // What was stored stays; the shrunk file is read again from its start; the rest of the machine is imported.
    const shrink = store.findSessionByProviderId('claude', 'shrink-1')!;
    const texts = store.getMessages(shrink.id, { limit: 100 }).map(m => m.text);
    for (const t of ['line 1 of a file that will shrink', 'line 3 of a file that will shrink', 'rewritten shorter']) assert.ok(texts.includes(t), `${t} in ${JSON.stringify(texts)}`);
    assert.ok(store.findSessionByProviderId('claude', 'gone-1'), 'the vanished file keeps what an earlier import read');
    assert.ok(store.findSessionByProviderId('claude', MAIN_CLAUDE));
    store.close();
  });

  it('a 100 MB line is skipped without being held in memory: logged, counted, the lines around it imported', async function () {
    this.timeout(120_000);
    const w = world();
    const project = path.join(w.claudeHome, 'projects', '-home-dev-huge');
    fs.mkdirSync(project, { recursive: true });
    const file = path.join(project, 'huge-1.jsonl');
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, claudeLine('huge-1', 1, 'before the huge line') + '\n');
    const chunk = Buffer.alloc(1024 * 1024, 'x');
    fs.writeSync(fd, '{"type":"assistant","blob":"');
    for (let i = 0; i < 100; i++) fs.writeSync(fd, chunk);
    fs.writeSync(fd, '"}\n' + claudeLine('huge-1', 2, 'after the huge line') + '\n');
    fs.closeSync(fd);
    const store = open(w);
    const logs: string[] = [];
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sum = await importHistory({
      store, log: (_l, m) => logs.push(m), codexHome: null, claudeHome: w.claudeHome,
      onProgress: () => { rssPeak = Math.max(rssPeak, process.memoryUsage().rss); },
    });
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    assert.equal(sum.counts.oversizedLines, 1, JSON.stringify(sum.counts));
    assert.ok(logs.some(l => /skipped a 10485\d{4}-byte line at .*huge-1\.jsonl/.test(l)), logs.join('\n'));
    const s = store.findSessionByProviderId('claude', 'huge-1')!;
    assert.deepEqual(store.getMessages(s.id, { limit: 10 }).map(m => m.text), ['before the huge line', 'after the huge line']);
    // Held whole, the line alone would add 100 MB (its Buffer) or 200 MB (as a string).
    assert.ok(rssPeak - rssBefore < 80 * 1024 * 1024, `RSS grew by ${((rssPeak - rssBefore) / 1048576).toFixed(0)} MB`);
    store.close();
  });
});
