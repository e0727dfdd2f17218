// The conflict radar's bookkeeping as plain data, no I/O: which sessions touched which files and
// when, per repository (a linked worktree's files are kept under its main repository, keyed by the
// repo-relative path and the checkout), and which pairs of sessions conflict over which files.
//
// The rule (issue 18): a session touching a file that another LIVE session touched in the last hour
// in the SAME checkout makes both conflict over it. Separate worktrees of one repository touching
// the "same" repo-relative file do not conflict. A conflict holds until one of the two sessions ends
// or its files have no uncommitted change left (the caller asks git and reports clean files).
import type { SessionConflict } from '../protocol';

/** A touched file, resolved: its real path and, inside git, its repository, checkout and repo-relative path. */
export interface FileRef {
  realPath: string;
  /** The main repository's top folder (the same for all its worktrees); null outside git. */
  repo: string | null;
  /** The checkout's top folder (main checkout or linked worktree); null outside git. */
  top: string | null;
  /** Path relative to `top`; the real path outside git. */
  rel: string;
}

export const RADAR_WINDOW_MS = 60 * 60 * 1000;

interface Pair { a: string; b: string; files: Map<string, { ref: FileRef; at: number }> }

export class RadarState {
  /** repo ('' outside git) → repo-relative path → checkout ('' outside git) → session → last touch. */
  private touches = new Map<string, Map<string, Map<string, Map<string, number>>>>();
  private refs = new Map<string, FileRef>();
  private pairs = new Map<string, Pair>();

  constructor(private readonly windowMs = RADAR_WINDOW_MS) {}

  /**
   * Records that a session touched files at `at`. Another session that touched one of them in the
   * same checkout within the window, and is live, now conflicts with it. Returns the sessions whose
   * conflicts changed.
   */
  touch(sessionId: string, files: FileRef[], at: number, isLive: (id: string) => boolean): Set<string> {
    const changed = new Set<string>();
    for (const f of files) {
      this.refs.set(f.realPath, f);
      const bySession = this.slot(f);
      for (const [other, when] of bySession) {
        if (other === sessionId || at - when > this.windowMs || !isLive(other)) continue;
        const pair = this.pairOf(sessionId, other);
        if (!pair.files.has(f.realPath)) { changed.add(sessionId); changed.add(other); }
        pair.files.set(f.realPath, { ref: f, at });
      }
      bySession.set(sessionId, Math.max(at, bySession.get(sessionId) ?? 0));
    }
    return changed;
  }

  /** A session ended (or left the list): its touches go, and so do the conflicts it was part of. */
  endSession(sessionId: string): Set<string> {
    const changed = new Set<string>();
    for (const [key, p] of this.pairs) {
      if (p.a !== sessionId && p.b !== sessionId) continue;
      this.pairs.delete(key);
      changed.add(p.a); changed.add(p.b);
    }
    for (const byRel of this.touches.values()) {
      for (const byCheckout of byRel.values()) for (const bySession of byCheckout.values()) bySession.delete(sessionId);
    }
    this.compact();
    return changed;
  }

  /**
   * Git found no uncommitted change in these files as of `asOf` (when the check started): touches
   * and conflicts from before then are settled. Touches after it (written while git ran) stay.
   */
  committed(realPaths: Iterable<string>, asOf: number): Set<string> {
    const changed = new Set<string>();
    for (const realPath of realPaths) {
      const ref = this.refs.get(realPath);
      const bySession = ref ? this.peek(ref) : undefined;
      if (bySession) for (const [id, at] of bySession) if (at < asOf) bySession.delete(id);
      for (const p of this.pairs.values()) {
        const hit = p.files.get(realPath);
        if (hit && hit.at < asOf) { p.files.delete(realPath); changed.add(p.a); changed.add(p.b); }
      }
    }
    for (const [key, p] of this.pairs) if (p.files.size === 0) this.pairs.delete(key);
    this.compact();
    return changed;
  }

  /** Forgets touches too old to start a conflict (conflicts keep their own files). */
  prune(now: number): void {
    for (const byRel of this.touches.values()) {
      for (const byCheckout of byRel.values()) {
        for (const bySession of byCheckout.values()) for (const [id, at] of bySession) if (now - at > this.windowMs) bySession.delete(id);
      }
    }
    this.compact();
  }

