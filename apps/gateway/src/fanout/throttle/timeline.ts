const MAX_DELAY_MS = 2 ** 31 - 1;

/** Something that wants to run at a time. */
export interface Due {
  dueAt: number;
  /** Position in the heap, -1 when not scheduled (lets `cancel` be O(log n)). */
  heapIndex: number;
  run(now: number): void;
}

/**
 * One timer for every throttle flush: a binary min-heap by due time. A timer per group would
 * cost a timer allocation per topic per interval; this costs O(log n) per schedule.
 */
export class Timeline {
  private readonly heap: Due[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;

  constructor(private readonly now: () => number = Date.now) {}

  get size(): number {
    return this.heap.length;
  }

  schedule(item: Due, dueAt: number): void {
    if (item.heapIndex !== -1) this.cancel(item);
    item.dueAt = dueAt;
    item.heapIndex = this.heap.length;
    this.heap.push(item);
    this.up(item.heapIndex);
    this.arm();
  }

  cancel(item: Due): void {
    const i = item.heapIndex;
    if (i === -1) return;
    const last = this.heap.pop()!;
    item.heapIndex = -1;
    if (i < this.heap.length) {
      this.heap[i] = last;
      last.heapIndex = i;
      this.down(i);
      this.up(i);
    }
  }

  /** Runs everything due by `now` (the timer calls this; tests call it with a fake clock). */
  runDue(now = this.now()): void {
    while (this.heap.length > 0 && this.heap[0]!.dueAt <= now) {
      const item = this.heap[0]!;
      this.cancel(item);
      item.run(now);
    }
    this.arm();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private arm(): void {
    const next = this.heap[0]?.dueAt ?? Infinity;
    if (next === this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = next;
    if (next === Infinity) return (this.timer = undefined);
    this.timer = setTimeout(
      () => {
        this.timerAt = Infinity;
        this.timer = undefined;
        this.runDue();
      },
      // setTimeout fires at once for delays over 2^31-1 ms (24.8 days): wake up then and re-arm.
      Math.min(MAX_DELAY_MS, Math.max(0, next - this.now())),
    );
    this.timer.unref?.();
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.dueAt <= h[i]!.dueAt) break;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && h[l]!.dueAt < h[m]!.dueAt) m = l;
      if (r < h.length && h[r]!.dueAt < h[m]!.dueAt) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  private swap(a: number, b: number): void {
    const h = this.heap;
    const x = h[a]!;
    const y = h[b]!;
    h[a] = y;
    h[b] = x;
    x.heapIndex = b;
    y.heapIndex = a;
  }
}
