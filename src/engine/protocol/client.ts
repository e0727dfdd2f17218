// A protocol client over any transport (in-process, leader socket, WebSocket, webview postMessage).
// Requests get a requestId and resolve with the first answer that echoes it, typed by the request
// (requests.ts); an answer of another type rejects. Browser-safe: no Node imports.
import { ErrorCode } from './errorCodes';
import type { ClientMessage, ServerMessage } from './messages';
import { type AnswerTo, answers } from './requests';

export interface Transport {
  send(msg: ClientMessage): void;
  /** Registers the receiver of server messages (one per transport). */
  onMessage(cb: (msg: ServerMessage) => void): void;
  onClose(cb: (reason: string) => void): void;
  close(): void;
}

export class ProtocolError extends Error {
  constructor(readonly code: string, message: string) { super(message); this.name = 'ProtocolError'; }
}

type Distribute<T> = T extends unknown ? Omit<T, 'requestId'> : never;
export type ClientRequest = Distribute<ClientMessage>;

export class ProtocolClient {
  private nextId = 1;
  private waiting = new Map<string, { type: ClientMessage['type']; resolve: (m: ServerMessage) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }>();
  private listeners = new Set<(m: ServerMessage) => void>();
  private closeListeners = new Set<(reason: string) => void>();
  private closed = false;

  constructor(private transport: Transport, private prefix = 'c') {
    transport.onMessage(m => this.receive(m));
    transport.onClose(reason => this.handleClose(reason));
  }

  /** Every server message, including answers to requests. */
  on(listener: (m: ServerMessage) => void): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  onClose(listener: (reason: string) => void): () => void {
    this.closeListeners.add(listener);
    return () => { this.closeListeners.delete(listener); };
  }

  /** Sends without waiting for an answer. */
  send(msg: ClientRequest): void {
    if (this.closed) throw new ProtocolError(ErrorCode.closed, 'the connection to the Flightdeck engine is closed');
    this.transport.send(msg as ClientMessage);
  }

  request<R extends ClientRequest>(msg: R, timeoutMs = 30_000): Promise<AnswerTo<R['type']>> {
    if (this.closed) return Promise.reject(new ProtocolError(ErrorCode.closed, 'the connection to the Flightdeck engine is closed'));
    const requestId = `${this.prefix}${this.nextId++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(requestId);
        reject(new ProtocolError(ErrorCode.timeout, `no answer to ${msg.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(requestId, { type: msg.type, resolve: m => resolve(m as AnswerTo<R['type']>), reject, timer });
      this.transport.send({ ...msg, requestId } as ClientMessage);
    });
  }

  close(): void {
    if (this.closed) return;
    this.transport.close();
    this.handleClose('closed by client');
  }

  get isClosed(): boolean { return this.closed; }

  private receive(m: ServerMessage): void {
    const id = 'requestId' in m ? m.requestId : undefined;
    const w = id ? this.waiting.get(id) : undefined;
    if (w && id) {
      clearTimeout(w.timer);
      this.waiting.delete(id);
      if (m.type === 'error') w.reject(new ProtocolError(m.code, m.message));
      else if (!answers(w.type, m.type)) w.reject(new ProtocolError(ErrorCode.unexpectedAnswer, `${w.type} was answered with ${m.type}`));
      else w.resolve(m);
    }
    for (const l of this.listeners) l(m);
  }

  private handleClose(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const [, w] of this.waiting) { clearTimeout(w.timer); w.reject(new ProtocolError(ErrorCode.closed, `connection closed: ${reason}`)); }
    this.waiting.clear();
    for (const l of this.closeListeners) l(reason);
  }
}
