import { HISTORY_AUTO_POINTS, type HistorySource } from '@pulse/protocol';
import type { Retention } from './history-store.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

/** Steps `auto` chooses from: round numbers, each a multiple of its table's bucket. */
const AUTO_STEPS = [
  S,
  2 * S,
  5 * S,
  10 * S,
  15 * S,
  30 * S,
  M,
  2 * M,
  5 * M,
  10 * M,
  15 * M,
  30 * M,
  H,
  2 * H,
  3 * H,
  6 * H,
  12 * H,
  D,
  2 * D,
  7 * D,
  30 * D,
];

/** The table's bucket: raw rows aggregate to any whole-second step, rollups to multiples. */
const GRAIN: Record<HistorySource, number> = { raw: S, '1m': M, '1h': H };

export interface Plan {
  readonly step: number;
  readonly source: HistorySource;
  /** `from` rounded down to the step. */
  readonly from: number;
  readonly points: number;
}

/** How far back each table still holds data at `now`. */
function oldest(source: HistorySource, retention: Retention, now: number): number {
  return (
    now -
    (source === 'raw' ? retention.rawMs : source === '1m' ? retention.minuteMs : retention.hourMs)
  );
}

/**
 * The coarsest table whose bucket divides `step` and whose retention still covers `from` (it
 * has the fewest rows to read); when none covers it, the coarsest that divides (it reaches
 * back furthest). Undefined: `step` is not a whole number of seconds.
 */
export function sourceFor(
  step: number,
  from: number,
  retention: Retention,
  now: number,
): HistorySource | undefined {
  const fits = (['1h', '1m', 'raw'] as const).filter((s) => step % GRAIN[s] === 0);
  return fits.find((s) => from >= oldest(s, retention, now)) ?? fits[0];
}

export function planStep(
  step: number,
  from: number,
  to: number,
  retention: Retention,
  now: number,
): Plan | undefined {
  const source = sourceFor(step, from, retention, now);
  if (!source) return undefined;
  const start = from - (from % step);
  return { step, source, from: start, points: Math.ceil((to - start) / step) };
}

/**
 * `step=auto`: the smallest step giving at most HISTORY_AUTO_POINTS buckets whose table still
 * holds `from` (a 1-minute step is not chosen for a range older than the 1-minute rollups).
 */
export function planAuto(from: number, to: number, retention: Retention, now: number): Plan {
  for (const step of AUTO_STEPS) {
    const plan = planStep(step, from, to, retention, now)!;
    if (plan.points <= HISTORY_AUTO_POINTS && from >= oldest(plan.source, retention, now))
      return plan;
  }
  // Longer than 30 days × HISTORY_AUTO_POINTS: whole days, as many as it takes.
  const step = Math.ceil((to - from) / HISTORY_AUTO_POINTS / D + 1) * D;
  return planStep(step, from, to, retention, now)!;
}
