// The protocol over the browser's WebSocket. Browsers cannot set an Authorization header, so the token
// travels in the subprotocol list (`bearer.<token>` next to `flightdeck.v1`), never in the URL.
// Server messages are validated with the same zod schema the hub uses.
import { ServerMessage } from '../src/engine/protocol/messages';
import type { ClientMessage, Transport } from '../src/engine/protocol';

export const SUBPROTOCOL = 'flightdeck.v1';

export interface OpenedSocket { transport: Transport; socket: WebSocket }

/** Resolves once the socket is open; rejects when it closes first (bad token, hub down). */
export function openSocket(url: string, token: string, onInvalid: (why: string) => void): Promise<OpenedSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, [SUBPROTOCOL, `bearer.${token}`]);
    let receiver: (m: ServerMessage) => void = () => {};
    let closeCb: (reason: string) => void = () => {};
    let opened = false;
    socket.addEventListener('message', ev => {
      if (typeof ev.data !== 'string') return onInvalid('binary frame');
      let data: unknown;
      try { data = JSON.parse(ev.data); } catch { return onInvalid('invalid JSON from the hub'); }
      const parsed = ServerMessage.safeParse(data);
      if (!parsed.success) return onInvalid(`unexpected message from the hub: ${parsed.error.issues[0]?.message ?? ''}`);
      receiver(parsed.data);
    });
    socket.addEventListener('open', () => {
      opened = true;
      resolve({
        socket,
        transport: {
          send: (m: ClientMessage) => socket.send(JSON.stringify(m)),
          onMessage: cb => { receiver = cb; },
          onClose: cb => { closeCb = cb; },
          close: () => socket.close(1000, 'bye'),
        },
      });
    });
    socket.addEventListener('close', ev => {
      if (!opened) reject(new Error(`connection refused (${ev.code})`));
      else closeCb(ev.reason || `closed (${ev.code})`);
    });
  });
}
