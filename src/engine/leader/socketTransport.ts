// Both ends of the leader socket: serving a follower window with a ClientConnection, and the
// follower's Transport for its ProtocolClient.
import * as net from 'node:net';
import { ErrorCode, type ServerMessage, type Transport } from '../protocol';
import { ClientConnection, type ConnectionOptions } from '../clients/connection';
import { readLines, writeLine } from './lineChannel';

export function serveFollower(socket: net.Socket, opts: Omit<ConnectionOptions, 'send'>): void {
  const conn = new ClientConnection({ ...opts, send: m => writeLine(socket, m) });
  readLines(socket, line => { void conn.handle(line); }, () => {
    writeLine(socket, { type: 'error', code: ErrorCode.tooLarge, message: 'line too long' });
  });
  socket.on('close', () => conn.close());
  socket.on('error', () => conn.close());
}

export function connectFollower(socketPath: string): Promise<Transport> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    let receiver: (m: ServerMessage) => void = () => {};
    let onClose: (reason: string) => void = () => {};
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => { /* 'close' follows and reports it */ });
      socket.on('close', () => onClose('the Flightdeck engine went away'));
      readLines(socket, line => {
        try { receiver(JSON.parse(line) as ServerMessage); } catch { /* a broken line from the leader is dropped */ }
      }, () => socket.destroy());
      resolve({
        send: m => writeLine(socket, m),
        onMessage: cb => { receiver = cb; },
        onClose: cb => { onClose = cb; },
        close: () => socket.destroy(),
      });
    });
  });
}
