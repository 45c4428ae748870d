import type { TickBucket } from '@pulse/protocol';
import type { Candle } from './candles.js';
import { tickFolder, type TickPoint } from './history-buckets.js';

interface TickSeriesView {
  readonly buckets: readonly TickBucket[];
  readonly tail: readonly TickPoint[];
  readonly step: number;
  readonly from: number;
}

/** The candles a long price chart draws, and the ticks they stand for. */
export interface CandleShape {
  candles: Candle[];
  /** Ticks counted in the candles (history steps' counts plus live ticks). */
  ticks: number;
  /** Candles from history; the rest are live ticks folded at the same step. */
  stored: number;
}

/**
 * Candles in [min, max] at the history's step: the stored steps as they are, then the live
 * ticks folded into candles of the same step (aligned to the same boundaries), so the right
 * edge grows candle by candle like the rest.
 */
export function shapeCandles(s: TickSeriesView, min: number, max: number): CandleShape {
  const out: CandleShape = { candles: [], ticks: 0, stored: 0 };
  const put = (b: TickBucket) => {
    out.candles.push({ x: b.t, o: b.open, h: b.high, l: b.low, c: b.close, v: b.volume });
    out.ticks += b.count;
  };
  for (const b of s.buckets) {
    if (b.t + s.step < min || b.t > max) continue;
    put(b);
    out.stored++;
  }
  let open: TickBucket | undefined;
  for (const p of s.tail) {
    if (p.t < min || p.t > max) continue;
    const t = s.from + Math.floor((p.t - s.from) / s.step) * s.step;
    if (open?.t === t) tickFolder.add(open, p);
    else {
      if (open) put(open);
      open = tickFolder.open(t, p);
    }
  }
  if (open) put(open);
  return out;
}
