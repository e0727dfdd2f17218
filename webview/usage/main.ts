// The usage report panel (command "Flightdeck: Show Usage Report"): a daily bar chart (plain SVG)
// and tables by day / project / model / session. The extension host asks the engine
// (`usage_report`) and posts the four reports here whenever tokens arrive; this page only draws.
// Everything is built with DOM calls and textContent: no HTML from data reaches the page.
import type { UsageReport, UsageRow, UsageTotals } from '../../src/engine/protocol/usage';
import './usage.css';

interface Reports { day: UsageReport; project: UsageReport; model: UsageReport; session: UsageReport }
type HostMessage = { type: 'usage'; reports: Reports; rangeDays: number | null; updatedAt: string } | { type: 'error'; message: string };
type Tab = keyof Reports;

declare function acquireVsCodeApi(): { postMessage(m: unknown): void; getState(): unknown; setState(s: unknown): void };
const vscode = acquireVsCodeApi();

const SERIES = [
  { key: 'input', label: 'Input' }, { key: 'cacheCreation', label: 'Cache write' },
  { key: 'cacheRead', label: 'Cache read' }, { key: 'output', label: 'Output' },
] as const;
const TABS: { key: Tab; label: string }[] = [
  { key: 'day', label: 'Day' }, { key: 'project', label: 'Project' }, { key: 'model', label: 'Model' }, { key: 'session', label: 'Session' },
];
const RANGES: { days: number | null; label: string }[] = [
  { days: 7, label: 'Last 7 days' }, { days: 30, label: 'Last 30 days' }, { days: 90, label: 'Last 90 days' }, { days: null, label: 'All time' },
];

let tab: Tab = ((vscode.getState() as { tab?: Tab } | undefined)?.tab) ?? 'day';
let last: Extract<HostMessage, { type: 'usage' }> | null = null;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

const n = (v: number) => v.toLocaleString('en-US');
const compact = (v: number) => (v >= 1e9 ? `${(v / 1e9).toFixed(1)}B` : v >= 1e6 ? `${(v / 1e6).toFixed(1)}M` : v >= 1e3 ? `${(v / 1e3).toFixed(1)}k` : String(v));
function cost(t: Pick<UsageTotals, 'cost' | 'unpricedModels'>): string {
  if (t.cost === null) return 'unknown';
  return `${t.unpricedModels.length ? '≥ ' : ''}$${t.cost.toFixed(2)}`;
}

function addDays(day: string, k: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + k * 86_400_000).toISOString().slice(0, 10);
}

/** Every day of the range (or of the data), zero where nothing was used, so gaps show as gaps. */
function dailySeries(r: UsageReport): { day: string; row: UsageRow | null }[] {
  const byDay = new Map(r.rows.map(row => [row.key!, row]));
  const first = r.since ?? r.rows[0]?.key;
  const lastDay = r.until ?? r.rows[r.rows.length - 1]?.key;
  if (!first || !lastDay) return [];
  const out: { day: string; row: UsageRow | null }[] = [];
  for (let d = first; d <= lastDay && out.length < 3660; d = addDays(d, 1)) out.push({ day: d, row: byDay.get(d) ?? null });
  return out;
}

function chart(r: UsageReport): Element {
  const days = dailySeries(r);
  const box = el('div', 'chart');
  if (!days.length) { box.append(el('p', 'empty', 'No token usage in this range yet.')); return box; }
  const W = 900, H = 220, left = 56, bottom = 24, top = 8;
  const max = Math.max(1, ...days.map(d => d.row?.total ?? 0));
  const step = (W - left) / days.length;
  const bar = Math.max(1, Math.min(28, step * 0.7));
  const scale = (v: number) => (v / max) * (H - top - bottom);
  const s = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'bars', role: 'img', 'aria-label': `Tokens per day, up to ${n(max)}` });
  for (const f of [0, 0.5, 1]) {
    const y = H - bottom - scale(max * f);
    s.append(svg('line', { x1: left, x2: W, y1: y, y2: y, class: 'grid' }));
    const label = svg('text', { x: left - 6, y: y + 4, class: 'axis', 'text-anchor': 'end' });
    label.textContent = compact(Math.round(max * f));
    s.append(label);
  }
  const every = Math.ceil(days.length / 10);
  days.forEach((d, i) => {
    const x = left + i * step + (step - bar) / 2;
    let y = H - bottom;
    for (const series of SERIES) {
      const v = d.row ? d.row[series.key] : 0;
      const h = scale(v);
      if (h <= 0) continue;
      y -= h;
      const rect = svg('rect', { x, y, width: bar, height: h, class: `s-${series.key}` });
      const title = svg('title', {});
      title.textContent = `${d.day} · ${series.label}: ${n(v)}`;
      rect.append(title);
      s.append(rect);
    }
    if (i % every === 0) {
      const label = svg('text', { x: x + bar / 2, y: H - 6, class: 'axis', 'text-anchor': 'middle' });
      label.textContent = d.day.slice(5);
      s.append(label);
    }
  });
  box.append(s);
  const legend = el('div', 'legend');
  for (const series of SERIES) {
    const item = el('span', 'legend-item');
    item.append(el('span', `swatch s-${series.key}`), document.createTextNode(series.label));
    legend.append(item);
  }
  box.append(legend);
  return box;
}

