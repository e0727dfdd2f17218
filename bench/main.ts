// `npm run bench`: every benchmark with sizes that fit this machine, each repeated and reported as a
// median, then docs/benchmarks.md regenerated from the results. Heavy parts run in child processes
// (the same script with --child) so each has its own memory and a cold start.
// Flags: --size 100MB|1GB (corpus), --repeats N, --scale-sessions N, --scale-messages N,
//        --skip ingest,ccusage,history,scale,historyTree,latency,liveImport,healthIngest,webview,activation,hostActivation, --no-docs
//        FLIGHTDECK_BENCH_HISTORY_1GB=1 adds the history import at 1 GB.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/engine/store/driver';
import { activationRun } from './activation';
import { type HostActivationRun, NEWER_CODE_SERVER, hostActivationRun, hostCodeServerVersion, prepareHostActivation } from './hostActivation';
import { ensureCorpus, type Corpus } from './corpus';
import { type HealthIngestRun, healthIngestRun } from './healthIngest';
import { writeRolloutFarm } from '../test/fixtures/bench/rolloutFarm';
import { claudeRun, codexRun, floorRun, type IngestRun } from './ingest';
import { type FanoutRun, fanoutClients, fanoutEngine, fanoutFloor, fanoutProvider, fanoutRun } from './fanout';
import { type ImportRun, type ImportWhich, importFloorRun, importRun } from './historyImport';
import { profileSummary } from './profile';
import { type Row, mergeReport, renderReport } from './report';
import { SEARCH_SETS, type SearchRun, searchRun } from './searchFloor';
import { type StoreFloorIndex, type StoreFloorRun, storeFloorRun } from './storeFloor';
import { systemClock } from '../src/engine/platform/clock';
import { openStore } from '../src/engine/store/sqliteStore';
import { SEARCH_QUERIES, ensureScaleDb, scaleRun, type ScaleRun } from './scale';
import { type HistoryTreeRun, historyTreeRun } from './historyTree';
import { median, percentile } from './stats';
import { type PageFigures, STREAM_CHARS, webviewRuns } from './webview';

const REPO = path.resolve(__dirname, '..');
const CACHE = path.join(REPO, '.cache', 'bench');
const TOOLS = path.join(REPO, '.cache', 'bench-tools');
const SCRIPT = __filename;

const log = (m: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');

function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(MB|GB)$/i.exec(s.trim());
  if (!m) throw new Error(`--size must look like 100MB or 1GB, not ${s}`);
  return Number(m[1]) * (m[2].toUpperCase() === 'GB' ? 1024 ** 3 : 1024 ** 2);
}

/** Runs this script with --child args; resolves the JSON of its last stdout line and its wall time. */
function child<T>(args: string[], nodeArgs: string[] = []): Promise<{ result: T; wallMs: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(process.execPath, [...nodeArgs, SCRIPT, '--child', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    p.on('error', reject);
    p.on('exit', code => {
      const wallMs = performance.now() - t0;
      if (code !== 0) return reject(new Error(`bench child ${args[0]} exited ${code}`));
      const last = out.trim().split('\n').pop() ?? '';
      resolve({ result: JSON.parse(last) as T, wallMs });
    });
  });
}

async function runChild(mode: string, rest: string[]): Promise<void> {
  const print = (v: unknown): void => { process.stdout.write(JSON.stringify(v) + '\n'); };
  const corpus = () => JSON.parse(fs.readFileSync(rest[0], 'utf8')) as Corpus;
  switch (mode) {
    case 'floor': { const c = corpus(); return print(floorRun(rest[1] === 'claude' ? c.claudeFiles : [...c.codexFiles, ...c.claudeFiles])); }
    case 'codex': return print(await codexRun(corpus()));
    case 'claude': return print(claudeRun(corpus()));
    case 'import-floor': return print(importFloorRun(corpus(), rest[1] as ImportWhich));
    case 'import': return print(await importRun(corpus(), rest[1] as ImportWhich));
    case 'store-floor': return print(await storeFloorRun(corpus().claudeFiles, rest[2], rest[1] as StoreFloorIndex));
    case 'corpus': return print(ensureCorpus(CACHE, parseSize(rest[0]), log, rest[1] === 'short' ? 'short' : 'large').dir);
    case 'scale': return print(await scaleRun(rest[0]));
    case 'search': return print(searchRun(rest[0]));
    case 'migrate': { const t = performance.now(); openStore({ file: rest[0], clock: systemClock, log: (l, m) => log(`${l} ${m}`) }).close(); return print({ ms: performance.now() - t }); }
    case 'history-tree': return print(await historyTreeRun(Number(rest[0])));
    case 'write-rollouts': writeRolloutFarm(rest[0], Number(rest[1])); return print({ ok: true });
    case 'activation': return print(await activationRun(REPO));
    case 'fanout-engine': return fanoutEngine(rest[0], Number(rest[1]), rest[2], rest[3]);
    case 'fanout-provider': return fanoutProvider(rest[0], Number(rest[1]));
    case 'fanout-floor': return fanoutFloor(Number(rest[0]), rest[1]);
    case 'fanout-clients': return fanoutClients(rest[0], rest[1], Number(rest[2]), rest[3], rest[4], rest[5]);
    default: throw new Error(`unknown bench child ${mode}`);
  }
}

function ensureCcusage(): string | null {
  // The pinned devDependency first; the old install into .cache/bench-tools otherwise.
  try { return require.resolve('ccusage/dist/index.js', { paths: [REPO] }); } catch { /* not installed */ }
  const bin = path.join(TOOLS, 'node_modules', 'ccusage', 'dist', 'index.js');
  if (fs.existsSync(bin)) return bin;
  log('installing ccusage@18.0.11 into .cache/bench-tools (git-ignored)');
  const r = spawnSync('npm', ['install', '--prefix', TOOLS, 'ccusage@18.0.11', '--no-audit', '--no-fund', '--no-save'], { stdio: 'inherit' });
  return r.status === 0 && fs.existsSync(bin) ? bin : null;
}

function ccusageRun(bin: string, claudeHome: string): { wallMs: number; totalTokens: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, 'daily', '--json', '--offline'], {
    env: { ...process.env, CLAUDE_CONFIG_DIR: claudeHome }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024,
  });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`ccusage failed (${r.status}): ${r.stderr.slice(0, 500)}`);
  const json = JSON.parse(r.stdout) as { totals?: { totalTokens?: number } };
  return { wallMs, totalTokens: json.totals?.totalTokens ?? 0 };
}

/**
 * `flightdeck import` over the Claude files as a user runs it (dist/cli.js, whole process), into a
 * fresh data folder, with an empty Codex home: the command set against `ccusage daily`.
 */
