import { describe, expect, it } from 'vitest';
import { tickStep, timeTickLabel, timeTicks } from './time-axis.js';

describe('time axis', () => {
  it('picks a natural spacing per window', () => {
    expect(tickStep(60_000, 7)).toBe(10_000);
    expect(tickStep(5 * 60_000, 7)).toBe(60_000);
    expect(tickStep(15 * 60_000, 7)).toBe(300_000);
    expect(tickStep(15 * 60_000, 8)).toBe(120_000);
  });

  it('places ticks on whole multiples of the spacing inside the range', () => {
    const min = 1_700_000_003_500;
    const ticks = timeTicks(min, min + 60_000, 7);
    expect(ticks.length).toBeGreaterThanOrEqual(5);
    expect(ticks.every((t) => t % 10_000 === 0 && t >= min && t <= min + 60_000)).toBe(true);
    expect(ticks[1]! - ticks[0]!).toBe(10_000);
    expect(timeTicks(10, 10)).toEqual([]);
  });

  it('drops seconds from labels once ticks are a minute or more apart', () => {
    const t = new Date(2024, 0, 2, 12, 4, 0).getTime();
    expect(timeTickLabel(t, 10_000)).toBe('12:04:00');
    expect(timeTickLabel(t, 60_000)).toBe('12:04');
    expect(timeTickLabel(t, 86_400_000)).toBe('2 Jan');
  });

  it('spaces long windows in hours and days, on local hours and midnights', () => {
    expect(tickStep(86_400_000, 7)).toBe(6 * 3_600_000);
    expect(tickStep(30 * 86_400_000, 7)).toBe(7 * 86_400_000);
    const min = new Date(2024, 0, 2, 7, 30).getTime();
    const ticks = timeTicks(min, min + 7 * 86_400_000, 7);
    expect(ticks.every((t) => new Date(t).getHours() === 0 && new Date(t).getMinutes() === 0)).toBe(
      true,
    );
  });
});
