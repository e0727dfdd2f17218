// Hub fan-out: streaming deltas from a provider process, through the engine and hub in a second
// process, to WebSocket clients in a third — against a bare `ws` server floor in the same run.
//
// Flightdeck: the provider process posts Claude `MessageDisplay` hooks to the engine's real hook
// receiver (HTTP over the Unix socket named in the leader folder's endpoint file, the way the hook
// command does), one delta per session every 50 ms, each delta ending in "#<n>". The engine process is
// the leader's services (startServices with the Claude integration on) plus the hub; its clock records
// when each 50 ms stream timer was armed and fired, and which delta that firing published.
// Floor: one process with a `ws` server and nothing else, one 50 ms timer per session sending a
// message_updated of the same shape and size (serialized once, sent to every subscriber).
// Clients (one process, same code for both) subscribe to every session with subscribe_session and
// stamp each message_updated on arrival.
// overhead = arrival − (armed + 50 ms): timer lateness, publish, send, kernel, receive.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import WebSocket, { WebSocketServer } from 'ws';
import { endpointFileOf } from '../src/engine/claude/endpointFile';
import { HOOK_PATH, TOKEN_HEADER } from '../src/engine/claude/hookWire';
import { startHub } from '../src/engine/hub/server';
import { generateToken } from '../src/engine/hub/token';
import { type Clock, type TimerHandle, systemClock } from '../src/engine/platform/clock';
import { startServices } from '../src/engine/services';
import { percentile } from './stats';

export const THROTTLE_MS = 50;
const PACE_MS = 50;
const DELTAS_PER_MESSAGE = 100;
const FILLER = ' token token token token';

export type FanoutKind = 'flightdeck' | 'floor';

export interface FanoutRun {
  kind: FanoutKind; sessions: number; clients: number; deaf: boolean;
  expected: number; received: number;
  p50: number; p99: number; timerLateP99: number; deliveryP99: number;
  /** Every delta's overhead (ms), for figures pooled over repeats. */
  overheads: number[];
  profile?: string;
  /** With a History import in the engine: MB it read while the deltas streamed, and whether it was still running at the end. */
  importMb?: number; importRunning?: boolean;
}

const wall = () => performance.timeOrigin + performance.now();
/** One window: session id, the delta number it published, when its timer was armed and fired. */
type Window = [string, number, number, number];

function lines(child: ChildProcess, name: string): (re: RegExp, timeoutMs?: number) => Promise<string> {
  const seen: string[] = [];
  let buf = '';
  const waiters: (() => void)[] = [];
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) { seen.push(buf.slice(0, nl)); buf = buf.slice(nl + 1); }
    for (const w of waiters.splice(0)) w();
  });
  return (re, timeoutMs = 120_000) => new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`fan-out ${name}: no ${re} within ${timeoutMs} ms`)), timeoutMs);
    const check = () => {
      const i = seen.findIndex(l => re.test(l));
      if (i >= 0) { clearTimeout(t); resolve(seen.splice(i, 1)[0]); } else waiters.push(check);
    };
    check();
  });
}

function spawnChild(script: string, args: string[], nodeArgs: string[] = []): { p: ChildProcess; wait: ReturnType<typeof lines>; say: (s: string) => void } {
  const p = spawn(process.execPath, [...nodeArgs, script, '--child', ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  return { p, wait: lines(p, args[0]), say: s => { p.stdin!.write(s + '\n'); } };
}

/** Lines arriving on stdin, one callback each. */
function onCommand(fn: (cmd: string) => void): void {
  let buf = '';
  process.stdin.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) { const c = buf.slice(0, nl).trim(); buf = buf.slice(nl + 1); if (c) fn(c); }
  });
}

// ---- the parent --------------------------------------------------------------------------------

