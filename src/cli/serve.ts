// `flightdeck serve`: the same engine as in VS Code, headless, with the WebSocket hub on.
import * as os from 'node:os';
import * as path from 'node:path';
import { type HubHandle, startHub } from '../engine/hub/server';
import { loadOrCreateToken, tokenPath } from '../engine/hub/token';
import { type Runtime, startRuntime } from '../engine/runtime';
import { productVersion } from '../engine/version';
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
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export function defaultDataDir(): string {
  return process.env.FLIGHTDECK_DATA_DIR || path.join(os.homedir(), '.flightdeck');
}

export async function serve(o: ServeOptions): Promise<void> {
  const log = stderrLog(o.logLevel);
  const version = productVersion();
  const token = o.token ?? loadOrCreateToken(o.dataDir);
  let hub: HubHandle | undefined;
  let runtime: Runtime | undefined;
  let stopping = false;

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log('info', `serve: ${signal}: flushing and stopping`);
    try {
      await hub?.close();
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
    dataDir: o.dataDir, version, log, codexHome: o.codexHome, claudeHome: o.claudeHome,
    onLeader: async services => {
      hub = await startHub({
        engine: services.engine, replay: services.replay, host: o.host, port: o.port, token,
        allowNonLoopback: o.allowNonLoopback, allowedOrigins: o.allowedOrigins, log, version,
      });
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
