import { ErrorCode } from '../protocol';

/** An error with a protocol error code, sent to clients as {type:"error", code, message}. */
export class EngineError extends Error {
  constructor(readonly code: ErrorCode, message: string) { super(message); this.name = 'EngineError'; }
  static notFound(what: string): EngineError { return new EngineError(ErrorCode.notFound, `${what} not found`); }
  static notSupported(what: string): EngineError { return new EngineError(ErrorCode.notSupported, `${what} is not available yet for this session`); }
}