export async function fanoutRun(script: string, kind: FanoutKind, sessions: number, clients: number, durationMs: number,
  opts: { deaf?: boolean; profileDir?: string; importManifest?: string } = {}): Promise<FanoutRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fd-bench-fan-'));
  const windowsFile = path.join(dir, 'windows.json');
  const arrivalsFile = path.join(dir, 'arrivals.json');
  const children: ChildProcess[] = [];
  try {
    const profArgs = opts.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`] : [];
    const server = kind === 'flightdeck'
      ? spawnChild(script, ['fanout-engine', dir, String(sessions), windowsFile, opts.importManifest ?? '-'], profArgs)
      : spawnChild(script, ['fanout-floor', String(sessions), windowsFile], profArgs);
    children.push(server.p);
    const [, url, token] = (await server.wait(/^hub /)).split(' ');
    let provider: ReturnType<typeof spawnChild> | null = null;
    if (kind === 'flightdeck') {
      provider = spawnChild(script, ['fanout-provider', path.join(dir, 'run'), String(sessions)]);
      children.push(provider.p);
      await provider.wait(/^primed$/);
    }
    server.say('ids');
    const ids = (await server.wait(/^ids /)).slice(4);
    const cl = spawnChild(script, ['fanout-clients', url, token, String(clients), ids, arrivalsFile, opts.deaf ? 'deaf' : '-']);
    children.push(cl.p);
    await cl.wait(/^ready$/);
    if (opts.importManifest) {
      // The import runs in the engine process through the whole streaming period (it takes far longer).
      server.say('import');
      await server.wait(/^importing$/);
    }
    (provider ?? server).say('go');
    await new Promise(r => setTimeout(r, durationMs)); // the measured streaming period (a duration, not a synchronisation)
    (provider ?? server).say('stop');
    if (provider) await provider.wait(/^stopped$/);
    await new Promise(r => setTimeout(r, THROTTLE_MS * 6)); // the last windows fire and arrive
    server.say('stop');
    const done = (await server.wait(/^done/)).split(' ');
    cl.say('stop');
    await cl.wait(/^done$/);
    await new Promise<void>(r => (server.p.exitCode !== null ? r() : server.p.once('exit', () => r())));
    const windows = JSON.parse(fs.readFileSync(windowsFile, 'utf8')) as Window[];
    const arrivals = JSON.parse(fs.readFileSync(arrivalsFile, 'utf8')) as [string, number, number][];
    const byKey = new Map(windows.map(w => [`${w[0]}:${w[1]}`, w]));
    const overhead: number[] = [];
    const delivery: number[] = [];
    for (const [sid, n, t] of arrivals) {
      const w = byKey.get(`${sid}:${n}`);
      if (!w) continue;
      overhead.push(t - w[2] - THROTTLE_MS);
      delivery.push(t - w[3]);
    }
    let profile: string | undefined;
    if (opts.profileDir) {
      const f = fs.readdirSync(opts.profileDir).filter(x => x.endsWith('.cpuprofile')).map(x => path.join(opts.profileDir!, x))
        .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
      if (f) profile = f;
    }
    return {
      kind, sessions, clients, deaf: !!opts.deaf, expected: byKey.size * clients, received: overhead.length,
      p50: percentile(overhead, 50), p99: percentile(overhead, 99), overheads: overhead,
      timerLateP99: percentile(windows.map(w => w[3] - w[2] - THROTTLE_MS), 99), deliveryP99: percentile(delivery, 99),
      profile,
      ...(opts.importManifest ? { importMb: Number(done[1]) / 1e6, importRunning: done[2] === 'running' } : {}),
    };
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---- the engine process: the leader's services and the hub --------------------------------------

export async function fanoutEngine(dir: string, sessions: number, windowsFile: string, importManifest = '-'): Promise<void> {
  let firing: { armedAt: number; firedAt: number } | null = null;
  const clock: Clock = {
    now: () => Date.now(),
    setInterval: (fn, ms) => systemClock.setInterval(fn, ms),
    setTimeout(fn: () => void, ms: number): TimerHandle {
      const armedAt = wall();
      return systemClock.setTimeout(() => {
        firing = { armedAt, firedAt: wall() };
        try { fn(); } finally { firing = null; }
      }, ms);
    },
  };
  const runDir = path.join(dir, 'run');
  fs.mkdirSync(path.join(dir, 'data'), { mode: 0o700 });
  fs.mkdirSync(runDir, { mode: 0o700 });
  // With a corpus: the History import of the engine (the import_history path), started on the parent's word.
  const corpus = importManifest === '-' ? null : JSON.parse(fs.readFileSync(importManifest, 'utf8')) as { codexHome: string; claudeHome: string };
  const services = await startServices({
    dataDir: path.join(dir, 'data'), endpointDir: runDir, version: 'bench', log: () => {}, clock,
    providers: { codexDirect: false, codexWatcher: false, claude: true, history: !!corpus },
    ...(corpus ? { codexHome: corpus.codexHome, claudeHome: corpus.claudeHome, historyAtFirstStart: false } : {}),
  });
  const { engine } = services;
  const windows: Window[] = [];
  // Which delta each stream timer published (subscribed before any client, so it runs first).
  engine.bus.subscribe(e => {
    if (e.type !== 'message_updated' || !firing) return;
    const m = /#(\d+)$/.exec(e.message.text ?? '');
    if (m) windows.push([e.sessionId, Number(m[1]), firing.armedAt, firing.firedAt]);
  });
  const token = generateToken();
  const hub = await startHub({ engine, replay: services.replay, port: 0, token, log: () => {}, version: 'bench' });
  process.stdout.write(`hub ${hub.url} ${token}\n`);
  let imported = 0;
  let importRunning = false;
  engine.bus.subscribe(e => {
    if (e.type !== 'import_progress') return;
    imported = e.progress.bytesDone;
    importRunning = e.progress.phase !== 'done';
  });
  onCommand(cmd => {
    if (cmd === 'import') {
      services.history!.start();
      importRunning = true;
      process.stdout.write('importing\n');
    } else if (cmd === 'ids') {
      const ids = engine.listSessions().filter(s => s.provider === 'claude').map(s => s.id);
      if (ids.length !== sessions) throw new Error(`fan-out engine: ${ids.length} sessions, expected ${sessions}`);
      process.stdout.write(`ids ${ids.join(',')}\n`);
    } else if (cmd === 'stop') {
      fs.writeFileSync(windowsFile, JSON.stringify(windows));
      // Exit without closing the hub: --cpu-prof writes its profile on a normal exit.
      process.stdout.write(`done ${imported} ${importRunning ? 'running' : 'finished'}\n`, () => process.exit(0));
    }
  });
}

// ---- the provider process: Claude hook posts to the receiver --------------------------------------

export async function fanoutProvider(runDir: string, sessions: number): Promise<void> {
  const endpoint = JSON.parse(fs.readFileSync(endpointFileOf(runDir), 'utf8')) as { socket: string; token: string };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  let inFlight = 0;
  let drained: (() => void) | null = null;
  const post = (body: object): Promise<void> => new Promise((resolve, reject) => {
    const data = Buffer.from(JSON.stringify(body));
    inFlight++;
    const req = http.request({
      agent, socketPath: endpoint.socket, path: HOOK_PATH, method: 'POST',
      headers: { [TOKEN_HEADER]: endpoint.token, 'content-type': 'application/json', 'content-length': data.length },
    }, res => {
      res.resume();
      res.on('end', () => {
        if (--inFlight === 0) drained?.();
        if (res.statusCode !== 200) reject(new Error(`hook post answered ${res.statusCode}`)); else resolve();
      });
    });
    req.on('error', reject);
    req.end(data);
  });
  const state = Array.from({ length: sessions }, () => ({ n: 0, message: 0, index: 0 }));
  const delta = (s: number): Promise<void> => {
    const st = state[s];
    if (st.index === DELTAS_PER_MESSAGE) { st.message++; st.index = 0; }
    st.n++;
    return post({
      session_id: `fan-${s}`, hook_event_name: 'MessageDisplay', cwd: '/w', prompt_id: `p-${s}-${st.message}`,
      message_id: `m-${s}-${st.message}`, index: st.index++, delta: `${FILLER} #${st.n}`,
    });
  };
  // One delta per session first: it creates the session and its live item (message_appended).
  for (let s = 0; s < sessions; s++) await delta(s);
  process.stdout.write('primed\n');
  const timers: NodeJS.Timeout[] = [];
  let stopping = false;
  onCommand(cmd => {
    if (cmd === 'go') {
      // Sessions are spread over the 50 ms (agents do not stream in lockstep); each then every 50 ms.
      for (let s = 0; s < sessions; s++) {
        const start = setTimeout(() => {
          const tick = () => { if (!stopping) void delta(s).catch(e => process.stderr.write(`${e}\n`)); };
          tick();
          timers.push(setInterval(tick, PACE_MS));
        }, (s * PACE_MS) / sessions);
        timers.push(start);
      }
    } else if (cmd === 'stop') {
      stopping = true;
      for (const t of timers) clearInterval(t);
      const done = () => process.stdout.write('stopped\n', () => process.exit(0));
      if (inFlight === 0) done(); else drained = done;
    }
  });
}

