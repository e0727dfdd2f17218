// One `codex app-server` child process: spawn, the initialize handshake, stderr into the log, and a
// clean stop. Restarts are the client's job (client.ts).
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import type { Clock } from '../../platform/clock';
import type { LogFn } from '../../platform/log';
import { JsonRpcPeer } from './jsonRpc';
import { InitializeResult } from './schemas';

export interface AppServerSpawnOptions {
  binary: string;
  env: NodeJS.ProcessEnv;
  cwd?: string;
  clock: Clock;
  log: LogFn;
  clientInfo: { name: string; title: string; version: string };
  requestTimeoutMs?: number;
  initializeTimeoutMs?: number;
}

export interface ExitInfo { code: number | null; signal: NodeJS.Signals | null }

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

export class AppServerProcess {
  readonly peer: JsonRpcPeer;
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | null = null;

  private constructor(private readonly child: ChildProcessWithoutNullStreams, opts: AppServerSpawnOptions) {
    this.peer = new JsonRpcPeer({ input: child.stdout, output: child.stdin, clock: opts.clock, log: opts.log, requestTimeoutMs: opts.requestTimeoutMs });
    let stderrTail = '';
    child.stderr.on('data', (chunk: Buffer) => {
      const lines = (stderrTail + chunk.toString('utf8')).split('\n');
      stderrTail = lines.pop() ?? '';
      for (const raw of lines) {
        const line = raw.replace(ANSI, '').trim();
        if (line) opts.log(/\bERROR\b/.test(line) ? 'warn' : 'debug', `codex app-server[${child.pid}]: ${line}`);
      }
    });
    this.exited = new Promise(resolve => {
      child.on('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        this.peer.close(`the app-server exited (${describeExit(this.exitInfo)})`);
        resolve(this.exitInfo);
      });
    });
  }

  get pid(): number | undefined { return this.child.pid; }
  get alive(): boolean { return this.exitInfo === null; }

  /**
   * Spawns the process and completes the handshake; rejects (and kills it) when either fails.
   * `attach` runs before the handshake, so nothing the process says early is missed.
   */
  static async start(opts: AppServerSpawnOptions, attach: (peer: JsonRpcPeer) => void = () => {}): Promise<AppServerProcess> {
    const child = spawn(opts.binary, ['app-server'], { env: opts.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const spawnError = new Promise<never>((_, reject) => child.once('error', e => reject(new Error(`could not start ${opts.binary}: ${e.message}`))));
    spawnError.catch(() => {});
    const p = new AppServerProcess(child, opts);
    attach(p.peer);
    try {
      const init = await Promise.race([
        spawnError,
        // experimentalApi: plan mode (collaborationMode on turn/start), where Codex asks questions.
        p.peer.request('initialize', { clientInfo: opts.clientInfo, capabilities: { experimentalApi: true } }, opts.initializeTimeoutMs ?? 30_000),
      ]);
      const parsed = InitializeResult.safeParse(init);
      if (!parsed.success) throw new Error(`unexpected initialize answer: ${JSON.stringify(init).slice(0, 200)}`);
      p.peer.notify('initialized');
      opts.log('info', `codex app-server started (${opts.binary}, pid ${child.pid}, ${parsed.data.userAgent})`);
      return p;
    } catch (e) {
      await p.stop();
      throw e;
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited after graceMs. */
  async stop(graceMs = 3000): Promise<ExitInfo> {
    if (this.exitInfo) return this.exitInfo;
    this.child.stdin.end();
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const info = await this.exited;
    clearTimeout(timer);
    return info;
  }
}

export function describeExit(e: ExitInfo): string {
  return e.signal ? `signal ${e.signal}` : `exit code ${e.code}`;
}
