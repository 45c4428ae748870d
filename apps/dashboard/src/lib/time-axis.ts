import { formatClock } from './format.js';

/** Tick spacings a reader finds natural, in ms. */
const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600].map((s) => s * 1000);

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
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max; t += step) ticks.push(t);
  return ticks;
}

/** A tick label: seconds only when the spacing needs them. */
export function timeTickLabel(ms: number, stepMs: number): string {
  const clock = formatClock(ms);
  return stepMs < 60_000 ? clock : clock.slice(0, 5);
}
