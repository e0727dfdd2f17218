// `flightdeck usage`: the usage report from the store, as a text table or JSON. Reads the database
// file directly (WAL lets it read while an engine writes); nothing is imported or changed here.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { usageReport } from '../engine/history/usage';
import type { UsageReport, UsageRow, UsageTotals } from '../engine/protocol/usage';
import { UsageGroupBy } from '../engine/protocol/usage';
import { DB_FILE } from '../engine/store/dbFile';
import { systemClock } from '../engine/platform/clock';
import { openStore } from '../engine/store/sqliteStore';
import { EngineError } from '../engine/sessions/errors';
import { stderrLog } from './log';
import { defaultDataDir } from './dataDir';
import { USAGE_HELP } from './help';

export function usageCommand(args: string[], out: (s: string) => void = s => process.stdout.write(s)): number {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        since: { type: 'string' }, until: { type: 'string' }, by: { type: 'string', default: 'day' }, timezone: { type: 'string' },
        json: { type: 'boolean', default: false }, 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    process.stderr.write(`flightdeck: ${(e as Error).message}\n${USAGE_HELP}\n`);
    return 2;
  }
  if (values.help) { out(`${USAGE_HELP}\n`); return 0; }
  const by = UsageGroupBy.safeParse(values.by);
  if (!by.success) { process.stderr.write(`flightdeck: --by must be day, project, model or session\n`); return 2; }
  const file = path.join(values['data-dir'] ?? defaultDataDir(), DB_FILE);
  if (!fs.existsSync(file)) { process.stderr.write(`flightdeck: no Flightdeck database at ${file} (--data-dir)\n`); return 1; }
  // While an engine imports into the same file, this open must not end the import's deferred indexing.
  const store = openStore({ file, clock: systemClock, log: stderrLog('warn'), onlyReads: true });
  try {
    const report = usageReport(store, { by: by.data, since: values.since, until: values.until, timezone: values.timezone });
    out(values.json ? `${JSON.stringify(report, null, 2)}\n` : renderUsageTable(report));
    return 0;
  } catch (e) {
    if (!(e instanceof EngineError)) throw e;
    process.stderr.write(`flightdeck: ${e.message}\n`);
    return 2;
  } finally {
    store.close();
  }
}

const n = (v: number) => v.toLocaleString('en-US');

export function formatCost(t: Pick<UsageTotals, 'cost' | 'unpricedModels'>): string {
  if (t.cost === null) return 'unknown';
  const dollars = `$${t.cost.toFixed(2)}`;
  return t.unpricedModels.length ? `≥ ${dollars}` : dollars;
}

export function renderUsageTable(r: UsageReport): string {
  const head = [r.by === 'day' ? 'Day' : r.by === 'project' ? 'Project' : r.by === 'model' ? 'Model' : 'Session',
    'Input', 'Cache write', 'Cache read', 'Output', 'Reasoning', 'Total', 'Cost'];
  const line = (label: string, t: UsageTotals) =>
    [label, n(t.input), n(t.cacheCreation), n(t.cacheRead), n(t.output), n(t.reasoning), n(t.total), formatCost(t)];
  const body = r.rows.map((row: UsageRow) => line(row.label.length > 48 ? `${row.label.slice(0, 47)}…` : row.label, row));
  const rows = [head, ...body, line('Total', r.totals)];
  const widths = head.map((_, i) => Math.max(...rows.map(x => [...x[i]].length)));
  const fmt = (x: string[]) => x.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  const rule = widths.map(w => '─'.repeat(w)).join('  ');
  const range = r.since || r.until ? ` from ${r.since ?? 'the start'} to ${r.until ?? 'today'}` : '';
  const notes = [`Days in ${r.timezone}${range}. Costs are estimates from list prices of ${r.pricesAsOf}; reasoning is part of output.`];
  if (r.totals.unpricedModels.length) notes.push(`No price for: ${r.totals.unpricedModels.join(', ')} (their tokens cost "unknown").`);
  if (r.rows.length === 0) return `No token usage recorded${range}.\n${notes[0]}\n`;
  return [fmt(head), rule, ...body.map(fmt), rule, fmt(rows[rows.length - 1]), '', ...notes, ''].join('\n');
}
