// A virtualized vertical list for long transcripts: only the rows in the viewport plus an overscan
// margin exist in the DOM. Rows are absolutely placed (CSSOM transforms, allowed under a strict CSP)
// at offsets computed from measured heights, or an estimate for rows never shown. A row keeps its
// element while it stays in range, so updating one item re-renders that row alone.
// Layout reads the DOM once at the start and forces at most one layout per measuring pass; offsets
// are prefix sums over a typed array, recomputed only from the first changed row.
export interface VirtualListOptions<T> {
  scroller: HTMLElement;
  keyOf(item: T): string;
  estimateHeight(item: T): number;
  /** Renders the item into its row element; called again on refresh (must update in place). */
  render(item: T, row: HTMLElement): void;
  overscanPx?: number;
  /** Called when the user scrolls near the top (to load older items). */
  onNearTop?(): void;
}

const BOTTOM_SLACK_PX = 24;
const NEAR_TOP_PX = 400;
const MAX_MEASURE_PASSES = 4;

export class VirtualList<T> {
  private items: readonly T[] = [];
  private keys: string[] = [];
  private indexByKey = new Map<string, number>();
  /** Heights measured so far, by key: they survive reordering and prepending. */
  private measured = new Map<string, number>();
  private heights = new Float64Array(0);
  /** offsets[i] = top of item i; offsets[n] = total height. Valid below dirtyFrom. */
  private offsets = new Float64Array(1);
  private dirtyFrom = 0;
  private rows = new Map<string, HTMLElement>();
  private readonly canvas: HTMLElement;
  private readonly resizeObserver: ResizeObserver;
  private stickToBottom = true;
  private frame = 0;
  private readonly overscan: number;
  /** The scroller's height, read when it resizes: reading it on every scroll would force a layout. */
  private viewport = 0;

  constructor(private readonly opts: VirtualListOptions<T>) {
    this.overscan = opts.overscanPx ?? 600;
    this.canvas = document.createElement('div');
    this.canvas.className = 'vl-canvas';
    opts.scroller.append(this.canvas);
    opts.scroller.addEventListener('scroll', () => this.onScroll(), { passive: true });
    this.resizeObserver = new ResizeObserver(entries => this.onResize(entries));
    this.resizeObserver.observe(opts.scroller);
  }

  /** Replaces the item list (same keys keep their rows and measured heights); keeps the view anchored. */
  setItems(items: readonly T[]): void {
    const top = this.anchored(this.opts.scroller.scrollTop, () => {
      const n = items.length;
      this.items = items;
      this.keys = items.map(x => this.opts.keyOf(x));
      this.indexByKey = new Map(this.keys.map((k, i) => [k, i]));
      this.heights = new Float64Array(n);
      for (let i = 0; i < n; i++) this.heights[i] = this.measured.get(this.keys[i]) ?? this.opts.estimateHeight(items[i]);
      this.offsets = new Float64Array(n + 1);
      this.dirtyFrom = 0;
    });
    this.layout(top);
  }

  /** Re-renders one item's row if it is mounted; its new height is picked up by the resize observer. */
  refresh(item: T): void {
    const row = this.rows.get(this.opts.keyOf(item));
    if (row) this.opts.render(item, row);
  }

  scrollToBottom(): void {
    this.stickToBottom = true;
    this.layout();
  }

  /** Scrolls the item with `key` to the top of the view; false when it is not in the list. */
  scrollToKey(key: string): boolean {
    const i = this.indexByKey.get(key);
    if (i === undefined) return false;
    this.stickToBottom = false;
    this.ensureOffsets();
    this.layout(this.offsets[i]);
    return true;
  }

  private onScroll(): void {
    // From our own offsets, not scrollHeight: the scroll event must not force a layout.
    const top = this.opts.scroller.scrollTop;
    this.ensureOffsets();
    this.stickToBottom = top + this.viewportHeight() >= this.total - BOTTOM_SLACK_PX;
    if (top < NEAR_TOP_PX) this.opts.onNearTop?.();
    if (!this.frame) this.frame = requestAnimationFrame(() => { this.frame = 0; this.layout(); });
  }

