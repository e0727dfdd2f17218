// `flightdeck serve`: its options checked, then the headless engine with the hub (serve.ts).
import { parseArgs } from 'node:util';
import { DEFAULT_RETENTION_DAYS } from '../engine/history/retention';
import { defaultDataDir } from './dataDir';
import { USAGE } from './help';
import { isLogLevel } from './log';
import { serve } from './serve';
import { type RemoteArg, parseRemoteArg, resolveRemotes } from './remoteTokens';
import { type TokenChoice, chooseToken } from './tokenSource';

/** Resolves once serving (-1: the process keeps running until a signal), or with an exit code. */
export async function serveCommand(rest: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '4000' },
        'data-dir': { type: 'string' },
        'codex-home': { type: 'string' },
        'claude-home': { type: 'string' },
        token: { type: 'string' },
        'token-file': { type: 'string' },
        'allow-non-loopback': { type: 'boolean', default: false },
        'allowed-origin': { type: 'string', multiple: true },
        'log-level': { type: 'string', default: 'info' },
        'install-claude-hooks': { type: 'boolean', default: false },
        'retention-days': { type: 'string', default: String(DEFAULT_RETENTION_DAYS) },
        remote: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    process.stderr.write(`flightdeck: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) { process.stdout.write(`${USAGE}\n`); return 0; }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`flightdeck: --port must be a number from 0 to 65535\n`);
    return 2;
  }
  const retentionDays = Number(values['retention-days']);
  if (!Number.isInteger(retentionDays) || retentionDays < 0) {
    process.stderr.write(`flightdeck: --retention-days must be a whole number of days (0 keeps everything)\n`);
    return 2;
  }
  const level = values['log-level'];
  if (!isLogLevel(level)) {
    process.stderr.write(`flightdeck: --log-level must be debug, info, warn or error\n`);
    return 2;
  }
  let choice: TokenChoice;
  try {
    choice = chooseToken({ tokenFile: values['token-file'], tokenArg: values.token, env: process.env });
  } catch (e) {
    process.stderr.write(`flightdeck: ${(e as Error).message}\n`);
    return 2;
  }
  if (choice.warning) process.stderr.write(`flightdeck: warning: ${choice.warning}\n`);
  const dataDir = values['data-dir'] ?? defaultDataDir();
  let remotes;
  try {
    const args: RemoteArg[] = (values.remote ?? []).map(parseRemoteArg);
    remotes = resolveRemotes(args, dataDir, process.env);
  } catch (e) {
    process.stderr.write(`flightdeck: ${(e as Error).message}\n`);
    return 2;
  }
  await serve({
    host: values.host!, port, dataDir, codexHome: values['codex-home'],
    claudeHome: values['claude-home'], token: choice.token, allowNonLoopback: values['allow-non-loopback']!,
    allowedOrigins: values['allowed-origin'] ?? [], logLevel: level, installClaudeHooks: values['install-claude-hooks']!,
    retentionDays, remotes,
  });
  return -1; // keeps running until a signal
}
