import { MAX_HISTORY_REQUEST } from '@pulse/protocol';
import type { Route } from '../lib/route.js';
import { METRICS, type Metric } from './fleet.svelte.js';

/** Which store a feed's messages go to. */
export type FeedKind = 'device' | 'price';

/** One subscription a view needs while it is on screen. */
export interface FeedSpec {
  readonly topic: string;
  readonly kind: FeedKind;
  /** Updates/s asked of the gateway (undefined: the topic policy's maximum). */
  readonly maxRate: number | undefined;
  /** Recent messages per topic sent before live ones, to fill the view at once. */
  readonly history: number;
}

/** The operator's per-view choices that change what the gateway should send. */
export interface FeedSettings {
  /** maxRate per device-detail chart; undefined = the policy's maximum. */
  readonly deviceRates: Readonly<Partial<Record<Metric, number>>>;
  /** maxRate of the markets feed (one `price.*` subscription feeds table and charts). */
  readonly marketRate: number | undefined;
}

/** The fleet grid shows values and sparklines: one update per second per metric is plenty. */
export const FLEET_RATE = 1;
/** Sparkline backfill per device metric. */
export const FLEET_HISTORY = 120;
/** Detail charts backfill as far as the protocol allows (15-minute windows want it all). */
export const DETAIL_HISTORY = MAX_HISTORY_REQUEST;
/** Markets backfill per symbol: a minute or more of chart at typical tick rates. */
export const MARKETS_HISTORY = 600;

/**
 * The subscriptions of the view on screen. Presence and alarms are always on (the session
 * holds them); everything else belongs to one view and is dropped when it is hidden, so the
 * gateway sends only what is drawn. `visible: false` (the tab has been in the background a
 * while) drops them all; coming back re-subscribes with history, which fills the gap.
 */
export function feedPlan(route: Route, settings: FeedSettings, visible = true): FeedSpec[] {
  if (!visible) return [];
  switch (route.view) {
    case 'fleet':
      return METRICS.map((metric) => ({
        topic: `device.*.${metric}`,
        kind: 'device',
        maxRate: FLEET_RATE,
        history: FLEET_HISTORY,
      }));
    case 'device':
      return METRICS.map((metric) => ({
        topic: `device.${route.id}.${metric}`,
        kind: 'device',
        maxRate: settings.deviceRates[metric],
        history: DETAIL_HISTORY,
      }));
    case 'markets':
      return [
        { topic: 'price.*', kind: 'price', maxRate: settings.marketRate, history: MARKETS_HISTORY },
      ];
    case 'alarms':
      return [];
  }
}

/** Identity of a subscription: a changed rate or history is a different subscription. */
export function feedKey(spec: FeedSpec): string {
  return `${spec.topic}|${spec.maxRate ?? 'max'}|${spec.history}`;
}

/** Whether some concrete topic matches both one-wildcard patterns. */
export function patternsOverlap(a: string, b: string): boolean {
  const x = a.split('.');
  const y = b.split('.');
  return x.length === y.length && x.every((s, i) => s === y[i] || s === '*' || y[i] === '*');
}