function flightdeckImportRun(claudeHome: string): { wallMs: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-bench-cli-import-'));
  try {
    fs.mkdirSync(path.join(dir, 'codex'));
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [path.join(path.dirname(SCRIPT), 'cli.js'), 'import', '--codex-home', path.join(dir, 'codex'), '--claude-home', claudeHome, '--data-dir', path.join(dir, 'data')], {
      env: { ...process.env, FLIGHTDECK_LEADER_DIR: path.join(dir, 'leader') }, encoding: 'utf8',
    });
    const wallMs = performance.now() - t0;
    const items = Number(/ (\d+) item\(s\)/.exec(r.stdout)?.[1] ?? NaN);
    if (r.status !== 0 || !(items > 0)) throw new Error(`flightdeck import failed (${r.status}): ${r.stdout.slice(0, 300)} ${r.stderr.slice(0, 500)}`);
    return { wallMs };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      size: { type: 'string', default: '100MB' }, repeats: { type: 'string', default: '3' },
      'scale-sessions': { type: 'string', default: '10000' }, 'scale-messages': { type: 'string', default: '5000000' },
      skip: { type: 'string', default: '' }, only: { type: 'string', default: '' }, 'no-docs': { type: 'boolean', default: false },
      'fanout-ms': { type: 'string', default: '3000' }, 'profile-dir': { type: 'string' },
      'fanout-shapes': { type: 'string', default: '1x1,10x100,50x100' }, 'fanout-extra': { type: 'string', default: 'deaf,profile' },
    },
  });
  const started = new Date();
  const size = parseSize(values.size!);
  const repeats = Math.max(1, Number(values.repeats));
  const skip = new Set(values.skip!.split(',').filter(Boolean));
  const only = values.only!.split(',').filter(Boolean);
  if (only.length) for (const a of AREAS) if (!only.includes(a)) skip.add(a);
  // Named with --skip only: `--only history` still compares with ccusage.
  skipCcusage = values.skip!.split(',').includes('ccusage');
  const rows: Row[] = [];
  const details: string[] = [];
  fs.mkdirSync(CACHE, { recursive: true });

  // ---- ingest ------------------------------------------------------------------------------
  let corpus: Corpus | null = null;
  if (!skip.has('ingest') || !skip.has('ccusage')) {
    corpus = ensureCorpus(CACHE, size, log);
    const manifest = path.join(corpus.dir, 'manifest.json');
    const total = corpus.codexBytes + corpus.claudeBytes;
    const mb = (bytes: number, msTaken: number) => bytes / 1048576 / (msTaken / 1000);
    details.push(`Corpus: ${corpus.codexFiles.length} Codex rollouts (${fmt(corpus.codexBytes / 1048576, 0)} MB) and ${corpus.claudeFiles.length} Claude transcripts `
      + `(${fmt(corpus.claudeBytes / 1048576, 0)} MB) in 8 project folders, ${corpus.lines.toLocaleString('en-US')} lines; tool outputs of 0.1–200 KB, messages of 4–200 words (bench/corpus.ts, seeded).`);
    if (!skip.has('ingest')) {
      const floors: number[] = [];
      const fds: number[] = [];
      const ratios: number[] = [];
      const rss: number[] = [];
      let messages = 0;
      for (let r = 0; r < repeats; r++) {
        const floor = (await child<IngestRun>(['floor', manifest, 'all'])).result;
        const cx = (await child<IngestRun>(['codex', manifest])).result;
        const cl = (await child<IngestRun>(['claude', manifest])).result;
        const floorMbs = mb(total, floor.ms);
        const fdMbs = mb(total, cx.ms + cl.ms);
        floors.push(floorMbs);
        fds.push(fdMbs);
        ratios.push(fdMbs / floorMbs);
        rss.push(Math.max(cx.maxRssMb, cl.maxRssMb));
        messages = (cx.messages ?? 0) + (cl.messages ?? 0);
        log(`ingest ${r + 1}/${repeats}: floor ${fmt(floorMbs)} MB/s, Flightdeck ${fmt(fdMbs)} MB/s (codex ${fmt(mb(cx.bytes, cx.ms))}, claude ${fmt(mb(cl.bytes, cl.ms))}), ratio ${fmt(fdMbs / floorMbs, 2)}`);
      }
      rows.push({ group: 'Ingest', figure: `Cold backfill of ${fmt(total / 1048576, 0)} MB into the store with FTS`, value: `${fmt(median(fds))} MB/s`, goal: '—', met: null });
      rows.push({ group: 'Ingest', figure: 'Bare read + JSON.parse loop over the same files (floor)', value: `${fmt(median(floors))} MB/s`, goal: '—', met: null });
      rows.push({ group: 'Ingest', figure: 'Flightdeck ÷ floor', value: fmt(median(ratios), 2), goal: '≥ 0.5', met: median(ratios) >= 0.5 });
      rows.push({ group: 'Ingest', figure: 'Peak RSS of the ingesting process', value: `${fmt(median(rss), 0)} MB`, goal: '—', met: null });
      details.push(`Ingest stored ${messages.toLocaleString('en-US')} transcript items per run (each line of Codex's double-written messages lands once).`);
    }
    if (!skip.has('ccusage')) {
      const bin = ensureCcusage();
      if (!bin) {
        rows.push({ group: 'Ingest', figure: 'Claude corpus: Flightdeck vs ccusage daily report', value: 'ccusage could not be installed', goal: 'Flightdeck faster', met: null });
      } else {
        const fd: number[] = [];
        const cc: number[] = [];
        let tokens = 0;
        for (let r = 0; r < repeats; r++) {
          fd.push((await child<IngestRun>(['claude', manifest])).wallMs);
          const c = ccusageRun(bin, corpus.claudeHome);
          cc.push(c.wallMs);
          tokens = c.totalTokens;
          log(`ccusage ${r + 1}/${repeats}: Flightdeck ${fmt(fd[r] / 1000, 2)} s, ccusage ${fmt(c.wallMs / 1000, 2)} s`);
        }
        rows.push({ group: 'Ingest', figure: `Claude corpus (${fmt(corpus.claudeBytes / 1048576, 0)} MB): Flightdeck ingest, whole process`, value: `${fmt(median(fd) / 1000, 2)} s`, goal: '—', met: null });
        rows.push({ group: 'Ingest', figure: 'Same files: `ccusage daily --json --offline` (18.0.11), whole process', value: `${fmt(median(cc) / 1000, 2)} s`, goal: '—', met: null });
        rows.push({ group: 'Ingest', figure: 'ccusage time ÷ Flightdeck time', value: `${fmt(median(cc) / median(fd), 2)}×`, goal: '> 1 (Flightdeck faster)', met: median(cc) > median(fd) });
        details.push(`ccusage counted ${tokens.toLocaleString('en-US')} tokens in the Claude corpus (a sanity check that it read the files).`);
      }
    }
  }

  // ---- history import (SPEC §11, issue 14) ----------------------------------------------------
  if (!skip.has('history')) await historyRows(rows, details, repeats, values.size!);

  // ---- scale -------------------------------------------------------------------------------
  if (!skip.has('scale')) {
    const p = { sessions: Number(values['scale-sessions']), messages: Number(values['scale-messages']) };
    const db = ensureScaleDb(CACHE, p, log);
    const runs: ScaleRun[] = [];
    for (let r = 0; r < repeats; r++) {
      runs.push((await child<ScaleRun>(['scale', db], ['--expose-gc'])).result);
      log(`scale ${r + 1}/${repeats}: restore ${fmt(runs[r].restoreMs)} ms, list ${fmt(runs[r].listMs)} ms, search ${fmt(runs[r].searchRareMs)} / ${fmt(runs[r].searchMs)} ms, RSS ${fmt(runs[r].rssMb, 0)} MB`);
    }
    const m = (k: keyof ScaleRun) => median(runs.map(x => x[k]));
    const label = `${p.sessions.toLocaleString('en-US')} sessions / ${(p.messages / 1e6).toLocaleString('en-US')}M messages`;
    rows.push({ group: 'Scale', figure: `Startup restore (${label})`, value: `${fmt(m('restoreMs'))} ms`, goal: '< 500 ms', met: m('restoreMs') < 500 });
    rows.push({ group: 'Scale', figure: 'List snapshot: first subscribe_list after startup, answered and serialized', value: `${fmt(m('listMs'))} ms`, goal: '< 50 ms', met: m('listMs') < 50 });
    rows.push({ group: 'Scale', figure: 'List snapshot: later subscribe_list (median of 5)', value: `${fmt(m('listWarmMs'))} ms`, goal: '< 50 ms', met: m('listWarmMs') < 50 });
    rows.push({ group: 'Scale', figure: `FTS search for identifiers (median of ${SEARCH_QUERIES.rare.length} queries, newest 50 hits)`, value: `${fmt(m('searchRareMs'))} ms`, goal: '< 50 ms', met: m('searchRareMs') < 50 });
    rows.push({ group: 'Scale', figure: `FTS search for common words (median of ${SEARCH_QUERIES.common.length} queries, newest 50 hits)`, value: `${fmt(m('searchMs'))} ms`, goal: '< 50 ms', met: m('searchMs') < 50 });
    rows.push({ group: 'Scale', figure: 'RSS after restore', value: `${fmt(m('rssMb'), 0)} MB`, goal: '< 200 MB', met: m('rssMb') < 200 });
    // Search next to its bare FTS5 floor, same process, same queries (bench/searchFloor.ts).
    const sr = (await child<SearchRun>(['search', db])).result;
    const names: Record<string, string> = { common: 'common words', prefix: 'prefix of 2–3 characters as typed', prefixLong: 'prefix of 4–5 characters as typed' };
    for (const x of sr.rows) {
      rows.push({
        group: 'Scale', figure: `Search, ${names[x.set] ?? x.set} (median of ${SEARCH_SETS[x.set as keyof typeof SEARCH_SETS].length} queries, newest 50 hits; bare FTS5 MATCH … ORDER BY rowid DESC LIMIT 50 floor in brackets)`,
        value: `${fmt(x.fdMs, 1)} ms (floor ${fmt(x.floorMs, 1)} ms; worst query ${fmt(x.worstFdMs, 1)} ms)`, goal: '≤ 10 ms', met: x.fdMs <= 10,
      });
    }
    const dbMb = fs.statSync(db).size / 1048576;
    const conn = openDatabase(db);
    const counts = conn.prepare('SELECT (SELECT COUNT(*) FROM sessions) AS s, (SELECT COUNT(*) FROM messages) AS m').get();
    conn.close();
    details.push(`Scale database: ${Number(counts?.s).toLocaleString('en-US')} sessions, ${Number(counts?.m).toLocaleString('en-US')} messages, ${fmt(dbMb, 0)} MB with its FTS index; `
      + `the engine restores the ${runs[0].restored} most recent sessions (SPEC §2); the list snapshot is ${fmt(runs[0].listBytes / 1024, 0)} KB of JSON.`);
  }

  // ---- the History node of the tree over 10,000 past sessions -------------------------------
  if (!skip.has('historyTree')) {
    const runs: HistoryTreeRun[] = [];
    for (let r = 0; r < repeats; r++) {
      runs.push((await child<HistoryTreeRun>(['history-tree', values['scale-sessions']!])).result);
      log(`history tree ${r + 1}/${repeats}: expand project ${fmt(runs[r].expandProjectMs, 2)} ms (floor ${fmt(runs[r].floorProjectMs, 2)}), expand day ${fmt(runs[r].expandDayMs, 2)} ms (floor ${fmt(runs[r].floorDayMs, 2)})`);
    }
    const m = (k: keyof HistoryTreeRun) => median(runs.map(x => x[k]));
    const n = runs[0];
    rows.push({
      group: 'History', figure: `Tree: expanding a project of ${n.projectSessions.toLocaleString('en-US')} past sessions (${n.days} days) among ${n.sessions.toLocaleString('en-US')}: the provider's getChildren + getTreeItem, through the protocol (floor: the bare SQL)`,
      value: `${fmt(m('expandProjectMs'), 2)} ms`, floor: `${fmt(m('floorProjectMs'), 2)} ms`, goal: '≤ 50 ms', met: m('expandProjectMs') <= 50,
    });
    rows.push({ group: 'History', figure: 'Same request alone: list_history_groups round trip (in-process transport, validated and serialized)', value: `${fmt(m('rpcProjectMs'), 2)} ms`, goal: '—', met: null });
    rows.push({
      group: 'History', figure: `Tree: expanding a day of that project (${n.pageRows} rows): getChildren + getTreeItem through list_history_sessions (floor: the bare SQL)`,
      value: `${fmt(m('expandDayMs'), 2)} ms`, floor: `${fmt(m('floorDayMs'), 2)} ms`, goal: '≤ 50 ms', met: m('expandDayMs') <= 50,
    });
    rows.push({ group: 'History', figure: 'Same request alone: list_history_sessions round trip', value: `${fmt(m('rpcDayMs'), 2)} ms`, goal: '—', met: null });
  }

  // ---- hub fan-out ------------------------------------------------------------------------
  if (!skip.has('latency')) {
    // Three processes (provider → engine + hub → clients) against a bare `ws` floor, paired F/FD per repeat.
    const shapes = values['fanout-shapes']!.split(',').filter(Boolean).map(x => x.split('x').map(Number) as [number, number]);
    const extra = new Set(values['fanout-extra']!.split(','));
    const durationMs = Number(values['fanout-ms']);
    for (const [sessions, clients] of shapes) {
      const fd: FanoutRun[] = [];
      const floor: FanoutRun[] = [];
      for (let r = 0; r < repeats; r++) {
        floor.push(await fanoutRun(SCRIPT, 'floor', sessions, clients, durationMs));
        fd.push(await fanoutRun(SCRIPT, 'flightdeck', sessions, clients, durationMs));
        log(`fan-out ${sessions}×${clients} ${r + 1}/${repeats}: floor p50/p99 ${fmt(floor[r].p50, 2)}/${fmt(floor[r].p99, 2)} ms `
          + `(${floor[r].received}/${floor[r].expected}), Flightdeck ${fmt(fd[r].p50, 2)}/${fmt(fd[r].p99, 2)} ms (${fd[r].received}/${fd[r].expected})`);
      }
      rows.push(...fanoutRows(sessions, clients, fd, floor));
      for (const [name, runs] of [['floor', floor], ['Flightdeck', fd]] as const) {
        details.push(`Fan-out ${sessions}×${clients} ${name}: received / expected per repeat ${runs.map(x => `${x.received.toLocaleString('en-US')} / ${x.expected.toLocaleString('en-US')}`).join(', ')}; `
          + `timer lateness p99 ${runs.map(x => fmt(x.timerLateP99, 2)).join(' / ')} ms; timer firing to arrival p99 ${runs.map(x => fmt(x.deliveryP99, 2)).join(' / ')} ms.`);
      }
    }
    // A client that stops reading must cost only itself: the same 10×100 with one deaf client added.
    const deaf: FanoutRun[] = [];
    const without: FanoutRun[] = [];
    for (let r = 0; r < (extra.has('deaf') ? repeats : 0); r++) {
      without.push(await fanoutRun(SCRIPT, 'flightdeck', 10, 100, durationMs));
      deaf.push(await fanoutRun(SCRIPT, 'flightdeck', 10, 100, durationMs, { deaf: true }));
    }
    const dp99 = median(deaf.map(x => x.p99));
    const wp99 = median(without.map(x => x.p99));
    if (deaf.length) rows.push({
      group: 'Fan-out', figure: '10×100 plus one client that never reads: p99 of the 100 readers (floor = the same run without it)',
      value: `${fmt(dp99, 2)} ms`, floor: `${fmt(wp99, 2)} ms`, goal: '≤ 2× without, all delivered',
      met: dp99 <= 2 * Math.max(wp99, 1) && deaf.every(x => x.received === x.expected),
    });
    // Where the engine process spends its time at 50×100 (node --cpu-prof on the engine only).
    if (extra.has('profile')) {
    const profDir = values['profile-dir'] ? path.resolve(values['profile-dir']) : fs.mkdtempSync(path.join(os.tmpdir(), 'fd-bench-prof-'));
    fs.mkdirSync(profDir, { recursive: true });
    try {
      const prof = await fanoutRun(SCRIPT, 'flightdeck', 50, 100, durationMs, { profileDir: profDir });
      if (prof.profile) {
        const sum = profileSummary(prof.profile);
        details.push(`Engine process profile at 50×100 (node --cpu-prof, ${fmt(durationMs / 1000, 0)} s of streaming plus start-up): idle ${fmt(sum.idlePct, 0)} %; most self time: ${sum.line}.`);
      }
    } finally {
      if (!values['profile-dir']) fs.rmSync(profDir, { recursive: true, force: true });
    }
    }
  }

  // ---- live deltas while a History import runs (issue 14) -------------------------------------
  if (!skip.has('liveImport')) await liveImportRows(rows, details, repeats, values.size!, Number(values['fanout-ms']));

  // ---- /health during a 10,000-file ingest (issue 19) -------------------------------------------
  if (!skip.has('healthIngest')) {
    const files = 10_000;
    const runs: HealthIngestRun[] = [];
    for (let r = 0; r < repeats; r++) {
      // The writer is a child of its own, so its file writes never delay this process's /health probe.
      runs.push(await healthIngestRun(path.join(REPO, 'dist', 'cli.js'), files, async (home, n) => { await child(['write-rollouts', home, String(n)]); }));
      const x = runs[r];
      log(`health ${r + 1}/${repeats}: idle p50/p99/max ${fmt(x.idle.p50)}/${fmt(x.idle.p99)}/${fmt(x.idle.max)} ms; at start ${fmt(x.atStart.p50)}/${fmt(x.atStart.p99)}/${fmt(x.atStart.max)} ms `
        + `(serving after ${fmt(x.atStart.servedAfterMs, 0)} ms, ingest ${fmt(x.atStart.ingestMs / 1000)} s); while running ${fmt(x.whileRunning.p50)}/${fmt(x.whileRunning.p99)}/${fmt(x.whileRunning.max)} ms (ingest ${fmt(x.whileRunning.ingestMs / 1000)} s)`);
    }
    const m = (f: (x: HealthIngestRun) => number) => median(runs.map(f));
    const three = (k: 'idle' | 'atStart' | 'whileRunning') => `${fmt(m(x => x[k].p50))} / ${fmt(m(x => x[k].p99))} / ${fmt(m(x => x[k].max))} ms`;
    const idle = three('idle');
    for (const [k, label] of [['atStart', `${files.toLocaleString('en-US')} rollouts present when \`flightdeck serve\` starts`], ['whileRunning', `${files.toLocaleString('en-US')} rollouts written while it runs`]] as const) {
      const p99 = m(x => x[k].p99);
      rows.push({ group: 'Health', figure: `/health p50 / p99 / max while ${label} are ingested (floor: the same engine idle, same run)`, value: three(k), floor: idle, goal: 'p99 ≤ 50 ms', met: p99 <= 50 });
      rows.push({ group: 'Health', figure: `Same: p99 ÷ idle p99 (paired repeats)`, value: `${fmt(median(runs.map(x => x[k].p99 / Math.max(x.idle.p99, 0.001))), 1)}×`, floor: '1×', goal: '—', met: null });
    }
    rows.push({ group: 'Health', figure: `Serving (hub listening) after \`flightdeck serve\` started with ${files.toLocaleString('en-US')} rollouts present`, value: `${fmt(m(x => x.atStart.servedAfterMs), 0)} ms`, goal: '—', met: null });
    details.push(`Health: sessions listed when /health first answered at start ${runs.map(x => x.atStart.listedAtServe).join(' / ')} of ${files}; all listed after ${runs.map(x => fmt(x.atStart.ingestMs / 1000)).join(' / ')} s at start, `
      + `${runs.map(x => fmt(x.whileRunning.ingestMs / 1000)).join(' / ')} s while running; /health answers sampled ${runs.map(x => `${x.atStart.answers} / ${x.whileRunning.answers}`).join(', ')}.`);
  }

  // ---- webview -----------------------------------------------------------------------------
  if (!skip.has('webview')) {
    const runs = await webviewRuns(REPO, repeats);
    const m = (side: 'panel' | 'floor', k: keyof PageFigures) => median(runs.map(x => x[side][k]));
    const both = (k: keyof PageFigures, d = 1) => ({ value: `${fmt(m('panel', k), d)} ms`, floor: `${fmt(m('floor', k), d)} ms` });
    log(`webview: first paint ${fmt(m('panel', 'firstPaintMs'), 0)} ms (floor ${fmt(m('floor', 'firstPaintMs'), 0)}), scroll p95 ${fmt(m('panel', 'p95FrameMs'))} ms `
      + `(floor ${fmt(m('floor', 'p95FrameMs'))}), per delta p95 ${fmt(m('panel', 'deltaP95Ms'))} ms (floor ${fmt(m('floor', 'deltaP95Ms'))})`);
    rows.push({ group: 'Webview', figure: 'Session panel: first paint of a 10,000-item transcript (headless Chromium, software rendering)', ...both('firstPaintMs', 0), goal: '≤ 150 ms', met: m('panel', 'firstPaintMs') <= 150 });
    rows.push({ group: 'Webview', figure: 'Scrolling it top to bottom, 2,000 px per frame: frame time median', ...both('medianFrameMs'), goal: '—', met: null });
    rows.push({ group: 'Webview', figure: 'Same: frame time p95', ...both('p95FrameMs'), goal: '≤ 16.7 ms', met: m('panel', 'p95FrameMs') <= 16.7 });
    rows.push({
      group: 'Webview', figure: `Streaming a ${STREAM_CHARS.toLocaleString('en-US')}-character reply into the open panel, 100-character deltas: time per delta to the next frame, p50 / p95`,
      value: `${fmt(m('panel', 'deltaP50Ms'))} / ${fmt(m('panel', 'deltaP95Ms'))} ms`, floor: `${fmt(m('floor', 'deltaP50Ms'))} / ${fmt(m('floor', 'deltaP95Ms'))} ms`,
      goal: 'within a 50 ms window', met: m('panel', 'deltaP95Ms') <= 50,
    });
    rows.push({
      group: 'Webview', figure: 'Same: other transcript rows re-rendered while it streams (all deltas)',
      value: `${fmt(m('panel', 'otherRowsTouched'), 0)}`, goal: '0', met: m('panel', 'otherRowsTouched') === 0,
    });
    details.push(`Webview: at most ${m('panel', 'maxRows')} transcript rows in the DOM while scrolling 10,000 items (virtualized); the floor page holds ${m('floor', 'maxRows')}. `
      + `Per repeat, panel / floor: first paint ${runs.map(x => `${fmt(x.panel.firstPaintMs, 0)} / ${fmt(x.floor.firstPaintMs, 0)}`).join(', ')} ms; `
      + `scroll p95 ${runs.map(x => `${fmt(x.panel.p95FrameMs)} / ${fmt(x.floor.p95FrameMs)}`).join(', ')} ms.`);
    const prof = runs[runs.length - 1].profile;
    if (prof) {
      const sum = profileSummary(prof, 10);
      details.push(`Session panel profile (Chromium's profiler over first paint, scrolling and streaming, last repeat): idle ${fmt(sum.idlePct, 0)} %; most self time: ${sum.line}.`);
      fs.rmSync(prof, { force: true });
    }
  }

  // ---- activation --------------------------------------------------------------------------
  if (!skip.has('activation')) {
    const runs: { activateMs: number; requireMs: number }[] = [];
    for (let r = 0; r < repeats; r++) runs.push((await child<{ activateMs: number; requireMs: number }>(['activation'])).result);
    const a = median(runs.map(x => x.activateMs));
    log(`activation: activate() ${fmt(a, 2)} ms, require ${fmt(median(runs.map(x => x.requireMs)), 1)} ms`);
    rows.push({ group: 'Extension', figure: 'Stand-in, not the host: activate() of dist/extension.js in plain Node with a stand-in `vscode` module', value: `${fmt(a, 2)} ms`, goal: '< 50 ms', met: a < 50 });
    rows.push({ group: 'Extension', figure: 'Stand-in, not the host: loading dist/extension.js (require) before activate()', value: `${fmt(median(runs.map(x => x.requireMs)), 1)} ms`, goal: '—', met: null });
  }

  // ---- activation in the real extension host ----------------------------------------------
  if (!skip.has('hostActivation')) {
    // Both hosts the package is tested in: VS Code 1.100 (Node 20) and 1.139 (Node 24, node:sqlite).
    const versions = [hostCodeServerVersion(), NEWER_CODE_SERVER];
    const entry = prepareHostActivation(REPO, log, versions);
    for (const cs of versions) {
      const runs: HostActivationRun[] = [];
      for (let r = 0; r < repeats; r++) {
        runs.push(await hostActivationRun(REPO, entry, cs));
        const x = runs[r];
        log(`host activation ${cs} ${r + 1}/${repeats}: activate() ${fmt(x.activateMs, 1)} ms, engine ready ${fmt(x.engineReadyMs, 1)} ms (${x.role}), whole host run ${fmt(x.wallMs / 1000, 1)} s`);
      }
      const m = (k: keyof HostActivationRun) => median(runs.map(x => Number(x[k])));
      const a = m('activateMs');
      const host = median(runs.map(x => x.hostBeforeLoadMs + x.hostBetweenMs + x.hostAfterMs));
      const ours = median(runs.map(x => x.bundleEvalMs + x.activateBodyMs));
      rows.push({
        group: 'Extension', figure: `Real extension host (code-server ${cs}): \`await getExtension('flightdeck.flightdeck').activate()\`, one cold activation per host start (floor: the host's own part of it, same runs)`,
        value: `${fmt(a, 1)} ms`, floor: `${fmt(host, 1)} ms`, goal: '—', met: null,
      });
      rows.push({
        group: 'Extension', figure: `Same: Flightdeck's part — evaluating dist/extension.js plus activate() itself`,
        value: `${fmt(ours, 1)} ms (${fmt(m('bundleEvalMs'), 1)} + ${fmt(m('activateBodyMs'), 1)})`, goal: '≤ 50 ms', met: ours <= 50,
      });
      rows.push({ group: 'Extension', figure: `Same: engine ready (the returned API's ready() resolved), from the same start`, value: `${fmt(m('engineReadyMs'), 1)} ms`, goal: '—', met: null });
      rows.push({ group: 'Extension', figure: `Same: Sessions tree holds the engine's list, from the same start`, value: `${fmt(m('treeLoadedMs'), 1)} ms`, goal: '—', met: null });
      details.push(`Host activation: ${runs.length} code-server ${cs} starts (VS Code ${runs[0].vscode}, extension host on Node ${runs[0].node}), role ${[...new Set(runs.map(x => x.role))].join('/')}; `
        + `per run, ext.activate() = host before evaluating the bundle + bundle evaluation + host before calling activate() (extension context) + activate() + host after it returned: `
        + `${runs.map(x => `${fmt(x.activateMs, 1)} = ${fmt(x.hostBeforeLoadMs, 1)} + ${fmt(x.bundleEvalMs, 1)} + ${fmt(x.hostBetweenMs, 1)} + ${fmt(x.activateBodyMs, 1)} + ${fmt(x.hostAfterMs, 1)}`).join('; ')} ms; `
        + `slowest require() calls while activating (last run): ${Object.entries(runs[runs.length - 1].requires).map(([k, v]) => `${path.basename(k)} ${fmt(v, 1)}`).join(', ')} ms; `
        + `engine ready ${runs.map(x => fmt(x.engineReadyMs, 1)).join(' / ')} ms, tree loaded ${runs.map(x => fmt(x.treeLoadedMs, 1)).join(' / ')} ms, `
        + `whole host run (server start, workbench, shutdown) ${runs.map(x => fmt(x.wallMs / 1000, 1)).join(' / ')} s.`);
    }
  }

  const durationS = (Date.now() - started.getTime()) / 1000;
  const sqlite = (() => { const db = openDatabase(':memory:'); const d = db.driver; db.close(); return d; })();
  const argv = process.argv.slice(2).join(' ');
  const md = renderReport({
    command: `npm run bench${argv ? ` -- ${argv}` : ''}`, startedAt: started, durationS, sqlite, repeats, rows, details,
    notes: NOTES,
  });
  fs.writeFileSync(path.join(CACHE, 'last-results.json'), JSON.stringify({ started, rows, details }, null, 2));
  if (!values['no-docs']) {
    // A run of some areas (--only) updates their rows in place and keeps the others' from their run.
    const docs = path.join(REPO, 'docs', 'benchmarks.md');
    const words: Record<string, string[]> = {
      latency: ['Fan-out', 'Engine', 'Latency'], liveImport: ['Live'], history: ['History', 'Store'], webview: ['Webview', 'Session'], hostActivation: ['Host', 'Activation'], activation: ['Activation'],
      // The tree's rows are the group History; it writes no details, and its note begins like the import's.
      scale: ['Scale'], historyTree: [],
      // One group (Ingest) for both: run them together, or the other's rows go.
      ingest: ['Corpus', 'Ingest'], ccusage: ['Corpus', 'ccusage'],
    };
    const partial = only.length && fs.existsSync(docs) && only.every(a => a in words);
    if (only.length && !partial) {
      // Writing the report of a few areas over the whole file would drop every other area's rows and the
      // hand-measured sections: only the areas above know how to update their rows in place.
      log(`docs/benchmarks.md left as it is: --only ${only.join(',')} has no in-place update (results in ${path.join(CACHE, 'last-results.json')}); run the whole bench to regenerate it`);
      process.stdout.write(md);
      return;
    }
    const out = partial
      ? mergeReport(fs.readFileSync(docs, 'utf8'), { command: `npm run bench${argv ? ` -- ${argv}` : ''}`, startedAt: started, durationS, sqlite, repeats, rows, details, notes: NOTES },
        { groups: only.includes('latency') ? ['Latency'] : [], words: only.flatMap(a => words[a]) })
      : md;
    fs.writeFileSync(docs, out);
    log('wrote docs/benchmarks.md');
  }
  process.stdout.write(md);
  log(`done in ${fmt(durationS / 60)} min`);
}

