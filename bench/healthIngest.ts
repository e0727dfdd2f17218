// /health while the engine ingests 10,000 rollouts (issue 19): the real `flightdeck serve` (dist/cli.js)
// in its own process, /health sampled back to back from this one (test/fixtures/bench/healthProbe.ts),
// and a WebSocket client that counts the listed sessions to know when the ingest is done. Three
// phases per repeat, each with a fresh data folder: an idle engine (the floor), 10,000 small
// rollouts present when serve starts, and 10,000 written by another process while it runs.
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import WebSocket from 'ws';
import { ClientState } from '../src/engine/protocol/mirror/clientState';
import { probeHealth } from '../test/fixtures/bench/healthProbe';
import { writeRolloutFarm } from '../test/fixtures/bench/rolloutFarm';
import { percentile } from './stats';

export interface HealthFigures { p50: number; p99: number; max: number; answers: number }
export interface HealthIngestRun {
  idle: HealthFigures;
  atStart: HealthFigures & { servedAfterMs: number; listedAtServe: number; ingestMs: number };
  whileRunning: HealthFigures & { ingestMs: number };
}

const IDLE_MS = 5_000;
const INGEST_TIMEOUT_MS = 600_000;

interface Served { child: ChildProcess; httpUrl: string; wsUrl: string; spawnedAt: number; servedAt: number }

function serve(cli: string, dir: string, codexHome: string): Promise<Served> {
  const spawnedAt = performance.now();
  // The token file in the data folder (no FLIGHTDECK_TOKEN from the bench's own environment).
  const env: NodeJS.ProcessEnv = { ...process.env, FLIGHTDECK_LEADER_DIR: path.join(dir, 'run') };
  delete env.FLIGHTDECK_TOKEN;
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--data-dir', path.join(dir, 'data'), '--codex-home', codexHome,
    '--claude-home', path.join(dir, 'claude'), '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'], env });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /serving (http:\/\/\S+) \(WebSocket (ws:\/\/\S+)\)/.exec(out);
      if (m) resolve({ child, httpUrl: m[1], wsUrl: m[2], spawnedAt, servedAt: performance.now() });
    });
    child.on('exit', code => reject(new Error(`serve exited (${code}) before serving`)));
  });
}

async function listCounter(wsUrl: string, token: string): Promise<{ count(): number; close(): void }> {
  const ws = new WebSocket(wsUrl, { headers: { Authorization: `Bearer ${token}` } });
  await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
  const state = new ClientState();
  ws.on('message', d => {
    state.apply(JSON.parse(String(d)));
    for (const again of state.takeResubscribes()) ws.send(JSON.stringify(again));
  });
  ws.send(JSON.stringify({ type: 'subscribe_list', requestId: 'bench' }));
  return { count: () => state.list.size, close: () => ws.terminate() };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + INGEST_TIMEOUT_MS;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 50));
  }
}

const figures = (xs: number[]): HealthFigures => ({ p50: percentile(xs, 50), p99: percentile(xs, 99), max: percentile(xs, 100), answers: xs.length });

async function stop(s: Served): Promise<void> {
  const exited = new Promise(r => s.child.once('exit', r));
  s.child.kill('SIGTERM');
  await exited;
}

/** One repeat of the three phases; `writer` starts a process that writes `files` rollouts into a CODEX_HOME. */
export async function healthIngestRun(cli: string, files: number, writer: (home: string, files: number) => Promise<void>): Promise<HealthIngestRun> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-bench-health-'));
  const token = (dir: string) => fs.readFileSync(path.join(dir, 'data', 'token'), 'utf8').trim();
  try {
    // Idle: the floor of this machine and run.
    const idleDir = path.join(root, 'idle');
    const idle = await serve(cli, idleDir, path.join(idleDir, 'codex'));
    const idleProbe = probeHealth(idle.httpUrl);
    await new Promise(r => setTimeout(r, IDLE_MS));
    const idleFigures = figures(await idleProbe.stop());
    await stop(idle);

    // Present at start.
    const startDir = path.join(root, 'start');
    writeRolloutFarm(path.join(startDir, 'codex'), files);
    const s = await serve(cli, startDir, path.join(startDir, 'codex'));
    const p = probeHealth(s.httpUrl);
    const list = await listCounter(s.wsUrl, token(startDir));
    await p.first;
    const listedAtServe = list.count();
    await until(() => list.count() >= files, `${files} sessions listed at start`);
    const atStart = { ...figures(await p.stop()), servedAfterMs: s.servedAt - s.spawnedAt, listedAtServe, ingestMs: performance.now() - s.servedAt };
    list.close();
    await stop(s);

    // Appearing while running.
    const runDir = path.join(root, 'running');
    fs.mkdirSync(path.join(runDir, 'codex', 'sessions'), { recursive: true });
    const r = await serve(cli, runDir, path.join(runDir, 'codex'));
    const rList = await listCounter(r.wsUrl, token(runDir));
    const rp = probeHealth(r.httpUrl);
    await rp.first;
    const t0 = performance.now();
    const wrote = writer(path.join(runDir, 'codex'), files);
    await until(() => rList.count() >= files, `${files} sessions listed while running`);
    await wrote;
    const whileRunning = { ...figures(await rp.stop()), ingestMs: performance.now() - t0 };
    rList.close();
    await stop(r);
    return { idle: idleFigures, atStart, whileRunning };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
