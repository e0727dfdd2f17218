// The protocol Transport of the session webview: ClientMessages go to the host wrapped in
// { channel: 'protocol' }, ServerMessages come back the same way. The host relays them to the engine.
import type { ClientMessage, ServerMessage, Transport } from '../../src/engine/protocol';
import { onHostMessage, type HostPort } from './hostBridge';

export class VsCodeTransport implements Transport {
  private receiver: ((m: ServerMessage) => void) | null = null;
  private closeListener: ((reason: string) => void) | null = null;
  private detach: (() => void) | null;

  constructor(private readonly port: HostPort) {
    this.detach = onHostMessage(m => this.receiver?.(m));
  }

  send(msg: ClientMessage): void { this.port.postMessage({ channel: 'protocol', message: msg }); }
  onMessage(cb: (msg: ServerMessage) => void): void { this.receiver = cb; }
  onClose(cb: (reason: string) => void): void { this.closeListener = cb; }

  close(): void {
    this.detach?.();
    this.detach = null;
    this.closeListener?.('closed by the webview');
  }
}
