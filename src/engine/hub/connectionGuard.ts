// Bounds what a peer without a token can hold open (issue 19: ~20k half-open upgrades exhausted the
// engine's file descriptors). Sockets that have not become an authenticated WebSocket are "pending":
// at most `perAddress` per remote address and `total` overall. A new connection over a bound closes
// the OLDEST pending one instead of being refused, so a peer that opens sockets and never finishes
// its request cannot keep a prompt client (or /health) out: the newcomer wins, the stale one goes.
// Every local process shares 127.0.0.1 (tunnels and proxies too), so refusing by address would let
// any of them lock the hub. Authenticated clients are counted apart, with their own per-address cap.
import type { Socket } from 'node:net';

export interface GuardLimits {
  pendingPerAddress: number;
  pendingTotal: number;
  clientsPerAddress: number;
}

export const DEFAULT_GUARD_LIMITS: GuardLimits = { pendingPerAddress: 32, pendingTotal: 128, clientsPerAddress: 64 };

export class ConnectionGuard {
  private pendingAll = new Set<Socket>();
  private pendingBy = new Map<string, Set<Socket>>();
  private clientsBy = new Map<string, number>();
  evicted = 0;

  constructor(private limits: GuardLimits, private onEvict: (addr: string) => void = () => {}) {}

  /** A new TCP connection: pending until it upgrades or closes. */
  admit(socket: Socket): void {
    const addr = socket.remoteAddress ?? 'unknown';
    let mine = this.pendingBy.get(addr);
    if (!mine) this.pendingBy.set(addr, mine = new Set());
    mine.add(socket);
    this.pendingAll.add(socket);
    socket.once('close', () => this.forget(socket, addr));
    if (mine.size > this.limits.pendingPerAddress) this.evict(first(mine)!, addr);
    if (this.pendingAll.size > this.limits.pendingTotal) {
      const oldest = first(this.pendingAll)!;
      this.evict(oldest, oldest.remoteAddress ?? 'unknown');
    }
  }

  /** True when the address may add one more authenticated client. */
  clientAllowed(addr: string): boolean {
    return (this.clientsBy.get(addr) ?? 0) < this.limits.clientsPerAddress;
  }

  /** The socket became an authenticated WebSocket: no longer pending; call the result when it closes. */
  upgraded(socket: Socket): () => void {
    const addr = socket.remoteAddress ?? 'unknown';
    this.forget(socket, addr);
    this.clientsBy.set(addr, (this.clientsBy.get(addr) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const n = (this.clientsBy.get(addr) ?? 1) - 1;
      if (n > 0) this.clientsBy.set(addr, n); else this.clientsBy.delete(addr);
    };
  }

  get pendingCount(): number { return this.pendingAll.size; }

  private evict(socket: Socket, addr: string): void {
    this.forget(socket, addr);
    this.evicted++;
    this.onEvict(addr);
    socket.destroy();
  }

  private forget(socket: Socket, addr: string): void {
    this.pendingAll.delete(socket);
    const mine = this.pendingBy.get(addr);
    if (mine?.delete(socket) && mine.size === 0) this.pendingBy.delete(addr);
  }
}

function first<T>(s: Set<T>): T | undefined {
  for (const x of s) return x;
  return undefined;
}