function table(r: UsageReport): Element {
  const t = el('table', 'usage-table');
  const head = el('tr');
  const first = TABS.find(x => x.key === r.by)!.label;
  for (const h of [first, 'Input', 'Cache write', 'Cache read', 'Output', 'Reasoning', 'Total', 'Est. cost']) head.append(el('th', undefined, h));
  t.appendChild(el('thead')).append(head);
  const body = t.appendChild(el('tbody'));
  const row = (label: string, x: UsageTotals, title?: string) => {
    const tr = el('tr');
    const name = el('td', 'name', label);
    if (title) name.title = title;
    tr.append(name);
    for (const v of [x.input, x.cacheCreation, x.cacheRead, x.output, x.reasoning, x.total]) tr.append(el('td', 'num', n(v)));
    const c = el('td', `num cost${x.cost === null ? ' unknown' : ''}`, cost(x));
    if (x.unpricedModels.length) c.title = `No price for ${x.unpricedModels.join(', ')}`;
    tr.append(c);
    return tr;
  };
  const rows = r.by === 'day' ? [...r.rows].reverse() : r.rows;
  for (const x of rows) body.append(row(x.label, x, r.by === 'project' ? x.key ?? undefined : r.by === 'session' ? x.models.join(', ') : undefined));
  if (!rows.length) {
    const tr = el('tr');
    const td = el('td', 'empty', 'Nothing recorded in this range.');
    td.colSpan = 8;
    tr.append(td);
    body.append(tr);
  }
  const foot = t.appendChild(el('tfoot'));
  foot.append(row('Total', r.totals));
  return t;
}

function render(): void {
  const app = document.getElementById('app')!;
  app.replaceChildren();
  const header = el('header');
  header.append(el('h1', undefined, 'Token usage'));
  const select = el('select', 'range');
  select.setAttribute('aria-label', 'Date range');
  for (const r of RANGES) {
    const o = el('option', undefined, r.label);
    o.value = r.days === null ? 'all' : String(r.days);
    if (last && r.days === last.rangeDays) o.selected = true;
    select.append(o);
  }
  select.addEventListener('change', () => vscode.postMessage({ type: 'range', days: select.value === 'all' ? null : Number(select.value) }));
  header.append(select);
  app.append(header);
  if (!last) { app.append(el('p', 'empty', 'Loading…')); return; }
  const { reports } = last;
  const totals = reports.day.totals;
  const summary = el('div', 'summary');
  for (const [label, value] of [['Total tokens', n(totals.total)], ['Est. cost', cost(totals)], ['Model calls', n(totals.records)]] as const) {
    const card = el('div', 'figure');
    card.append(el('span', 'figure-value', value), el('span', 'figure-label', label));
    summary.append(card);
  }
  app.append(summary, chart(reports.day));
  const tabs = el('div', 'tabs');
  tabs.setAttribute('role', 'tablist');
  for (const x of TABS) {
    const b = el('button', `tab${x.key === tab ? ' selected' : ''}`, `By ${x.label.toLowerCase()}`);
    b.setAttribute('role', 'tab');
    b.setAttribute('aria-selected', String(x.key === tab));
    b.dataset.tab = x.key;
    b.addEventListener('click', () => { tab = x.key; vscode.setState({ tab }); render(); });
    tabs.append(b);
  }
  app.append(tabs, table(reports[tab]));
  const note = el('p', 'note',
    `Days in ${reports.day.timezone}. Costs are estimates from list prices of ${reports.day.pricesAsOf}; models without a price cost "unknown". ` +
    `Reasoning is part of output. Updated ${new Date(last.updatedAt).toLocaleTimeString()}.`);
  app.append(note);
}

window.addEventListener('message', (e: MessageEvent<HostMessage>) => {
  const m = e.data;
  if (m?.type === 'usage') { last = m; render(); }
  else if (m?.type === 'error') {
    const app = document.getElementById('app')!;
    app.querySelector('.error')?.remove();
    app.prepend(el('p', 'error', m.message));
  }
});
render();
vscode.postMessage({ type: 'ready' });