// ---- the floor: a bare ws server, same payloads and pacing --------------------------------------

export async function fanoutFloor(sessions: number, windowsFile: string): Promise<void> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>(r => wss.once('listening', () => r()));
  const ids = Array.from({ length: sessions }, (_, s) => `floor-${s}-${randomBytes(8).toString('hex')}`);
  const subscribers = new Map<string, Set<WebSocket>>(ids.map(id => [id, new Set()]));
  wss.on('connection', ws => {
    ws.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString('utf8')) as { type: string; sessionId: string };
      if (m.type !== 'subscribe_session') return;
      subscribers.get(m.sessionId)?.add(ws);
      ws.send(JSON.stringify({ type: 'session_snapshot', revision: 1, session: { id: m.sessionId }, messages: [], hasMore: false }));
    });
  });
  const { port } = wss.address() as net.AddressInfo;
  process.stdout.write(`hub ws://127.0.0.1:${port}/ws floor\n`);
  const windows: Window[] = [];
  const timers: NodeJS.Timeout[] = [];
  let stopping = false;
  // Shaped like the engine's throttle, so the floor does the same number of windows: a delta "arrives"
  // every 50 ms per session (the provider's pace); the first one after a send arms a 50 ms timer,
  // whose firing sends the text so far. armed = when that timer was armed, as for Flightdeck.
  const stream = (s: number): void => {
    const id = ids[s];
    let n = 0;
    let text = '';
    let revision = 1;
    let pending: NodeJS.Timeout | null = null;
    timers.push(setInterval(() => {
      if (stopping) return;
      if (n % DELTAS_PER_MESSAGE === 0) text = '';
      n++;
      text += `${FILLER} #${n}`;
      if (pending) return;
      const armedAt = wall();
      pending = setTimeout(() => {
        pending = null;
        const firedAt = wall();
        windows.push([id, n, armedAt, firedAt]);
        const msg = JSON.stringify({ type: 'message_updated', sessionId: id, revision: ++revision, message: { id: `m-${s}-${Math.floor(n / DELTAS_PER_MESSAGE)}`, text } });
        for (const ws of subscribers.get(id)!) ws.send(msg);
      }, THROTTLE_MS);
    }, PACE_MS));
  };
  onCommand(cmd => {
    if (cmd === 'ids') process.stdout.write(`ids ${ids.join(',')}\n`);
    else if (cmd === 'go') for (let s = 0; s < sessions; s++) setTimeout(() => stream(s), (s * PACE_MS) / sessions);
    else if (cmd === 'stop') {
      if (!stopping) {
        stopping = true;
        for (const t of timers) clearInterval(t);
        return;
      }
      fs.writeFileSync(windowsFile, JSON.stringify(windows));
      process.stdout.write('done\n', () => process.exit(0));
    }
  });
}

