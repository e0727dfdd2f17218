// Starts `flightdeck serve` (the compiled CLI) as a real child process and waits for its lines.
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';

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
