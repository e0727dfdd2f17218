// Streaming latency through the real hub. What is measured, exactly:
// - The provider side is this process calling engine.streamMessage() every 10 ms per session, as the
//   connectors do for each text delta; each patch's text ends in "#<n>", the delta's number.
// - The engine coalesces patches and arms one 50 ms throttle timer per session (SPEC §5). The clock
//   given to the engine records, for each timer, when it was armed and when it fired; at the firing
//   we note which delta it publishes.
// - The WebSocket clients run in a separate process (one process for all of them) and stamp every
//   message_updated on arrival with performance.timeOrigin + performance.now() (the same wall clock).
// - overhead = arrival − (armed + 50 ms): everything beyond the throttle window — timer lateness,
//   the engine's publish (revision, store queue, replay buffer), the hub's serialization and send,
//   the kernel, and the client process's receive. Reported as p50/p99 over all (client, delivery) pairs.
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import WebSocket from 'ws';
import { attachReplay } from '../src/engine/clients/connection';
import { startHub } from '../src/engine/hub/server';
import { generateToken } from '../src/engine/hub/token';
import { type Clock, type TimerHandle, systemClock } from '../src/engine/platform/clock';
import { SessionEngine } from '../src/engine/sessions/engine';
import { openStore } from '../src/engine/store/sqliteStore';
import { percentile } from './stats';

const THROTTLE_MS = 50;
const DELTA_EVERY_MS = 10;
const DELTAS_PER_MESSAGE = 100;

export interface LatencyRun {
  sessions: number; clients: number; deliveries: number; missing: number;
  p50: number; p99: number; timerLateP99: number; deliveryP50: number; deliveryP99: number;
}

const wall = () => performance.timeOrigin + performance.now();

interface Arm { armedAt: number; firedAt: number; onFire: (() => void) | null }

/** The system clock, recording when each timeout was armed and when it fired. */
function recordingClock(): Clock & { arms: number; last: Arm | null } {
  const c = {
    arms: 0,
    last: null as Arm | null,
    now: () => Date.now(),
    setInterval: (fn: () => void, ms: number) => systemClock.setInterval(fn, ms),
    setTimeout(fn: () => void, ms: number): TimerHandle {
      const arm: Arm = { armedAt: wall(), firedAt: 0, onFire: null };
      c.arms++;
      c.last = arm;
      return systemClock.setTimeout(() => { arm.firedAt = wall(); arm.onFire?.(); fn(); }, ms);
    },
  };
  return c;
}

function lines(child: ChildProcess): (re: RegExp, timeoutMs: number) => Promise<string> {
  const seen: string[] = [];
  let buf = '';
  const waiters: (() => void)[] = [];
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) { seen.push(buf.slice(0, nl)); buf = buf.slice(nl + 1); }
    for (const w of waiters.splice(0)) w();
  });
  return (re, timeoutMs) => new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`latency clients: no ${re} within ${timeoutMs} ms`)), timeoutMs);
    const check = () => {
      const hit = seen.find(l => re.test(l));
      if (hit) { clearTimeout(t); resolve(hit); } else waiters.push(check);
    };
    check();
  });
}