const AREAS = ['ingest', 'ccusage', 'history', 'scale', 'historyTree', 'latency', 'liveImport', 'healthIngest', 'webview', 'activation', 'hostActivation'];

/** Flightdeck next to its same-run floor: p50 / p99 each, the p99 ratio, and expected vs received deliveries. */
function fanoutRows(sessions: number, clients: number, fd: FanoutRun[], floor: FanoutRun[]): Row[] {
  const m = (runs: FanoutRun[], k: 'p50' | 'p99') => median(runs.map(x => x[k]));
  const ratio = median(fd.map((x, i) => x.p99 / Math.max(floor[i].p99, 0.001)));
  const all = fd.every(x => x.received === x.expected);
  const got = fd.reduce((a, x) => a + x.received, 0);
  const want = fd.reduce((a, x) => a + x.expected, 0);
  const shape = `${sessions} session${sessions > 1 ? 's' : ''} × ${clients} client${clients > 1 ? 's' : ''}`;
  return [
    {
      group: 'Fan-out', figure: `${shape}: overhead beyond the 50 ms window, p50 / p99 (floor: bare \`ws\` server)`,
      value: `${fmt(m(fd, 'p50'), 2)} / ${fmt(m(fd, 'p99'), 2)} ms`, floor: `${fmt(m(floor, 'p50'), 2)} / ${fmt(m(floor, 'p99'), 2)} ms`, goal: '—', met: null,
    },
    {
      group: 'Fan-out', figure: `${shape}: p99 ÷ floor p99 (paired repeats), deliveries received / expected`,
      value: `${fmt(ratio, 2)}×, ${got.toLocaleString('en-US')} / ${want.toLocaleString('en-US')}`, floor: '1×',
      goal: '≤ 2×, all delivered', met: ratio <= 2 && all,
    },
  ];
}

