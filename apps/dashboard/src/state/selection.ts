import type { Metric } from './fleet.svelte.js';

/** What the chart shows: one device metric or one symbol's last price. */
export type Selection =
  | { readonly kind: 'device'; readonly id: string; readonly metric: Metric }
  | { readonly kind: 'symbol'; readonly symbol: string };

/** Chart time windows offered to the operator (ms). */
export const WINDOWS = [60_000, 5 * 60_000, 15 * 60_000] as const;