export async function latencyRun(benchScript: string, sessions: number, clients: number, durationMs: number): Promise<LatencyRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-bench-lat-'));
  const clock = recordingClock();
  const store = openStore({ file: path.join(dir, 'flightdeck.db'), clock });
  const engine = new SessionEngine({ store, clock, streamThrottleMs: THROTTLE_MS });
  engine.start();
  const token = generateToken();
  const hub = await startHub({ engine, replay: attachReplay(engine), port: 0, token, log: () => {}, version: 'bench' });
  const ids = Array.from({ length: sessions }, (_, i) => engine.createSession({ provider: 'codex', mode: 'direct', providerSessionId: `lat-${i}`, cwd: '/w' }).id);
  const out = path.join(dir, 'arrivals.json');
  const child = spawn(process.execPath, [benchScript, '--child', 'latency-clients', hub.url, token, String(clients), ids.join(','), out], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waitLine = lines(child);
  try {
    await waitLine(/^ready$/, 60_000);
    // windows: "<session index>:<delta>" → when its timer was armed and fired
    const windows = new Map<string, { armedAt: number; firedAt: number }>();
    const marker = new Array<number>(sessions).fill(0);
    const msgId = (s: number) => `lat-${s}-${Math.floor(marker[s] / DELTAS_PER_MESSAGE)}`;
    const filler = 'token '.repeat(4);
    const texts = new Array<string>(sessions).fill('');
    const tick = () => {
      for (let s = 0; s < sessions; s++) {
        if (marker[s] % DELTAS_PER_MESSAGE === 0) {
          engine.appendMessage(ids[s], { id: msgId(s), kind: 'agent', text: '', createdAt: new Date().toISOString() });
          texts[s] = '';
        }
        marker[s]++;
        texts[s] += filler;
        const arms = clock.arms;
        engine.streamMessage(ids[s], { id: msgId(s), text: `${texts[s]}#${marker[s]}` });
        if (clock.arms > arms && clock.last) {
          const arm = clock.last;
          arm.onFire = () => windows.set(`${s}:${marker[s]}`, arm);
        }
      }
    };
    const timer = setInterval(tick, DELTA_EVERY_MS);
    await new Promise(r => setTimeout(r, durationMs)); // the measured streaming period (a duration, not a synchronisation)
    clearInterval(timer);
    await new Promise(r => setTimeout(r, THROTTLE_MS * 4)); // let the last windows fire
    child.stdin!.write('stop\n');
    await waitLine(/^done$/, 60_000);
    const arrivals = JSON.parse(fs.readFileSync(out, 'utf8')) as [number, number, number][];
    const overhead: number[] = [];
    const delivery: number[] = [];
    const late: number[] = [];
    for (const w of windows.values()) late.push(w.firedAt - w.armedAt - THROTTLE_MS);
    for (const [s, m, t] of arrivals) {
      const w = windows.get(`${s}:${m}`);
      if (!w) continue;
      overhead.push(t - w.armedAt - THROTTLE_MS);
      delivery.push(t - w.firedAt);
    }
    return {
      sessions, clients, deliveries: overhead.length, missing: windows.size * clients - overhead.length,
      p50: percentile(overhead, 50), p99: percentile(overhead, 99), timerLateP99: percentile(late, 99),
      deliveryP50: percentile(delivery, 50), deliveryP99: percentile(delivery, 99),
    };
  } finally {
    child.kill('SIGKILL');
    await hub.close();
    engine.stop();
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The client side, in its own process: M clients, each subscribed to every session. */
export async function latencyClients(url: string, token: string, clients: number, sessionIds: string[], out: string): Promise<void> {
  const index = new Map(sessionIds.map((id, i) => [id, i]));
  const arrivals: [number, number, number][] = [];
  const sockets: WebSocket[] = [];
  let snapshots = 0;
  await Promise.all(Array.from({ length: clients }, () => new Promise<void>((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` }, perMessageDeflate: false });
    sockets.push(ws);
    ws.on('message', (data: Buffer) => {
      const t = wall();
      const s = data.toString('utf8');
      // Only the fields needed, without a full JSON.parse, so the client process measures arrival, not parsing.
      if (s.startsWith('{"type":"message_updated"')) {
        const sid = /"sessionId":"([^"]+)"/.exec(s);
        const m = /#(\d+)"/.exec(s);
        if (sid && m) arrivals.push([index.get(sid[1])!, Number(m[1]), t]);
      } else if (s.startsWith('{"type":"session_snapshot"')) {
        if (++snapshots === clients * sessionIds.length) process.stdout.write('ready\n');
      }
    });
    ws.once('open', () => {
      for (const id of sessionIds) ws.send(JSON.stringify({ type: 'subscribe_session', sessionId: id }));
      resolve();
    });
    ws.once('error', reject);
  })));
  process.stdin.setEncoding('utf8').on('data', (d: string) => {
    if (!d.includes('stop')) return;
    fs.writeFileSync(out, JSON.stringify(arrivals));
    for (const ws of sockets) ws.terminate();
    process.stdout.write('done\n', () => process.exit(0));
  });
}