/**
 * p99 of live deltas reaching a client with and without a History import running in the same engine
 * (the fan-out's three processes, 1 session × 1 client), paired per repeat: without, then with.
 */
async function liveImportRows(rows: Row[], details: string[], repeats: number, size: string, durationMs: number): Promise<void> {
  // A p99 of one repeat's ~60 deltas is its largest one or two: the figures pool every repeat's deltas,
  // streamed for at least 10 s each. The import must outlast the streaming: eight times the size (the
  // engine imports 100 MB of short messages in under 3 s now).
  durationMs = Math.max(durationMs, 10_000);
  const importSize = `${Math.round((8 * parseSize(size)) / 1048576)}MB`;
  const corpus = ensureCorpus(CACHE, parseSize(importSize), log, 'short');
  const manifest = path.join(corpus.dir, 'manifest.json');
  const without: FanoutRun[] = [];
  const withImport: FanoutRun[] = [];
  for (let r = 0; r < repeats; r++) {
    without.push(await fanoutRun(SCRIPT, 'flightdeck', 1, 1, durationMs));
    withImport.push(await fanoutRun(SCRIPT, 'flightdeck', 1, 1, durationMs, { importManifest: manifest }));
    const a = without[r], b = withImport[r];
    log(`live deltas ${r + 1}/${repeats}: without import p50/p99 ${fmt(a.p50, 2)}/${fmt(a.p99, 2)} ms (${a.received}/${a.expected}), `
      + `with ${fmt(b.p50, 2)}/${fmt(b.p99, 2)} ms (${b.received}/${b.expected}; ${fmt(b.importMb ?? 0)} MB imported meanwhile, ${b.importRunning ? 'still running' : 'finished early'})`);
  }
  const pooled = (runs: FanoutRun[], p: number) => percentile(runs.flatMap(x => x.overheads), p);
  const ratio = pooled(withImport, 99) / Math.max(pooled(without, 99), 0.001);
  const all = [...without, ...withImport].every(x => x.received === x.expected);
  const label = `${importSize} short-message corpus`;
  rows.push({
    group: 'Live deltas', figure: `1 session × 1 client: overhead beyond the 50 ms window, p50 / p99, while the engine runs a History import of the ${label} (floor: the same engine without an import, same run)`,
    value: `${fmt(pooled(withImport, 50), 2)} / ${fmt(pooled(withImport, 99), 2)} ms`, floor: `${fmt(pooled(without, 50), 2)} / ${fmt(pooled(without, 99), 2)} ms`, goal: '—', met: null,
  });
  rows.push({
    group: 'Live deltas', figure: 'Same: p99 with the import ÷ p99 without (the deltas of every repeat pooled), all deltas delivered',
    value: `${fmt(ratio, 2)}×${all ? '' : ' (some lost)'}`, floor: '1×', goal: '≤ 2×, all delivered', met: ratio <= 2 && all,
  });
  details.push(`Live deltas with an import: p99 per repeat without / with ${without.map((x, i) => `${fmt(x.p99, 2)} / ${fmt(withImport[i].p99, 2)}`).join(', ')} ms; `
    + `MB imported during the ${fmt(durationMs / 1000, 0)} s of streaming ${withImport.map(x => fmt(x.importMb ?? 0)).join(' / ')} (the import ${withImport.every(x => x.importRunning) ? 'ran through every measured period' : 'ended early in some repeats'}).`);
}

