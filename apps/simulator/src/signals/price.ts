import type { PriceTick } from '@pulse/protocol';
import { chanceWithin, type Rng } from '../random.js';

/**
 * Prices as a geometric random walk whose volatility switches between a calm regime and
 * bursts (a two-state Markov chain), quoted as bid/ask around the last trade with a volume.
 * The walk is multiplicative, so a price can only approach zero, and every quote is floored
 * at one tick: `last`, `bid` and `ask` are always > 0 and `bid <= ask`.
 */

export type Regime = 'calm' | 'burst';

export interface PriceWalkOptions {
  /** Starting price. */
  readonly start: number;
  /** Volatility of log-price per √second in the calm regime (0.0008 ≈ 0.6 % per minute). */
  readonly calmVol?: number;
  /** How many times more volatile a burst is. */
  readonly burstMultiplier?: number;
  /** Chance per minute that a calm market bursts. */
  readonly burstStartPerMinute?: number;
  /** Chance per minute that a burst calms down (0.95 ≈ bursts last ~20 s). */
  readonly burstEndPerMinute?: number;
  /** Full bid/ask spread in basis points of the price, in the calm regime (bursts triple it). */
  readonly spreadBps?: number;
  /** Mean traded volume per tick in the calm regime (bursts triple it). */
  readonly meanVolume?: number;
}

export const PRICE_DEFAULTS = {
  calmVol: 0.0008,
  burstMultiplier: 6,
  burstStartPerMinute: 0.2,
  burstEndPerMinute: 0.95,
  spreadBps: 4,
  meanVolume: 100,
} as const;

/** A stateful, seeded price generator for one symbol. */
export interface PriceWalk {
  /** Advances the walk by `dtMs` and quotes it with timestamp `ts`. */
  step(dtMs: number, ts: number): PriceTick;
  /** The regime the last step ran in. */
  readonly regime: Regime;
  readonly last: number;
}

/** Quote precision: cents for ordinary prices, finer for prices under 1 (FX, cheap coins). */
export function tickSizeFor(price: number): number {
  return price < 1 ? 0.0001 : 0.01;
}

export function createPriceWalk(rng: Rng, options: PriceWalkOptions): PriceWalk {
  const o = { ...PRICE_DEFAULTS, ...options };
  if (!(o.start > 0)) throw new RangeError('start price must be > 0');
  const tick = tickSizeFor(o.start);
  const decimals = Math.round(-Math.log10(tick));
  const fix = (n: number) => Number(n.toFixed(decimals));
  let price = o.start;
  let regime: Regime = 'calm';

  return {
    get regime() {
      return regime;
    },
    get last() {
      return price;
    },
    step(dtMs, ts) {
      const switchChance = chanceWithin(
        regime === 'calm' ? o.burstStartPerMinute : o.burstEndPerMinute,
        dtMs,
      );
      if (rng.chance(switchChance)) regime = regime === 'calm' ? 'burst' : 'calm';
      const burst = regime === 'burst';
      const sigma =
        o.calmVol * (burst ? o.burstMultiplier : 1) * Math.sqrt(Math.max(0, dtMs) / 1000);
      // -σ²/2 keeps the expected price flat (no upward bias from the exponential).
      price = Math.max(tick, price * Math.exp(-0.5 * sigma * sigma + sigma * rng.normal()));

      const halfSpread = (price * o.spreadBps * (burst ? 3 : 1)) / 20_000;
      // Integer tick counts: floor/ceil keep bid <= last <= ask exact despite float rounding.
      const bidTicks = Math.max(1, Math.floor((price - halfSpread) / tick));
      const askTicks = Math.max(bidTicks, Math.ceil((price + halfSpread) / tick));
      const lastTicks = Math.min(askTicks, Math.max(bidTicks, Math.round(price / tick)));
      const volume = Math.round(o.meanVolume * (burst ? 3 : 1) * Math.exp(rng.normal(-0.125, 0.5)));

      return {
        bid: fix(bidTicks * tick),
        ask: fix(askTicks * tick),
        last: fix(lastTicks * tick),
        volume: Math.max(0, volume),
        ts: Math.round(ts),
      };
    },
  };
}
