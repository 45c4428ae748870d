import type { Aggregate, PriceAggregate } from '@pulse/protocol';

/** One candle as chartjs-chart-financial reads it (`x` = bucket start, ms), plus volume. */
export interface Candle {
  x: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
}

/** The OHLC summary an `aggregate` price throttle attaches, told apart from a sensor one. */
export function isPriceAggregate(agg: Aggregate | undefined): agg is PriceAggregate {
  return agg !== undefined && 'open' in agg;
}

/**
 * A symbol's price history as fine candles (`baseMs`, default 1 s) in a bounded ring, rolled up
 * on demand into the candles a chart shows (5 s, 30 s, 1 min …). A message folded by the
 * gateway's aggregate throttle contributes its OHLC and volume (every tick it stood for); a
 * plain tick contributes its last price and volume. Ticks are binned by the server time of
 * their message, so a folded message lands in the bucket of its last tick.
 */
export class CandleSeries {
  readonly baseMs: number;
  readonly capacity: number;
  readonly #t: Float64Array;
  readonly #o: Float64Array;
  readonly #h: Float64Array;
  readonly #l: Float64Array;
  readonly #c: Float64Array;
  readonly #v: Float64Array;
  #head = 0;
  #length = 0;
  readonly #pool: Candle[] = [];
  /** The candles of the last `rollup` (same array every time). */
  readonly candles: Candle[] = [];

  /** `capacity` base candles are kept (default 3600: an hour of 1 s candles). */
  constructor(baseMs = 1000, capacity = 3600) {
    this.baseMs = baseMs;
    this.capacity = capacity;
    this.#t = new Float64Array(capacity);
    this.#o = new Float64Array(capacity);
    this.#h = new Float64Array(capacity);
    this.#l = new Float64Array(capacity);
    this.#c = new Float64Array(capacity);
    this.#v = new Float64Array(capacity);
  }

  get length(): number {
    return this.#length;
  }

  /** Folds one price message: its aggregate when the throttle folded ticks, else the tick. */
  add(ts: number, last: number, volume: number, agg?: Aggregate): void {
    if (isPriceAggregate(agg)) this.#fold(ts, agg.open, agg.high, agg.low, agg.close, agg.volume);
    else this.#fold(ts, last, last, last, last, volume);
  }

  /**
   * Candles of `intervalMs` (a multiple of `baseMs`) whose bucket starts at or after `from`,
   * oldest first, into `candles` (reused array and objects).
   */
  rollup(intervalMs: number, from = -Infinity): Candle[] {
    let used = 0;
    let current: Candle | undefined;
    const start = this.#lowerBound(Math.floor(from / intervalMs) * intervalMs);
    for (let i = start; i < this.#length; i++) {
      const s = this.#slot(i);
      const bucket = Math.floor(this.#t[s]! / intervalMs) * intervalMs;
      if (!current || current.x !== bucket) {
        current = this.#pool[used] ??= { x: 0, o: 0, h: 0, l: 0, c: 0, v: 0 };
        this.candles[used++] = current;
        current.x = bucket;
        current.o = this.#o[s]!;
        current.h = this.#h[s]!;
        current.l = this.#l[s]!;
        current.v = 0;
      }
      if (this.#h[s]! > current.h) current.h = this.#h[s]!;
      if (this.#l[s]! < current.l) current.l = this.#l[s]!;
      current.c = this.#c[s]!;
      current.v += this.#v[s]!;
    }
    this.candles.length = used;
    return this.candles;
  }

  #fold(ts: number, o: number, h: number, l: number, c: number, v: number): void {
    const bucket = Math.floor(ts / this.baseMs) * this.baseMs;
    if (this.#length > 0) {
      const s = this.#slot(this.#length - 1);
      // The newest bucket, or a late message: folded into the newest so time never runs back.
      if (bucket <= this.#t[s]!) {
        if (h > this.#h[s]!) this.#h[s] = h;
        if (l < this.#l[s]!) this.#l[s] = l;
        this.#c[s] = c;
        this.#v[s]! += v;
        return;
      }
    }
    let s: number;
    if (this.#length < this.capacity) {
      s = this.#slot(this.#length++);
    } else {
      s = this.#head;
      this.#head = (this.#head + 1) % this.capacity;
    }
    this.#t[s] = bucket;
    this.#o[s] = o;
    this.#h[s] = h;
    this.#l[s] = l;
    this.#c[s] = c;
    this.#v[s] = v;
  }

  #slot(i: number): number {
    const s = this.#head + i;
    return s >= this.capacity ? s - this.capacity : s;
  }

  #lowerBound(t: number): number {
    let lo = 0;
    let hi = this.#length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#t[this.#slot(mid)]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** A candle width that gives about `target` candles across `windowMs`, from a natural set. */
export function candleInterval(windowMs: number, target = 60): number {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300].map((s) => s * 1000);
  for (const step of steps) if (windowMs / step <= target) return step;
  return steps[steps.length - 1]!;
}