/** Env var: also measure the history import at 1 GB (minutes per shape on a small machine). */
const HISTORY_1GB_ENV = 'FLIGHTDECK_BENCH_HISTORY_1GB';

/**
 * History import rows on both corpus shapes: import ÷ the bare read-and-parse floor over the same
 * files (each a fresh child, floor and import alternating), peak RSS of the importing process, and
 * ccusage over the Claude half against the import of that half, as whole processes.
 */
async function historyRows(rows: Row[], details: string[], repeats: number, size: string): Promise<void> {
  const sizes = [size, ...(process.env[HISTORY_1GB_ENV] === '1' && parseSize(size) < parseSize('1GB') ? ['1GB'] : [])];
  const cc = skipCcusage ? null : ensureCcusage();
  for (const sz of sizes) {
    for (const shape of ['large', 'short'] as const) {
      const corpus = ensureCorpus(CACHE, parseSize(sz), log, shape);
      const manifest = path.join(corpus.dir, 'manifest.json');
      const label = `${sz}, ${shape === 'short' ? 'many short messages' : 'few large messages'}`;
      const ratios: number[] = [];
      const rss: number[] = [];
      let last: ImportRun | null = null;
      let floorMs = 0;
      for (let r = 0; r < repeats; r++) {
        const floor = (await child<ImportRun>(['import-floor', manifest, 'all'])).result;
        const imp = (await child<ImportRun>(['import', manifest, 'all'])).result;
        ratios.push(imp.ms / floor.ms);
        rss.push(imp.maxRssMb);
        last = imp;
        floorMs = floor.ms;
        log(`history ${label} ${r + 1}/${repeats}: floor ${fmt(floor.ms / 1000, 2)} s, import ${fmt(imp.ms / 1000, 2)} s (${fmt(imp.ms / floor.ms, 1)}×), RSS ${fmt(imp.maxRssMb, 0)} MiB`);
      }
      const ratio = median(ratios);
      const peak = Math.max(...rss);
      rows.push({ group: 'History import', figure: `${label}: import wall time ÷ bare read + JSON.parse floor (same files, same run)`, value: `${fmt(ratio, 1)}×`, goal: '≤ 3×', met: ratio <= 3 });
      rows.push({ group: 'History import', figure: `${label}: peak RSS of the importing process`, value: `${fmt(peak, 0)} MiB`, goal: '≤ 150 MiB', met: peak <= 150 });
      if (last) {
        details.push(`History ${label}: ${corpus.codexFiles.length} rollouts + ${corpus.claudeFiles.length} transcripts, ${corpus.lines.toLocaleString('en-US')} lines, `
          + `${last.items.toLocaleString('en-US')} items in ${last.sessions} sessions; last run: floor ${fmt(floorMs / 1000, 2)} s, import ${fmt(last.ms / 1000, 2)} s, store ${fmt(last.dbMb ?? 0, 0)} MB.`);
      }
      // At every size the goal names (100 MB and, with HISTORY_1GB_ENV, 1 GB).
      if (cc) {
        const fd: number[] = [];
        const ccs: number[] = [];
        const floors: Record<StoreFloorIndex, number[]> = { search: [], noPrefix: [], none: [] };
        let floorRows: StoreFloorRun | null = null;
        for (let r = 0; r < repeats; r++) {
          fd.push(flightdeckImportRun(corpus.claudeHome).wallMs);
          ccs.push(ccusageRun(cc, corpus.claudeHome).wallMs);
          for (const index of Object.keys(floors) as StoreFloorIndex[]) {
            const run = await storeFloorChild(manifest, index);
            floors[index].push(run.wallMs);
            if (index === 'search') floorRows = run.result;
          }
          log(`ccusage ${label} ${r + 1}/${repeats}: flightdeck import ${fmt(fd[r] / 1000, 2)} s, ccusage ${fmt(ccs[r] / 1000, 2)} s, store floor ${fmt(floors.search[r] / 1000, 2)} s`);
        }
        const x = median(ccs) / median(fd);
        const half = `${label}, Claude half (${fmt(corpus.claudeBytes / 1048576, 0)} MB)`;
        rows.push({
          group: 'History import', figure: `${half}: \`ccusage daily --json --offline\` time ÷ \`flightdeck import\` time (whole processes)`,
          value: `${fmt(x, 2)}× (${fmt(median(ccs) / 1000, 1)} s vs ${fmt(median(fd) / 1000, 1)} s)`, goal: '≥ 3×', met: x >= 3,
        });
        const floor = median(floors.search);
        rows.push({
          group: 'History import', figure: `${half}: bare two-thread store floor (bench/storeFloor.ts), whole process — ccusage ÷ floor; \`flightdeck import\` ÷ floor`,
          value: `${fmt(median(ccs) / floor, 2)}×; ${fmt(median(fd) / floor, 2)}× (floor ${fmt(floor / 1000, 1)} s; without prefix indexes ${fmt(median(floors.noPrefix) / 1000, 1)} s, without a search index ${fmt(median(floors.none) / 1000, 1)} s)`,
          goal: '—', met: null,
        });
        if (floorRows) details.push(`Store floor ${half}: ${floorRows.rows.toLocaleString('en-US')} rows and ${floorRows.usageRows.toLocaleString('en-US')} usage rows written (the import stores as many items, tool results in their calls).`);
      }
    }
  }
}

