// Newline-delimited JSON over a stream socket: the leader socket's framing. Lines are capped so a
// broken peer cannot make us buffer without bound.
import type { Socket } from 'node:net';

export const MAX_LINE_BYTES = 16 * 1024 * 1024;

export function readLines(socket: Socket, onLine: (line: string) => void, onOverflow: () => void): void {
  let buf = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.trim()) onLine(line);
    }
    if (buf.length > MAX_LINE_BYTES) { buf = ''; onOverflow(); }
  });
}

export function writeLine(socket: Socket, value: unknown): void {
  if (!socket.destroyed) socket.write(JSON.stringify(value) + '\n');
}