  private onResize(entries: ResizeObserverEntry[]): void {
    const updates: [number, number][] = [];
    let viewport = false;
    for (const e of entries) {
      if (e.target === this.opts.scroller) { viewport = true; this.viewport = this.opts.scroller.clientHeight; continue; }
      const key = (e.target as HTMLElement).dataset.key;
      const i = key === undefined ? undefined : this.indexByKey.get(key);
      if (i === undefined || !this.rows.has(key!)) continue;
      const h = e.borderBoxSize?.[0]?.blockSize ?? (e.target as HTMLElement).offsetHeight;
      if (this.heights[i] !== h) updates.push([i, h]);
    }
    if (!updates.length && !viewport) return;
    // Rows grew or shrank (streaming text, a fold opened, a new width): place them now, before paint.
    this.layout(this.anchored(this.opts.scroller.scrollTop, () => this.setHeights(updates)));
  }

  /** Mounts the rows in range, places them, measures new ones and repeats until the heights hold. */
  private layout(startTop?: number): void {
    const s = this.opts.scroller;
    let top = startTop ?? s.scrollTop;
    const viewport = this.viewportHeight();
    for (let pass = 0; pass < MAX_MEASURE_PASSES; pass++) {
      this.ensureOffsets();
      if (this.stickToBottom) top = Math.max(0, this.total - viewport);
      const fresh = this.placeRows(top - this.overscan, top + viewport + this.overscan);
      if (!fresh.length) break;
      const updates: [number, number][] = [];
      for (const [i, row] of fresh) {
        const h = row.offsetHeight; // the first read forces one layout for all fresh rows
        if (this.heights[i] !== h) updates.push([i, h]);
      }
      if (!updates.length) break;
      top = this.anchored(top, () => this.setHeights(updates));
    }
    this.ensureOffsets();
    if (this.stickToBottom) top = Math.max(0, this.total - viewport);
    if (Math.abs(s.scrollTop - top) >= 1) s.scrollTop = top;
  }

  /** Makes the DOM hold exactly the rows between top and bottom (px); returns the rows it created. */
  private placeRows(top: number, bottom: number): [number, HTMLElement][] {
    const n = this.items.length;
    const fresh: [number, HTMLElement][] = [];
    const wanted = new Set<string>();
    if (n) {
      const first = this.indexAt(Math.max(0, top));
      const last = this.indexAt(Math.max(0, bottom));
      for (let i = first; i <= last; i++) {
        const key = this.keys[i];
        wanted.add(key);
        let row = this.rows.get(key);
        if (!row) {
          row = document.createElement('div');
          row.className = 'vl-row';
          row.dataset.key = key;
          this.opts.render(this.items[i], row);
          this.canvas.append(row);
          this.rows.set(key, row);
          this.resizeObserver.observe(row);
          fresh.push([i, row]);
        }
        const transform = `translateY(${this.offsets[i]}px)`;
        if (row.style.transform !== transform) row.style.transform = transform;
      }
    }
    for (const [key, row] of this.rows) {
      if (wanted.has(key)) continue;
      this.resizeObserver.unobserve(row);
      row.remove();
      this.rows.delete(key);
    }
    return fresh;
  }

  private setHeights(updates: [number, number][]): void {
    for (const [i, h] of updates) {
      this.heights[i] = h;
      this.measured.set(this.keys[i], h);
      if (i < this.dirtyFrom) this.dirtyFrom = i;
    }
  }

  private viewportHeight(): number {
    if (!this.viewport) this.viewport = this.opts.scroller.clientHeight;
    return this.viewport;
  }

  private get total(): number { return this.offsets[this.items.length]; }

  private ensureOffsets(): void {
    const n = this.items.length;
    if (this.dirtyFrom > n) return;
    let y = this.dirtyFrom === 0 ? 0 : this.offsets[this.dirtyFrom - 1] + this.heights[this.dirtyFrom - 1];
    for (let i = this.dirtyFrom; i < n; i++) {
      this.offsets[i] = y;
      y += this.heights[i];
    }
    this.offsets[n] = y;
    this.dirtyFrom = n + 1;
    this.canvas.style.height = `${y}px`;
  }

  /** The item at vertical offset y (binary search over offsets). */
  private indexAt(y: number): number {
    let lo = 0, hi = this.items.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.offsets[mid] <= y) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  /**
   * Runs a change that may move items (heights measured, items added before) and returns the scroll
   * position that keeps the item at the top of the viewport where the user sees it. At the bottom,
   * the bottom wins (layout handles that).
   */
  private anchored(top: number, change: () => void): number {
    if (this.stickToBottom || !this.items.length) { change(); return top; }
    this.ensureOffsets();
    const i = this.indexAt(top);
    const key = this.keys[i];
    const delta = top - this.offsets[i];
    change();
    this.ensureOffsets();
    const j = this.indexByKey.get(key);
    return j === undefined ? top : this.offsets[j] + delta;
  }
}
