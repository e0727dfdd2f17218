// `flightdeck serve`: the same engine as in VS Code, headless, with the WebSocket hub on.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HubLifecycle } from '../engine/hub/lifecycle';
import { loadOrCreateToken, tokenPath } from '../engine/hub/token';
import { type Runtime, startRuntime } from '../engine/runtime';
import { productRoot, productVersion } from '../engine/version';
import { describeHookInstall, installFlightdeckHooks } from '../engine/claude/hookSetup';
import type { LogFn, LogLevel } from '../engine/platform/log';
import { stderrLog } from './log';

export interface ServeOptions {
  host: string;
  port: number;
  dataDir: string;
  codexHome?: string;
  claudeHome?: string;
  token?: string;
  allowNonLoopback: boolean;
  allowedOrigins: string[];
  logLevel: LogLevel;
  installClaudeHooks?: boolean;
  /** Ended sessions older than this many days are deleted (0 keeps all). */
  retentionDays?: number;
  /** Remote engines to join (flightdeck serve --remote), tokens already resolved. */
  remotes?: { name: string; url: string; token: string }[];
}

export async function serve(o: ServeOptions): Promise<void> {
  const log = stderrLog(o.logLevel);
  const version = productVersion();
  const token = o.token ?? loadOrCreateToken(o.dataDir);
  if (o.installClaudeHooks) installHooks(o.claudeHome, log);
  const hubs = new HubLifecycle({ log, version });
  let runtime: Runtime | undefined;
  let stopping = false;

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log('info', `serve: ${signal}: flushing and stopping`);
    try {
      await hubs.stop(signal);
      await runtime?.stop();
      process.exit(0);
    } catch (e) {
      log('error', `serve: stop failed: ${(e as Error).message}`);
      process.exit(1);
    }
  };
  process.on('SIGINT', () => { void stop('SIGINT'); });
  process.on('SIGTERM', () => { void stop('SIGTERM'); });

  runtime = await startRuntime({
    dataDir: o.dataDir, version, log, codexHome: o.codexHome, claudeHome: o.claudeHome, retentionDays: o.retentionDays,
    onLeader: async services => {
      const hub = await hubs.start(services, token, { host: o.host, port: o.port, allowNonLoopback: o.allowNonLoopback, allowedOrigins: o.allowedOrigins });
      for (const r of o.remotes ?? []) services.remotes.add(r);
      // One machine-readable line on stdout: scripts and tests wait for it.
      process.stdout.write(`flightdeck: serving ${hub.httpUrl} (WebSocket ${hub.url}) pid ${process.pid}\n`);
      if (!o.token) log('info', `serve: the hub token is in ${tokenPath(o.dataDir)} (mode 0600)`);
    },
  });
  if (runtime.role === 'follower') {
    process.stdout.write(`flightdeck: another Flightdeck engine owns this machine; standing by to take over (pid ${process.pid})\n`);
    await standBy(runtime);
  }
}

/** dist/hook.js beside this CLI (or in the package's dist/ when run from compiled sources). */
function hookScriptPath(): string {
  const beside = path.join(__dirname, 'hook.js');
  if (fs.existsSync(beside)) return beside;
  const root = productRoot();
  const inDist = root ? path.join(root, 'dist', 'hook.js') : '';
  if (inDist && fs.existsSync(inDist)) return inDist;
  throw new Error('dist/hook.js not found: build Flightdeck first (npm run build)');
}

function installHooks(claudeHome: string | undefined, log: LogFn): void {
  const r = installFlightdeckHooks({ hookScript: hookScriptPath(), nodePath: process.execPath, claudeHome });
  log('info', `serve: ${describeHookInstall(r)}`);
}

/** Stays attached to the leader; when it goes away the runtime elects this process or another. */
async function standBy(runtime: Runtime): Promise<void> {
  const isLeader = () => runtime.role === 'leader';
  for (;;) {
    if (isLeader()) return;
    const client = await runtime.connect();
    if (isLeader()) { client.close(); return; }
    await new Promise<void>(resolve => client.onClose(() => resolve()));
  }
}
