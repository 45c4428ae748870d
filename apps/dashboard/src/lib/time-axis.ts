import { formatClock } from './format.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Tick spacings a reader finds natural, in ms: seconds up to a week (the 30-day window). */
const STEPS = [
  ...[1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800].map((s) => s * 1000),
  ...[1, 2, 3, 6, 12].map((h) => h * HOUR),
  ...[1, 2, 7].map((d) => d * DAY),
];

/** This machine's offset from UTC at `ms` (ms to add to UTC to get local wall time). */
function localOffset(ms: number): number {
  return -new Date(ms).getTimezoneOffset() * 60_000;
}

/** The smallest natural spacing that puts at most `maxTicks` ticks across `spanMs`. */
export function tickStep(spanMs: number, maxTicks = 8): number {
  for (const step of STEPS) if (spanMs / step <= maxTicks) return step;
  return STEPS[STEPS.length - 1]!;
}

/**
 * Tick positions at whole multiples of the step inside [min, max], so labels read
 * 12:04:10, 12:04:20 … instead of chart.js's arbitrary "nice" numbers (no date adapter here).
 */
export function timeTicks(min: number, max: number, maxTicks = 8): number[] {
  if (!(max > min)) return [];
  const step = tickStep(max - min, maxTicks);
  // Hour and day ticks fall on local midnights and hours, not UTC ones.
  const off = step >= HOUR ? localOffset(min) : 0;
  const ticks: number[] = [];
  for (let t = Math.ceil((min + off) / step) * step - off; t <= max; t += step) ticks.push(t);
  return ticks;
}

/** A tick label: seconds only when the spacing needs them, the date once ticks are days apart. */
export function timeTickLabel(ms: number, stepMs: number): string {
  if (stepMs >= DAY) {
    const d = new Date(ms);
    return `${d.getDate()} ${MONTHS[d.getMonth()]!}`;
  }
  const clock = formatClock(ms);
  return stepMs < 60_000 ? clock : clock.slice(0, 5);
}