/** The store floor in a child of its own (a whole process, as both commands it is set against), into a fresh file. */
async function storeFloorChild(manifest: string, index: StoreFloorIndex): Promise<{ result: StoreFloorRun; wallMs: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-bench-store-floor-'));
  try {
    return await child<StoreFloorRun>(['store-floor', manifest, index, path.join(dir, 'floor.db')]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

let skipCcusage = false;

const NOTES = [
  'Health (issue 19): the real `flightdeck serve` (dist/cli.js) in its own process with a fresh data folder per phase; this process sends `GET /health` back to back (one in flight, keep-alive, 5 ms apart) and records each answer\'s latency, until a WebSocket client following the list holds all 10,000 sessions. Phases: the engine idle for 5 s (the floor), 10,000 one-turn rollouts written before serve starts (seeded: modified within 15 minutes), and 10,000 written by a separate child process while serve runs (file events). bench/healthIngest.ts.',
  'Ingest: the floor is a loop that reads each `.jsonl` file whole and `JSON.parse`s every line, nothing else. Flightdeck is the real path: for Codex, the passive watcher\'s cold start with the seed window opened to the whole tree (every file tailed from offset 0, mapped, applied to the engine, written through the batched writer into SQLite with the FTS5 triggers); for Claude, `TranscriptTailer.follow` per session, as on a session\'s first hook. MB/s = corpus bytes ÷ time until the last write is committed. Each run is a fresh child process and a fresh database.',
  'ccusage: both sides are timed as whole processes (Node start included) over the same Claude files: `CLAUDE_CONFIG_DIR=<corpus> ccusage daily --json --offline` against Flightdeck ingesting them into a fresh store with FTS — in Ingest a bench child process, in History import the real command, `flightdeck import --claude-home <corpus> --codex-home <empty> --data-dir <fresh>` (dist/cli.js). ccusage builds a usage report; Flightdeck stores and indexes every item — not the same work, the same input.',
  'Store floor (bench/storeFloor.ts): the least an importer of the Claude half into this schema costs on this machine, as a whole process like both commands above. Bare code on two threads, as the import is: one reads each file whole, JSON.parses each line and maps it to rows (one per text, thinking or tool-use block, a tool result\'s output in its call\'s row; one usage row per assistant message), the other inserts them into the store\'s tables and indexes and fills the FTS5 index at each ~50 ms commit. It leaves out what makes the import safe and complete (sessions and names, resume offsets, a result whose call an earlier commit stored, the memory bound, bad input). Variants: the store\'s search index (prefix indexes \'2 3\', which keep prefix search at 5M messages under 10 ms), one without prefix indexes, none. ccusage ÷ floor is the most any importer of this schema could reach against ccusage here.',
  'Scale: the database is generated once with batched SQL inserts into the real schema (FTS triggers on) and cached in `.cache/bench/`. Each repeat is a fresh process: restore = `openStore` + `SessionEngine.start()` (migrations check, the 1,000 most recent sessions, startup rules); list = a `subscribe_list` through a `ClientConnection`, serialized; search = `engine.search(q, 50)`; RSS after restore, after a GC.',
  'Fan-out (bench/fanout.ts): three processes, as in real use. The provider process posts Claude `MessageDisplay` hooks to the engine\'s real hook receiver (HTTP over the Unix socket named in the leader folder\'s endpoint file, as the hook command does), one delta per session every 50 ms, spread over the 50 ms; each delta ends in `#<n>`. The engine process runs the leader\'s services (`startServices`, Claude integration on, the SQLite store with FTS) and the hub; its clock records when each 50 ms stream timer was armed and fired and which delta that firing published. The clients process opens the WebSocket clients, each subscribed to every session with `subscribe_session`, and stamps each `message_updated` on arrival (`performance.timeOrigin + performance.now()`, the same clock in every process). overhead = arrival − (armed + 50 ms). The floor, run in the same process layout right before each Flightdeck repeat: a process with a bare `ws` server and nothing else, one 50 ms timer per session sending a `message_updated` of the same shape and size (serialized once, sent to every subscriber), the same clients process. Expected deliveries = windows fired × clients. The engine process is profiled separately (`node --cpu-prof`) in one more 50×100 run.',
  'Live deltas (bench/fanout.ts, `--only liveImport`): the fan-out\'s three processes at 1 session × 1 client (a Claude hook delta every 50 ms, the engine\'s services and hub, one WebSocket client), run twice per repeat: without an import, then with the engine\'s own History import (`import_history`\'s path: HistoryService over the short-message corpus of eight times `--size`, so that it outlasts the streaming, on its own thread since round three — history/workerImport.ts — in the engine process) started right before the deltas and still running when they stop. overhead = arrival − (timer armed + 50 ms), as in Fan-out.',
  'History tree (bench/historyTree.ts): a fresh store with 10,000 past sessions written as the importer leaves them (ended, reason `history`, a year of days, 40 projects, the biggest holding a quarter), a real engine and an in-process protocol connection (as the leading window uses), and the tree\'s own History provider (src/vscode/historyTree.ts) loaded against the stand-in `vscode` module. Expanding = `children(node)` (the request, validated, answered from SQLite, serialized, delivered) + `getTreeItem` of every row; medians of 15 after a warm-up. The floor is the same SQL through a prepared statement on the same database, without JSON or protocol.',
  'Webview (bench/webview.ts): the bundled session panel (webview/build.mjs) on a page with the panel\'s strict CSP, in headless Chromium (software rendering, `--disable-gpu`), viewport 1000×900. First paint = from posting the 10,000-item snapshot to the first animation frame with rows; then one 2,000 px scroll step per animation frame from top to bottom; then a reply streamed into the open panel (message_appended, then message_updated with the whole text so far, 100 characters more each, until 20,000), each delta timed from posting it to the next frame, and a MutationObserver counting the other rows whose DOM changed. The floor, on its own page in the same browser before each panel repeat: the same messages drawn the cheapest way that still looks like a transcript — plain-text rows of a fixed height, only those in view plus the same 600 px margin in the DOM, placed in the scroll event, the streaming row\'s text set with textContent; no markdown, no templates, no measuring.',
  'Activation in the real extension host (the goal\'s figure): `bash scripts/vscode-host.sh test . out/bench/host/activation-entry.js` starts code-server (VS Code server + web workbench) and headless Chromium, and the entry (bench/host/activation-entry.ts, compiled by the root tsconfig) runs inside the Node extension host: it checks that Flightdeck is not active yet (fails otherwise), then times `await vscode.extensions.getExtension(\'flightdeck.flightdeck\').activate()` — the host loading dist/extension.js and running activate() — and, from the same start, until the returned API\'s `ready()` resolves (engine started in the background, protocol client connected). One activation per host start, a fresh code-server per repeat; each run has its own temp `FLIGHTDECK_DATA_DIR` and `FLIGHTDECK_LEADER_DIR` and empty `CODEX_HOME` / `CLAUDE_CONFIG_DIR`, so it does not depend on the machine\'s sessions (bench/hostActivation.ts). activate() not waiting for the engine is what keeps the engine off the critical path: the difference between the two figures is the engine\'s start.',
  'Activation stand-in: `activate()` of the built dist/extension.js in a plain Node process, with a stand-in `vscode` module injected through the require cache (bench/activation.ts): it answers every API call with inert objects. It measures the extension\'s own synchronous work in activate() and the bundle\'s load, not the host\'s; kept next to the host figure to separate the two.',
];

if (process.argv[2] === '--child') {
  const mode = process.argv[3];
  runChild(mode, process.argv.slice(4)).then(() => {
    // Done once the result is out (activation leaves the extension's engine starting in the background);
    // the latency clients stay until the parent tells them to stop.
    if (!mode.startsWith('fanout-')) process.stdout.write('', () => process.exit(0));
  }, e => { process.stderr.write(`${(e as Error)?.stack ?? e}\n`); process.exit(1); });
} else {
  main().catch(e => { process.stderr.write(`bench failed: ${(e as Error)?.stack ?? e}\n`); process.exit(1); });
}
