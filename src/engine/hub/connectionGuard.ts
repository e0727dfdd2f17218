// Bounds what a peer without a token can hold open (issue 19: ~20k half-open upgrades exhausted the
// engine's file descriptors). Sockets that have not become an authenticated WebSocket are "pending":
// at most `perAddress` per remote address and `total` overall. A new connection over a bound closes
// the OLDEST pending one instead of being refused, so a peer that opens sockets and never finishes
// its request cannot keep a prompt client (or /health) out: the newcomer wins, the stale one goes.
// Every local process shares 127.0.0.1 (tunnels and proxies too), so refusing by address would let
// any of them lock the hub. A keep-alive socket that sends a new request counts as new again.
// Authenticated clients are counted apart, with their own per-address cap: a high one (they proved the
// token, and every tunnel or proxy client shares 127.0.0.1), only a bound on a runaway client loop.
import type { Socket } from 'node:net';

export interface GuardLimits {
  pendingPerAddress: number;
  pendingTotal: number;
  clientsPerAddress: number;
}

export const DEFAULT_GUARD_LIMITS: GuardLimits = { pendingPerAddress: 128, pendingTotal: 256, clientsPerAddress: 1024 };

export class ConnectionGuard {
  private pendingAll = new Set<Socket>();
  private pendingBy = new Map<string, Set<Socket>>();
  private clientsBy = new Map<string, number>();
  evicted = 0;

  constructor(private limits: GuardLimits, private onEvict: (addr: string) => void = () => {}) {}

  /** A new TCP connection: pending until it upgrades or closes. */
  admit(socket: Socket): void {
    socket.once('close', () => this.forget(socket, addrOf(socket)));
    this.idle(socket);
  }

  /** New, or a kept-alive socket with a new request: the newest, so the last to be closed. */
  idle(socket: Socket): void {
    if (socket.destroyed) return;
    const addr = addrOf(socket);
    this.forget(socket, addr);
    let mine = this.pendingBy.get(addr);
    if (!mine) this.pendingBy.set(addr, mine = new Set());
    mine.add(socket);
    this.pendingAll.add(socket);
    if (mine.size > this.limits.pendingPerAddress) this.evict(first(mine)!, addr);
    if (this.pendingAll.size > this.limits.pendingTotal) {
      const oldest = first(this.pendingAll)!;
      this.evict(oldest, addrOf(oldest));
    }
  }

  /** True when the address may add one more authenticated client. */
  clientAllowed(addr: string): boolean {
    return (this.clientsBy.get(addr) ?? 0) < this.limits.clientsPerAddress;
  }

  /** The socket became an authenticated WebSocket: no longer pending; call the result when it closes. */
  upgraded(socket: Socket): () => void {
    const addr = addrOf(socket);
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

/** Captured at connect: remoteAddress is gone once the socket is destroyed. */
function addrOf(socket: Socket): string {
  const s = socket as Socket & { fdAddr?: string };
  return (s.fdAddr ??= socket.remoteAddress ?? 'unknown');
}

function first<T>(s: Set<T>): T | undefined {
  for (const x of s) return x;
  return undefined;
}
