// The one log function every part of the engine takes: the extension writes it to its output
// channel, `flightdeck serve` to stderr, tests collect it. Parts never pick a sink themselves.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFn = (level: LogLevel, msg: string) => void;
