// `npm run bench -- --only <areas>` rewrites only its areas in docs/benchmarks.md: the other areas'
// rows (from their own run), the hand-written sections and their details stay; old five-column rows
// gain the floor column; the header says which rows come from which run.
import * as assert from 'node:assert/strict';
import { type ReportInput, mergeReport, renderReport } from '../../bench/report';

const input = (over: Partial<ReportInput>): ReportInput => ({
  command: 'npm run bench', startedAt: new Date('2026-12-01T10:00:00Z'), durationS: 60, sqlite: 'better-sqlite3', repeats: 3,
  rows: [], details: [], notes: [], ...over,
});

describe('bench report: a run of some areas updates them in place', () => {
  const previous = renderReport(input({
    rows: [
      { group: 'Ingest', figure: 'ingest rate', value: '20 MB/s', goal: '—', met: null },
      { group: 'Latency', figure: 'old latency', value: '5 ms', goal: '—', met: null },
      { group: 'Webview', figure: 'first paint', value: '380 ms', goal: '—', met: null },
    ],
    details: ['Corpus: 84 files.', 'Latency 1×1: 39 deliveries.', 'Webview: 52 rows.'],
    notes: ['Ingest: how.', 'Latency: how.', 'Webview: how.'],
  })).replace('| --- | --- | --- | --- | --- | --- |', '| --- | --- | --- | --- | --- |')
    .replace(/\| Figure \| Median \| Floor \(same run\) \|/, '| Figure | Median |')
    .replace(/ \| — \| — \| — \|\n/g, ' | — | — |\n')
    .replace('## Details', '## Round two, by hand\n\nkept as written\n\n## Details');

  it('replaces the measured groups, keeps the others and the hand-written section', () => {
    const out = mergeReport(previous, input({
      command: 'npm run bench -- --only latency,webview', startedAt: new Date('2026-12-03T20:00:00Z'),
      rows: [
        { group: 'Fan-out', figure: '1×1 p99', value: '3 ms', floor: '2 ms', goal: '≤ 2×', met: true },
        { group: 'Webview', figure: 'first paint', value: '300 ms', floor: '200 ms', goal: '≤ 150 ms', met: false },
      ],
      details: ['Fan-out 1×1: 60 / 60.', 'Webview: 52 rows, floor 54.'],
      notes: ['Ingest: how (new words).', 'Fan-out (bench/fanout.ts): how.', 'Webview: how, with a floor.'],
    }), { groups: ['Latency'], words: ['Fan-out', 'Latency', 'Webview'] });
    const rows = out.split('\n').filter(l => /^\| [A-Z]/.test(l) && !l.startsWith('| Area'));
    assert.deepEqual(rows, [
      '| Ingest | ingest rate | 20 MB/s | — | — | — |',
      '| Fan-out | 1×1 p99 | 3 ms | 2 ms | ≤ 2× | met |',
      '| Webview | first paint | 300 ms | 200 ms | ≤ 150 ms | **not met** |',
    ]);
    assert.match(out, /- Date: 2026-12-03T20:00:00.000Z for the Fan-out, Webview rows; the other rows are from the run of 2026-12-01T10:00:00.000Z\./);
    assert.match(out, /## Round two, by hand\n\nkept as written\n/);
    assert.ok(out.includes('- Corpus: 84 files.') && out.includes('- Fan-out 1×1: 60 / 60.') && out.includes('- Webview: 52 rows, floor 54.'));
    assert.ok(!out.includes('Latency 1×1') && !out.includes('- Webview: 52 rows.') && !out.includes('- Latency: how.'));
    assert.ok(out.includes('- Ingest: how.') && !out.includes('Ingest: how (new words)'), 'notes of areas not run stay as they were');
    assert.ok(out.includes('- Fan-out (bench/fanout.ts): how.') && out.includes('- Webview: how, with a floor.'));
  });
});
