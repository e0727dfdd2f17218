// The `flightdeck` command line.
import { parseArgs } from 'node:util';
import { DEFAULT_RETENTION_DAYS } from '../engine/history/retention';
import { runImport } from './import';
import { stderrLog } from './log';
import { defaultDataDir, serve } from './serve';
import { type RemoteArg, parseRemoteArg, resolveRemotes } from './remoteTokens';
import { type TokenChoice, chooseToken } from './tokenSource';
import { USAGE_HELP, usageCommand } from './usage';

const USAGE = `usage: flightdeck serve [--host 127.0.0.1] [--port 4000] [--data-dir DIR] [--codex-home DIR]
                       [--claude-home DIR] [--token-file FILE] [--allow-non-loopback] [--allowed-origin URL]...
                       [--log-level debug|info|warn|error] [--install-claude-hooks] [--retention-days 365]
                       [--remote NAME=ws://HOST:PORT/ws]...

  serve   run the Flightdeck engine headless, with the WebSocket hub (GET /health, /ws, web client at /)
          --token-file FILE       the hub token is the first line of FILE (or set FLIGHTDECK_TOKEN);
                                  by default it is <data-dir>/token, created on first use (mode 0600).
                                  --token TOKEN still works but shows the token to every local user
          --install-claude-hooks  first add Flightdeck's hooks to <claude-home>/settings.json (kept
                                  idempotent; the user's own hooks stay), then serve
          --retention-days N      delete ended sessions last active more than N days ago, with their
                                  items, at start and daily (default 365; 0 keeps everything)
          --remote NAME=URL       join another Flightdeck engine (repeatable; ws:// or wss://, e.g. through
                                  ssh -L): its sessions are listed and driven from here. Its token comes
                                  from FLIGHTDECK_REMOTE_<NAME>_TOKEN or <data-dir>/remotes/<NAME>.token (0600)

       flightdeck import [--codex-home DIR] [--claude-home DIR] [--data-dir DIR] [--log-level LEVEL]

  import  bring every past Codex and Claude Code session into the store (SPEC §11): a progress line on
          stderr, a summary on stdout. Stopped (Ctrl-C, kill), it goes on where it stopped next time;
          run again, it reads only what was added since. A running engine on the same data folder
          does the import itself.

${USAGE_HELP}`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'usage') return usageCommand(rest);
  if (command === 'import') return importCommand(rest);
  if (command !== 'serve') {
    process.stderr.write(`${USAGE}\n`);
    return command === '--help' || command === '-h' ? 0 : 2;
  }
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
  if (!['debug', 'info', 'warn', 'error'].includes(level!)) {
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
    allowedOrigins: values['allowed-origin'] ?? [], logLevel: level as 'info', installClaudeHooks: values['install-claude-hooks']!,
    retentionDays, remotes,
  });
  return -1; // keeps running until a signal
}

async function importCommand(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        'data-dir': { type: 'string' },
        'codex-home': { type: 'string' },
        'claude-home': { type: 'string' },
        'log-level': { type: 'string', default: 'warn' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    process.stderr.write(`flightdeck: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) { process.stdout.write(`${USAGE}\n`); return 0; }
  const level = values['log-level']!;
  if (!['debug', 'info', 'warn', 'error'].includes(level)) {
    process.stderr.write(`flightdeck: --log-level must be debug, info, warn or error\n`);
    return 2;
  }
  const ac = new AbortController();
  const onSignal = () => { process.stderr.write('\nflightdeck: stopping the import at its next commit\n'); ac.abort(); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return runImport({
    dataDir: values['data-dir'] ?? defaultDataDir(), codexHome: values['codex-home'], claudeHome: values['claude-home'],
    log: stderrLog(level as 'warn'), progress: process.stderr, out: process.stdout, signal: ac.signal,
  });
}

if (require.main === module) {
  main(process.argv.slice(2)).then(code => { if (code >= 0) process.exit(code); }, e => {
    process.stderr.write(`flightdeck: ${(e as Error)?.message ?? e}\n`);
    process.exit(1);
  });
}
