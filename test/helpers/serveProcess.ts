// Starts `flightdeck serve` (the compiled CLI) as a real child process and waits for its lines.
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { connectWs, type TestWsClient } from './wsClient';

export const CLI = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js');

export interface ServeProcess {
  child: ChildProcess;
  stdout: string[];
  stderr(): string;
  waitForLine(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `openFiles` runs the engine under `ulimit -n` (a bound on file descriptors, for exhaustion tests). */
export function startServe(args: string[], env: Record<string, string>, opts: { openFiles?: number } = {}): ServeProcess {
  const argv = [CLI, 'serve', ...args];
  const child = opts.openFiles
    ? spawn('/bin/sh', ['-c', `ulimit -n ${opts.openFiles} && exec "$@"`, 'sh', process.execPath, ...argv], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
    : spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const stdout: string[] = [];
  let err = '';
  let buf = '';
  const waiters: { re: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      for (const line of stdout) {
        const m = w.re.exec(line);
        if (m) { waiters.splice(waiters.indexOf(w), 1); w.resolve(m); break; }
      }
    }
  };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) { stdout.push(buf.slice(0, nl)); buf = buf.slice(nl + 1); }
    check();
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(r => child.on('exit', (code, signal) => r({ code, signal })));
  return {
    child, stdout, stderr: () => err, exited,
    waitForLine(re, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no line ${re} within ${timeoutMs} ms; stdout: ${stdout.join(' | ')}; stderr: ${err.slice(-2000)}`)), timeoutMs);
        waiters.push({ re, resolve: m => { clearTimeout(t); resolve(m); } });
        void exited.then(() => setTimeout(() => reject(new Error(`serve exited before ${re}; stderr: ${err.slice(-2000)}`)), 50));
        check();
      });
    },
  };
}

/**
 * Ends a serve process at the end of a test, if it still runs: SIGTERM and its exit, so the engine
 * stops its codex app-server first. A SIGKILL left that child running, writing into the Codex home
 * the test then removed (ENOTEMPTY in the after hook). Bounded by mocha's hook timeout.
 */
export async function stopServe(serve: ServeProcess | undefined | null): Promise<void> {
  if (!serve || serve.child.exitCode !== null || serve.child.signalCode !== null) return;
  serve.child.kill('SIGTERM');
  await serve.exited;
}

/**
 * `flightdeck serve` for a Codex home on a free port, with its data, Claude home and leader folder
 * under `dir`, and a WebSocket client signed in with the token it wrote (the usual start of a
 * serve-level Codex test, and the restart after a kill -9: same folders, same store).
 */
export async function startServeForCodex(dir: string, codexHome: { dir: string; env: Record<string, string> }): Promise<{ serve: ServeProcess; client: TestWsClient }> {
  const serve = startServe(['--port', '0', '--data-dir', path.join(dir, 'data'), '--codex-home', codexHome.dir, '--claude-home', path.join(dir, 'claude')],
    { ...codexHome.env, FLIGHTDECK_LEADER_DIR: path.join(dir, 'run') });
  const m = await serve.waitForLine(/WebSocket (ws:\/\/\S+)\)/);
  const client = await connectWs(m[1], fs.readFileSync(path.join(dir, 'data', 'token'), 'utf8').trim());
  return { serve, client };
}
