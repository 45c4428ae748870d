import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { HistoryResponseSchema } from './history.js';

describe('HistoryResponseSchema', () => {
  it('takes each kind and refuses a bucket of the wrong family', () => {
    const base = { topic: 'device.d1.t', from: 0, to: 120_000, step: 60_000, source: '1m' };
    const reading = { t: 0, count: 2, min: 1, max: 3, mean: 2, last: 3 };
    const tick = { t: 0, count: 2, open: 1, high: 3, low: 1, close: 2, volume: 5 };
    expect(v.is(HistoryResponseSchema, { ...base, kind: 'readings', points: [reading] })).toBe(
      true,
    );
    expect(v.is(HistoryResponseSchema, { ...base, kind: 'ticks', points: [tick] })).toBe(true);
    expect(v.is(HistoryResponseSchema, { ...base, kind: 'readings', points: [tick] })).toBe(false);
    const raw = { t: 5, serverTime: 6, seq: 1, payload: { value: 1, unit: 'C', ts: 5 } };
    expect(
      v.is(HistoryResponseSchema, {
        ...base,
        kind: 'raw',
        step: 'raw',
        source: 'raw',
        truncated: false,
        points: [raw],
      }),
    ).toBe(true);
  });
});
