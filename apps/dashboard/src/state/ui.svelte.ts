import type { FleetQuery } from '../lib/fleet-query.js';
import type { FeedSettings } from './feed-plan.js';
import type { Metric } from './fleet.svelte.js';

/** Chart time windows offered to the operator (ms), drawn from the live stream. */
export const WINDOWS = [60_000, 5 * 60_000, 15 * 60_000] as const;
/** Long windows: loaded from the gateway's history store (`GET /history`), then grown live. */
export const LONG_WINDOWS = [3_600_000, 86_400_000, 7 * 86_400_000, 30 * 86_400_000] as const;

/** Whether a window is loaded from the history store rather than drawn from the live rings. */
export function isLongWindow(ms: number): boolean {
  return ms > WINDOWS[2];
}

/** Rates offered below each policy's maximum (updates/s). */
export const DEVICE_RATES = [2, 1, 0.5, 0.2] as const;
export const MARKET_RATES = [10, 5, 2, 1] as const;

/**
 * The operator's choices that outlive a view: filters, windows and throttles. They stay put
 * when the operator goes to another view and back. `feedSettings` is what the gateway hears.
 */
export class UiState {
  fleetQuery = $state<FleetQuery>({ text: '', status: 'all', sort: 'name' });
  deviceWindowMs = $state<number>(WINDOWS[0]);
  marketWindowMs = $state<number>(WINDOWS[0]);
  deviceRates = $state<Partial<Record<Metric, number>>>({});
  marketRate = $state<number | undefined>();
  /** Symbols shown as candles rather than a line. */
  candles = $state<Record<string, boolean>>({});

  readonly feedSettings: FeedSettings = $derived({
    deviceRates: { ...this.deviceRates },
    marketRate: this.marketRate,
  });
}