  /** The session's conflicts as the protocol shows them, one entry per other session, files sorted. */
  conflictsOf(sessionId: string, nameOf: (id: string) => string): SessionConflict[] {
    const out: SessionConflict[] = [];
    for (const p of this.pairs.values()) {
      const other = p.a === sessionId ? p.b : p.b === sessionId ? p.a : null;
      if (other === null) continue;
      out.push({ sessionId: other, displayName: nameOf(other), files: [...p.files.keys()].sort() });
    }
    return out.sort((x, y) => x.sessionId.localeCompare(y.sessionId));
  }

  /** Sessions in a conflict with this one. */
  partnersOf(sessionId: string): string[] {
    return this.conflictsOf(sessionId, id => id).map(c => c.sessionId);
  }

  /** Files git can tell about (inside a checkout), grouped by checkout: recent touches and conflicted files. */
  filesToCheck(): Map<string, FileRef[]> {
    const seen = new Map<string, FileRef>();
    for (const ref of this.refs.values()) if (ref.top && this.peek(ref)?.size) seen.set(ref.realPath, ref);
    for (const p of this.pairs.values()) for (const { ref } of p.files.values()) if (ref.top) seen.set(ref.realPath, ref);
    const byTop = new Map<string, FileRef[]>();
    for (const ref of seen.values()) {
      const list = byTop.get(ref.top!) ?? [];
      list.push(ref);
      byTop.set(ref.top!, list);
    }
    return byTop;
  }

  /** Who touched what in one repository, across its checkouts (worktrees mapped to the repository's paths). */
  touchesIn(repo: string | null): { rel: string; checkout: string | null; sessionId: string; at: number }[] {
    const out: { rel: string; checkout: string | null; sessionId: string; at: number }[] = [];
    for (const [rel, byCheckout] of this.touches.get(repo ?? '') ?? []) {
      for (const [checkout, bySession] of byCheckout) for (const [sessionId, at] of bySession) out.push({ rel, checkout: checkout || null, sessionId, at });
    }
    return out;
  }

  get hasConflicts(): boolean { return this.pairs.size > 0; }

  /** Nothing to watch: no touches and no conflicts. */
  get empty(): boolean { return this.pairs.size === 0 && this.touches.size === 0; }

  private slot(f: FileRef): Map<string, number> {
    const repoKey = f.repo ?? '';
    let byRel = this.touches.get(repoKey);
    if (!byRel) { byRel = new Map(); this.touches.set(repoKey, byRel); }
    let byCheckout = byRel.get(f.rel);
    if (!byCheckout) { byCheckout = new Map(); byRel.set(f.rel, byCheckout); }
    const checkoutKey = f.top ?? '';
    let bySession = byCheckout.get(checkoutKey);
    if (!bySession) { bySession = new Map(); byCheckout.set(checkoutKey, bySession); }
    return bySession;
  }

  private peek(f: FileRef): Map<string, number> | undefined {
    return this.touches.get(f.repo ?? '')?.get(f.rel)?.get(f.top ?? '');
  }

  private pairOf(x: string, y: string): Pair {
    const [a, b] = x < y ? [x, y] : [y, x];
    const key = `${a}\u0000${b}`;
    let p = this.pairs.get(key);
    if (!p) { p = { a, b, files: new Map() }; this.pairs.set(key, p); }
    return p;
  }

  /** Drops empty maps and the refs of files nobody touches and no conflict names. */
  private compact(): void {
    for (const [repo, byRel] of this.touches) {
      for (const [rel, byCheckout] of byRel) {
        for (const [c, bySession] of byCheckout) if (bySession.size === 0) byCheckout.delete(c);
        if (byCheckout.size === 0) byRel.delete(rel);
      }
      if (byRel.size === 0) this.touches.delete(repo);
    }
    const named = new Set<string>();
    for (const p of this.pairs.values()) for (const k of p.files.keys()) named.add(k);
    for (const [realPath, ref] of this.refs) {
      if (!named.has(realPath) && !this.peek(ref)) this.refs.delete(realPath);
    }
  }
}
