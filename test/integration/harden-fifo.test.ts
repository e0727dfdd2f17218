// Issue 19, item 2: a FIFO named *.jsonl (or a symlink to a device) where Flightdeck reads files must
// never block the engine. `open()` on a FIFO waits for a writer, and on the event loop that stops
// /health and every client. The engine runs as a real `flightdeck serve` child; the test only
// watches it from outside (bounded /health probes), so a hang fails the test instead of hanging it.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { HOOK_PATH, TOKEN_HEADER } from '../../src/engine/claude/hookWire';
import { generateToken } from '../../src/engine/hub/token';
import { type ServeProcess, startServe } from '../helpers/serveProcess';
import { cleanupTmpDirs, tmpDir, waitFor } from '../helpers/tmp';

function healthOk(port: number, ms = 1_500): Promise<boolean> {
  return new Promise(resolve => {
    const req = http.get({ host: '127.0.0.1', port, path: '/health', agent: false, timeout: ms }, res => { res.resume(); res.on('end', () => resolve(res.statusCode === 200)); });
    req.on('timeout', () => { req.destroy(); resolve(false); });
    req.on('error', () => resolve(false));
  });
}

/** Polls /health until `done()` holds; every probe must answer in time. `again` runs every 5 probes. */
async function healthyUntil(port: number, done: () => boolean, what: string, again?: () => void, ms = 20_000, log = () => ''): Promise<number> {
  const end = Date.now() + ms;
  let probes = 0;
  while (!done()) {
    assert.ok(await healthOk(port), `/health answered while waiting for ${what} (probe ${probes + 1})`);
    if (++probes % 5 === 0) again?.();
    assert.ok(Date.now() < end, `timed out waiting for ${what}; log: ${log().slice(-3000)}`);
  }
  for (let i = 0; i < 3; i++) assert.ok(await healthOk(port), '/health still answers after');
  return probes;
}

function postHook(socketPath: string, token: string, payload: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, path: HOOK_PATH, method: 'POST', timeout: 5_000, headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token } }, res => {
      res.resume(); res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => { req.destroy(); reject(new Error('hook request timed out')); });
    req.on('error', reject);
    req.end(JSON.stringify(payload));
  });
}

describe('FIFOs and devices where Flightdeck reads files (issue 19)', function () {
  this.timeout(60_000);
  let p: ServeProcess | undefined;
  after(() => { p?.child.kill('SIGKILL'); cleanupTmpDirs(); });

  it('a FIFO rollout, a rollout symlinked to a device, and a FIFO transcript_path are skipped with a log line; /health keeps answering', async () => {
    const dir = tmpDir('fd-fifo-');
    const codexHome = path.join(dir, 'codex');
    const day = path.join(codexHome, 'sessions', '2026', '12', '03');
    fs.mkdirSync(day, { recursive: true });
    p = startServe(['--port', '0', '--data-dir', path.join(dir, 'data'), '--codex-home', codexHome, '--log-level', 'info'],
      { FLIGHTDECK_TOKEN: generateToken(), FLIGHTDECK_LEADER_DIR: path.join(dir, 'run'), HOME: dir, CLAUDE_CONFIG_DIR: path.join(dir, 'claude') });
    const port = Number((await p.waitForLine(/serving http:\/\/127\.0\.0\.1:(\d+)\//))[1]);
    const proc = p;
    await waitFor(() => /codex: \d+ rollout file/.test(proc.stderr()), 'the codex watcher to start');

    // Made while the engine runs, so the file watcher reports them (the startup listing skips
    // non-files). Its first scan may still be going on, and files made during it are not reported:
    // they are made again until one is.
    const fifo = path.join(day, 'rollout-2026-12-03T10-00-00-0199aaaa-0000-7000-8000-000000000001.jsonl');
    const device = path.join(day, 'rollout-2026-12-03T10-00-01-0199aaaa-0000-7000-8000-000000000002.jsonl');
    const fifoSkipped = () => /codex: .*rollout-[^ ]*0001\.jsonl is a FIFO, not a regular file/.test(proc.stderr());
    const deviceSkipped = () => /codex: .*rollout-[^ ]*0002\.jsonl is a character device, not a regular file/.test(proc.stderr());
    const make = () => {
      if (!fifoSkipped()) { fs.rmSync(fifo, { force: true }); execFileSync('mkfifo', [fifo]); }
      if (!deviceSkipped()) { fs.rmSync(device, { force: true }); fs.symlinkSync('/dev/zero', device); }
    };
    make();
    await healthyUntil(port, () => fifoSkipped() && deviceSkipped(), 'the FIFO and the device symlink to be skipped', make, 20_000, () => proc.stderr());

    const endpoint = await waitFor(() => {
      try { return JSON.parse(fs.readFileSync(path.join(dir, 'run', 'claude-hook.json'), 'utf8')) as { socket: string; token: string }; } catch { return undefined; }
    }, 'the hook endpoint');
    const transcript = path.join(dir, 'claude', 'projects', 'p', 'fifo-session.jsonl');
    fs.mkdirSync(path.dirname(transcript), { recursive: true });
    execFileSync('mkfifo', [transcript]);
    const base = { session_id: 'fifo-1', cwd: dir, transcript_path: transcript };
    assert.equal(await postHook(endpoint.socket, endpoint.token, { ...base, hook_event_name: 'SessionStart', source: 'startup' }), 200);
    await healthyUntil(port, () => /claude transcript: .*fifo-session\.jsonl is a FIFO, not a regular file/.test(proc.stderr()), 'the FIFO transcript to be skipped');
    assert.equal(await postHook(endpoint.socket, endpoint.token, { ...base, hook_event_name: 'UserPromptSubmit', prompt: 'hello' }), 200, 'the session goes on without its transcript');
    assert.ok(await healthOk(port));
    assert.equal(proc.stderr().match(/fifo-session\.jsonl is a FIFO/g)?.length, 1, 'said once, not at every hook event');
  });
});
