// Claude Code sessions, wired: the hook receiver, the hook → session mapping, the transcript tailer
// and the provider controller the engine calls for decisions. One factory for the extension and the
// headless CLI; the hooks installer is exported next to it.
import type { ProviderController } from '../sessions/provider';
import type { Clock } from '../platform/clock';
import type { SessionEngine } from '../sessions/engine';
import type { LogFn } from '../platform/log';
import type { Store } from '../store/types';
import { decisionOutput } from './approvalMapping';
import { HookSessions } from './hookSessions';
import { HookReceiver } from './receiver';
import { TranscriptTailer } from './transcriptTailer';

export interface ClaudeIntegrationOptions {
  engine: SessionEngine;
  store: Store;
  /** Flightdeck's data folder: the endpoint file the hook command reads is written here (mode 0600). */
  dataDir: string;
  clock: Clock;
  log?: LogFn;
  /** Hold PermissionRequest hooks until a decision is made in Flightdeck (falls back to Claude's prompt). */
  approvalsFromFlightdeck?: boolean;
  /** How long a PermissionRequest waits for Flightdeck before Claude's own prompt takes over. */
  approvalTimeoutMs?: number;
  /** Transcript reads: periodic sweep interval and fs.watch use (tests may turn watching off). */
  transcriptSweepMs?: number;
  watchTranscripts?: boolean;
}

export interface ClaudeIntegration {
  /**
   * Starts the receiver and writes the endpoint file; returns the loopback port. Call after
   * engine.start(): restored Claude sessions get the rest of their 300 s live window from here.
   */
  start(): Promise<{ socketPath: string; endpointFile: string }>;
  stop(): Promise<void>;
  /** Register with engine.registerProvider. */
  readonly controller: ProviderController;
  /** Exposed for tests and diagnostics. */
  readonly receiver: HookReceiver;
  readonly tailer: TranscriptTailer;
}

export const DEFAULT_APPROVAL_TIMEOUT_MS = 10 * 60_000;

export function createClaudeIntegration(opts: ClaudeIntegrationOptions): ClaudeIntegration {
  const log: LogFn = opts.log ?? (() => {});
  const approvalTimeoutMs = opts.approvalTimeoutMs ?? DEFAULT_APPROVAL_TIMEOUT_MS;
  const approvalsFromFlightdeck = opts.approvalsFromFlightdeck ?? true;
  const tailer = new TranscriptTailer({
    engine: opts.engine, store: opts.store, clock: opts.clock, log, sweepMs: opts.transcriptSweepMs, watch: opts.watchTranscripts,
  });
  const sessions = new HookSessions({ engine: opts.engine, clock: opts.clock, log, tailer, approvalsFromFlightdeck, approvalTimeoutMs });
  const receiver = new HookReceiver({
    dataDir: opts.dataDir, log, permissionWaitMs: approvalsFromFlightdeck ? approvalTimeoutMs : 0,
    handle: (payload, ctx) => sessions.handle(payload, ctx),
  });

  const controller: ProviderController = {
    handles: s => s.provider === 'claude' && s.mode === 'passive',
    async decideApproval(session, approval, decision, message) {
      sessions.decide(session, approval.approvalId, decisionOutput(decision, message));
    },
    async answerQuestion(session, questionId, answers) {
      sessions.answer(session, questionId, answers);
    },
  };

  return {
    controller,
    receiver,
    tailer,
    async start() {
      tailer.start();
      sessions.start();
      return receiver.start();
    },
    async stop() {
      sessions.stop();
      await receiver.stop();
      tailer.stop();
    },
  };
}
