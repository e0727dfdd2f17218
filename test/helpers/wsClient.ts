// A protocol client over a real WebSocket, for black-box tests: keeps every server message and
// waits for the ones a test expects.
import WebSocket from 'ws';
import type { ClientMessage, ServerMessage } from '../../src/engine/protocol';

export interface TestWsClient {
  ws: WebSocket;
  received: ServerMessage[];
  send(m: ClientMessage): void;
  /** Sends with a requestId and resolves with the answer carrying it (rejects on an error answer). */
  request(m: ClientMessage, timeoutMs?: number): Promise<ServerMessage>;
  waitFor<T extends ServerMessage>(pred: (m: ServerMessage) => m is T, what: string, timeoutMs?: number): Promise<T>;
  waitFor(pred: (m: ServerMessage) => boolean, what: string, timeoutMs?: number): Promise<ServerMessage>;
  close(): void;
}

export async function connectWs(url: string, token: string): Promise<TestWsClient> {
  const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` } });
  await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
  const received: ServerMessage[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', d => { received.push(JSON.parse(String(d))); for (const w of [...waiters]) w(); });
  let n = 0;
  const client: TestWsClient = {
    ws, received,
    send: m => ws.send(JSON.stringify(m)),
    async request(m, timeoutMs = 30_000) {
      const requestId = `t${++n}`;
      ws.send(JSON.stringify({ ...m, requestId }));
      const answer = await client.waitFor(x => 'requestId' in x && x.requestId === requestId, `answer to ${m.type}`, timeoutMs);
      if (answer.type === 'error') throw Object.assign(new Error(`${answer.code}: ${answer.message}`), { code: answer.code });
      return answer;
    },
    waitFor(pred: (m: ServerMessage) => boolean, what: string, timeoutMs = 30_000): Promise<ServerMessage> {
      return new Promise((resolve, reject) => {
        let from = 0;
        const check = () => {
          for (; from < received.length; from++) {
            if (pred(received[from])) { waiters.delete(check); clearTimeout(t); resolve(received[from]); return; }
          }
        };
        const t = setTimeout(() => { waiters.delete(check); reject(new Error(`timed out waiting for ${what}`)); }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => ws.close(),
  } as TestWsClient;
  return client;
}
