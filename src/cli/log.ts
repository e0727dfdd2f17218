// Log lines for the headless engine: stderr, one line each, level and UTC time first.
import type { LogFn, LogLevel } from '../engine/platform/log';

const ORDER = { debug: 0, info: 1, warn: 2, error: 3 } as const;

/** A --log-level value the commands accept. */
export function isLogLevel(s: string | undefined): s is LogLevel {
  return s !== undefined && Object.hasOwn(ORDER, s);
}

export function stderrLog(minLevel: keyof typeof ORDER = 'info'): LogFn {
  return (level, msg) => {
    if (ORDER[level] < ORDER[minLevel]) return;
    process.stderr.write(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${msg}\n`);
  };
}
