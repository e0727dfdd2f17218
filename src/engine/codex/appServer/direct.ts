// The Codex direct provider as one piece: finds the codex binary, owns the app-server client and
// registers two controllers with the engine:
//  - `controller` drives codex direct sessions (create_session / list_models route to it too);
//  - `takeoverController` claims codex passive sessions for `takeover` and `resume` only, so every other
//    operation on a passive session still reaches the passive watcher's controller.
// Call start() after engine.start() (it picks up restored direct sessions), stop() before engine.stop().
import type { Session } from '../../protocol';
import { type Clock, systemClock } from '../../platform/clock';
import type { SessionEngine } from '../../sessions/engine';
import type { LogFn } from '../../platform/log';
import type { ProviderController } from '../../sessions/provider';
import { resolveCodexBinary } from './binary';
import { AppServerClient } from './client';
import { CodexDirectController } from './directController';

export interface CodexDirectOptions {
  engine: SessionEngine;
  /** The codex path from the settings; else `codex` on PATH, else the @openai/codex package. */
  codexPath?: string | null | (() => string | null | undefined);
  /** CODEX_HOME for the app-server (default: inherited, i.e. ~/.codex). */
  codexHome?: string;
  /** Extra environment for the app-server process (on top of process.env). */
  env?: Record<string, string>;
  log?: LogFn;
  clock?: Clock;
  /** Takeover waits until a rollout has been quiet this long, unless forced (default 10 s). */
  takeoverQuietMs?: number;
  requestTimeoutMs?: number;
  /** Automatic restarts of a crashed app-server: delay, and at most `max` per `windowMs` (then on demand). */
  restart?: { delayMs?: number; max?: number; windowMs?: number };
  /** Shown to Codex as the client (it becomes the thread's originator). */
  clientName?: string;
  /**
   * Start the app-server on the first operation instead of in start() (the engine host uses this:
   * most windows never drive a Codex session, and a codex process per window costs memory).
   */
  lazy?: boolean;
  clientVersion?: string;
}

export interface CodexDirect {
  controller: CodexDirectController;
  takeoverController: ProviderController;
  client: AppServerClient;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createCodexDirect(o: CodexDirectOptions): CodexDirect {
  const log = o.log ?? (() => {});
  const clock = o.clock ?? systemClock;
  // Looked up when the app-server starts, not here: a machine without codex still gets an engine,
  // and start() / the first operation say what is missing.
  const binary = () => resolveCodexBinary({ setting: typeof o.codexPath === 'function' ? o.codexPath() : o.codexPath });
  const env: NodeJS.ProcessEnv = { ...process.env, ...o.env, ...(o.codexHome ? { CODEX_HOME: o.codexHome } : {}) };
  const client = new AppServerClient({
    binary, env, clock, log, requestTimeoutMs: o.requestTimeoutMs,
    restartDelayMs: o.restart?.delayMs, maxRestarts: o.restart?.max, restartWindowMs: o.restart?.windowMs,
    clientInfo: { name: o.clientName ?? 'flightdeck', title: 'Flightdeck', version: o.clientVersion ?? '0.1.0' },
  });
  const controller = new CodexDirectController({ engine: o.engine, client, log, clock, takeoverQuietMs: o.takeoverQuietMs, lazy: o.lazy });
  const takeoverController: ProviderController = {
    handles: (s: Session) => s.provider === 'codex' && s.mode === 'passive',
    takeover: (s, force) => controller.takeover(s, force),
    // Resuming a past passive session (History, an ended terminal session) is a takeover: the thread
    // continues through the app-server, refused the same way while another process writes the rollout.
    resume: s => controller.takeover(s, false),
  };
  const unregister: (() => void)[] = [];
  return {
    controller,
    takeoverController,
    client,
    async start() {
      if (!unregister.length) unregister.push(o.engine.registerProvider(controller), o.engine.registerProvider(takeoverController));
      await controller.start();
    },
    async stop() {
      for (const u of unregister.splice(0)) u();
      await controller.stop();
    },
  };
}
