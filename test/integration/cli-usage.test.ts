// `flightdeck usage` as a user runs it: a child process over a real store file, text and JSON out,
// clear refusals (exit 2) for bad options and exit 1 when there is no database.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { UsageReport } from '../../src/engine/protocol/usage';
import { FakeClock } from '../../src/engine/platform/clock';
import { newSession } from '../../src/engine/sessions/model';
import { openStore } from '../../src/engine/store/sqliteStore';
import { makeEngine } from '../helpers/engine';
import { TEST_DRIVER, openTestDb } from '../helpers/storeDriver';
import { CLI } from '../helpers/serveProcess';
import { cleanupTmpDirs, tmpDir } from '../helpers/tmp';

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'usage', ...args], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('flightdeck usage (CLI)', function () {
  this.timeout(30_000);
  let dir: string;

  before(() => {
    const t = makeEngine();
    dir = t.dir;
    const a = t.engine.createSession({ provider: 'claude', mode: 'passive', providerSessionId: 'c-1', cwd: '/home/dev/shop' });
    const b = t.engine.createSession({ provider: 'codex', mode: 'passive', providerSessionId: 'x-1', cwd: '/home/dev/api' });
    const base = { input: 0, cacheCreation: 0, cacheRead: 0, output: 0, reasoning: 0 };
    t.store.recordTokenUsage({ ...base, messageKey: 'msg_1', sessionId: a.id, at: '2026-11-30T09:00:00.000Z', model: 'claude-sonnet-4-5', input: 1_000_000, output: 100_000 });
    t.store.recordTokenUsage({ ...base, messageKey: 'msg_2', sessionId: a.id, at: '2026-12-01T09:00:00.000Z', model: 'claude-sonnet-4-5', cacheRead: 2_000_000 });
    t.store.recordTokenUsage({ ...base, messageKey: 'codex:500', sessionId: b.id, at: '2026-12-01T10:00:00.000Z', model: 'gpt-9-preview', input: 400, output: 100, reasoning: 60 });
    t.close();
  });
  after(() => cleanupTmpDirs());

  it('prints JSON that is a valid UsageReport, with per-day rows and totals', () => {
    const r = run(['--data-dir', dir, '--json', '--timezone', 'UTC']);
    assert.equal(r.status, 0, r.stderr);
    const report = UsageReport.parse(JSON.parse(r.stdout));
    assert.deepEqual(report.rows.map(x => [x.key, x.input, x.cacheRead, x.output, x.total]), [
      ['2026-11-30', 1_000_000, 0, 100_000, 1_100_000],
      ['2026-12-01', 400, 2_000_000, 100, 2_000_500],
    ]);
    assert.equal(report.totals.total, 3_100_500);
    assert.deepEqual(report.totals.unpricedModels, ['gpt-9-preview']);
    assert.ok(Math.abs(report.rows[0].cost! - (3 + 1.5)) < 1e-9);
  });

  it('prints a table by model, with "unknown" for a model without a price and a total line', () => {
    const r = run(['--data-dir', dir, '--by', 'model', '--timezone', 'UTC']);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(lines[0], /^Model\s+Input\s+Cache write\s+Cache read\s+Output\s+Reasoning\s+Total\s+Cost$/);
    assert.match(r.stdout, /claude-sonnet-4-5\s+1,000,000\s+0\s+2,000,000\s+100,000\s+0\s+3,100,000\s+\$5\.10/);
    assert.match(r.stdout, /gpt-9-preview\s+400\s+0\s+0\s+100\s+60\s+500\s+unknown/);
    assert.match(r.stdout, /Total\s+1,000,400\s+0\s+2,000,000\s+100,100\s+60\s+3,100,500\s+≥ \$5\.10/);
    assert.match(r.stdout, /No price for: gpt-9-preview/);
  });

  it('limits to --since/--until and groups by project', () => {
    const r = run(['--data-dir', dir, '--by', 'project', '--since', '2026-12-01', '--until', '2026-12-01', '--json', '--timezone', 'UTC']);
    assert.equal(r.status, 0, r.stderr);
    const report = UsageReport.parse(JSON.parse(r.stdout));
    assert.deepEqual(report.rows.map(x => [x.label, x.total]), [['shop', 2_000_000], ['api', 500]]);
  });

  it('run while an engine imports into the same file, it leaves the import\'s deferred search indexing alone', () => {
    const data = tmpDir();
    const file = path.join(data, 'flightdeck.db');
    openStore({ file, clock: new FakeClock(), driver: TEST_DRIVER }).close();
    // The import's writer, mid-import: its rows wait for its own index step (the range it opened).
    const writer = openStore({ file, clock: new FakeClock(), driver: TEST_DRIVER, bulkWriterGate: new SharedArrayBuffer(8) });
    const s = newSession({ id: 'imported', provider: 'claude', mode: 'passive' }, 0);
    writer.saveSession(s);
    writer.beginBulkWrite();
    writer.saveMessage({ id: 'm1', sessionId: s.id, seq: 0, kind: 'agent', text: 'zebra', createdAt: '2026-12-01T09:00:00.000Z' });
    writer.flush();
    const backfill = () => openTestDb(file).prepare('SELECT done, target FROM fts_backfill').get();
    const before = backfill();
    assert.equal(before?.target, Number.MAX_SAFE_INTEGER);
    const r = run(['--data-dir', data, '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(backfill(), before, 'the range is still open and nothing was indexed by the usage command');
    writer.close();
  });

  it('refuses bad options (exit 2) and says when there is no database (exit 1)', () => {
    const bad = run(['--data-dir', dir, '--by', 'week']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--by must be day, project, model or session/);
    const date = run(['--data-dir', dir, '--since', '12/01/2026']);
    assert.equal(date.status, 2);
    assert.match(date.stderr, /since must be a date YYYY-MM-DD/);
    const none = run(['--data-dir', path.join(tmpDir(), 'nothing-here')]);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /no Flightdeck database at .*nothing-here/);
  });
});
