// A transport for a client living in the same process as the engine (the VS Code window that owns
// it). Messages still go through the protocol — validated the same way as over a socket — and are
// delivered asynchronously, so a client cannot depend on in-process timing.
import type { ClientMessage, ServerMessage, Transport } from '../protocol';
import { ClientConnection, type ConnectionOptions } from './connection';

export function inProcessTransport(opts: Omit<ConnectionOptions, 'send'>): Transport {
  let receiver: (m: ServerMessage) => void = () => {};
  let onClose: (reason: string) => void = () => {};
  // A structured clone keeps the client from sharing objects with the engine's state.
  const conn = new ClientConnection({ ...opts, send: m => { const copy = structuredClone(m); queueMicrotask(() => receiver(copy)); } });
  return {
    send: (m: ClientMessage) => { const copy = structuredClone(m); queueMicrotask(() => { void conn.handle(copy); }); },
    onMessage: cb => { receiver = cb; },
    onClose: cb => { onClose = cb; },
    close: () => { conn.close(); onClose('closed'); },
  };
}
