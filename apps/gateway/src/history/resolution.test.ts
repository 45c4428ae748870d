import { HISTORY_AUTO_POINTS } from '@pulse/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planAuto, planStep } from './resolution.js';

const H = 3_600_000;
const D = 24 * H;
const NOW = Date.UTC(2026, 5, 10, 12);
const retention = { rawMs: 48 * H, minuteMs: 30 * D, hourMs: 365 * D };

describe('resolution', () => {
  it('auto: the table that still holds `from`, at most HISTORY_AUTO_POINTS buckets', () => {
    expect(planAuto(NOW - H, NOW, retention, NOW)).toMatchObject({ step: 5000, source: 'raw' });
    expect(planAuto(NOW - D, NOW, retention, NOW)).toMatchObject({ step: 120_000, source: '1m' });
    expect(planAuto(NOW - 7 * D, NOW, retention, NOW)).toMatchObject({
      step: 900_000,
      source: '1m',
    });
    expect(planAuto(NOW - 30 * D, NOW, retention, NOW)).toMatchObject({ step: H, source: '1h' });
    // Short, but older than the raw rows and the 1-minute rollups: hours.
    expect(planAuto(NOW - 60 * D, NOW - 60 * D + H, retention, NOW)).toMatchObject({
      step: H,
      source: '1h',
    });
    fc.assert(
      fc.property(fc.nat({ max: 400 * D }), fc.integer({ min: 1, max: 400 * D }), (back, span) => {
        const from = NOW - back;
        const plan = planAuto(from, from + span, retention, NOW);
        expect(plan.points).toBeLessThanOrEqual(HISTORY_AUTO_POINTS);
        expect(plan.from).toBeLessThanOrEqual(from);
        expect(plan.from % plan.step).toBe(0);
      }),
    );
  });

  it('an explicit step reads the coarsest table it divides that still holds `from`', () => {
    expect(planStep(60_000, NOW - H, NOW, retention, NOW)?.source).toBe('1m');
    expect(planStep(30_000, NOW - H, NOW, retention, NOW)?.source).toBe('raw');
    expect(planStep(2 * H, NOW - H, NOW, retention, NOW)?.source).toBe('1h');
    expect(planStep(1500, NOW - H, NOW, retention, NOW)).toBeUndefined();
  });
});