// ---- the clients -----------------------------------------------------------------------------------

/** Handshake, subscribe to every session, then never read again: the kernel and the server's queue fill. */
function deafClient(url: string, token: string, ids: string[]): Promise<net.Socket> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(u.port), u.hostname, () => {
      sock.write([
        `GET ${u.pathname} HTTP/1.1`, `Host: ${u.host}`, 'Upgrade: websocket', 'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`, 'Sec-WebSocket-Version: 13', `Authorization: Bearer ${token}`, '', '',
      ].join('\r\n'));
    });
    sock.once('data', d => {
      if (!String(d).startsWith('HTTP/1.1 101')) return reject(new Error(`handshake failed: ${String(d).split('\r\n')[0]}`));
      sock.pause();
      for (const sessionId of ids) {
        const payload = Buffer.from(JSON.stringify({ type: 'subscribe_session', sessionId }));
        const mask = randomBytes(4);
        sock.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, Buffer.from(payload.map((b, i) => b ^ mask[i % 4]))]));
      }
      resolve(sock);
    });
    sock.once('error', reject);
  });
}

export async function fanoutClients(url: string, token: string, clients: number, idList: string, out: string, deaf: string): Promise<void> {
  const ids = idList.split(',');
  const known = new Set(ids);
  const arrivals: [string, number, number][] = [];
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
        if (sid && m && known.has(sid[1])) arrivals.push([sid[1], Number(m[1]), t]);
      } else if (s.startsWith('{"type":"session_snapshot"')) {
        if (++snapshots === clients * ids.length) process.stdout.write('ready\n');
      }
    });
    ws.once('open', () => {
      for (const id of ids) ws.send(JSON.stringify({ type: 'subscribe_session', sessionId: id }));
      resolve();
    });
    ws.once('error', reject);
  })));
  const deafSock = deaf === 'deaf' ? await deafClient(url, token, ids) : null;
  onCommand(cmd => {
    if (cmd !== 'stop') return;
    fs.writeFileSync(out, JSON.stringify(arrivals));
    for (const ws of sockets) ws.terminate();
    deafSock?.destroy();
    process.stdout.write('done\n', () => process.exit(0));
  });
}
