import type { ReadingBucket } from '@pulse/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readingFolder, type ReadingPoint } from './history-buckets.js';
import {
  joinPoint,
  stitch,
  StitchedSeries,
  wholeSteps,
  type HistoryWindow,
} from './history-stitch.js';

/** What the store answers: readings with from <= t < to, bucketed like its rollups. */
function bucketize(readings: readonly ReadingPoint[], from: number, to: number, step: number) {
  const out: ReadingBucket[] = [];
  for (const r of readings) {
    if (r.t < from || r.t >= to) continue;
    const t = from + Math.floor((r.t - from) / step) * step;
    const last = out[out.length - 1];
    if (last?.t === t) readingFolder.add(last, r);
    else out.push(readingFolder.open(t, r));
  }
  return out;
}

/**
 * A device's readings (payload time non-decreasing with seq), a history query over them, the
 * index where the console's live tail starts, how many live messages arrive while the request
 * is in flight, and re-deliveries (a re-subscription replaying what it had).
 */
const scenario = fc
  .record({
    start: fc.integer({ min: -200, max: 200 }),
    gaps: fc.array(fc.integer({ min: 0, max: 25 }), { maxLength: 150 }),
    values: fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), {
      minLength: 150,
      maxLength: 150,
    }),
    step: fc.integer({ min: 1, max: 60 }),
    toPastEnd: fc.integer({ min: -400, max: 100 }),
    tailStart: fc.nat(),
    inFlight: fc.nat(),
    replays: fc.array(fc.nat(), { maxLength: 20 }),
    maxTail: fc.integer({ min: 2, max: 40 }),
  })
  .map((s) => {
    let t = s.start;
    const readings: ReadingPoint[] = s.gaps.map((g, i) => {
      t += g;
      return { t, epoch: 'e1', seq: i + 1, value: s.values[i]! };
    });
    const n = readings.length;
    const from = 0;
    const to = Math.max(from, (readings[n - 1]?.t ?? 0) + s.toPastEnd);
    const tailStart = n === 0 ? 0 : s.tailStart % (n + 1);
    const split = tailStart + (n - tailStart === 0 ? 0 : s.inFlight % (n - tailStart + 1));
    return { ...s, readings, from, to, tailStart, split };
  });

/** With a replay of an earlier message after every few live ones. */
function withReplays(points: readonly ReadingPoint[], replays: readonly number[]): ReadingPoint[] {
  const out: ReadingPoint[] = [];
  points.forEach((p, i) => {
    out.push(p);
    const r = replays[i];
    if (r !== undefined) out.push(points[r % (i + 1)]!);
  });
  return out;
}

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** Every reading from `from` on is shown once: in a true bucket before the cut, or in the tail. */
function expectExactlyOnce(series: StitchedSeries<ReadingBucket, ReadingPoint>, s: Scenario) {
  const { readings, from, step } = s;
  // Order: strictly ascending buckets before the cut, then the tail in (t, seq) order.
  const ts = series.buckets.map((b) => b.t);
  expect(ts).toEqual([...new Set(ts)].sort((a, b) => a - b));
  expect(series.buckets.every((b) => b.t < series.cut)).toBe(true);
  expect(series.tail.every((p) => p.t >= series.cut)).toBe(true);

  // Exactly once: the buckets are the true aggregate of everything before the cut…
  const expected = bucketize(readings, from, series.cut, step);
  expect(
    series.buckets.map(({ t, count, min, max, last }) => ({ t, count, min, max, last })),
  ).toEqual(expected.map(({ t, count, min, max, last }) => ({ t, count, min, max, last })));
  series.buckets.forEach((b, i) => expect(b.mean).toBeCloseTo(expected[i]!.mean, 6));
  // …and the tail is every reading from the cut on, each once.
  expect(series.tail.map((p) => p.seq)).toEqual(
    readings.filter((r) => r.t >= series.cut && r.t >= from).map((r) => r.seq),
  );
  const shown = series.buckets.reduce((n, b) => n + b.count, 0) + series.tail.length;
  expect(shown).toBe(readings.filter((r) => r.t >= from).length);
  // Bounded: folding keeps the tail near its cap.
  expect(series.tail.length).toBeLessThanOrEqual(Math.max(s.maxTail, 1) + 1 + 60 * 25);
}

describe('stitch', () => {
  it('joins at the first step boundary after the first live point, capped at `to`', () => {
    expect(joinPoint(0, 100, 10, undefined)).toBe(100);
    expect(joinPoint(0, 100, 10, 33)).toBe(40);
    // On a boundary: an earlier message of the same millisecond may be in that step only.
    expect(joinPoint(0, 100, 10, 40)).toBe(50);
    // Live known complete from a boundary (a raw read of the rest of the last step).
    expect(joinPoint(0, 100, 10, 95, 90)).toBe(90);
    expect(joinPoint(0, 100, 10, undefined, 90)).toBe(90);
    expect(joinPoint(0, 100, 10, 95)).toBe(100);
    expect(joinPoint(0, 100, 10, 150)).toBe(100);
    expect(joinPoint(50, 100, 10, 20)).toBe(50);
  });

  it('shows every reading once, in order, with no gap (history, in-flight and later live)', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { readings, from, to, step, tailStart, split } = s;
        // The premise the console secures by asking for `to` a flush interval before now
        // and opening the tail before the request: nothing before the tail is stamped >= to.
        fc.pre(readings.slice(0, tailStart).every((r) => r.t < to));
        const history: HistoryWindow<ReadingBucket> = {
          from,
          to,
          step,
          points: bucketize(readings, from, to, step),
        };
        const inFlight = withReplays(readings.slice(tailStart, split), s.replays);
        const stitched = stitch(history, inFlight);
        // A first live point stamped at or after `to` may follow a span in neither: flagged.
        if (inFlight[0] === undefined || inFlight[0].t < to) expect(stitched.seamless).toBe(true);
        const series = new StitchedSeries(stitched, readingFolder, s.maxTail);
        for (const p of withReplays(readings.slice(split), s.replays)) series.append(p);

        expectExactlyOnce(series, s);
      }),
      { numRuns: 400 },
    );
  });

  it('joins a rollup answer (whole last step) through a raw read of its last step, exactly once', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { readings, from, to, step, tailStart, split } = s;
        fc.pre(readings.slice(0, tailStart).every((r) => r.t < to));
        // Published before the request: everything stamped before `to` (and the in-flight).
        fc.pre(readings.slice(split).every((r) => r.t >= to));
        // A rollup's steps are whole: the one starting before `to` holds what arrived after it.
        const lastStart = from + Math.floor((Math.max(to - 1, from) - from) / step) * step;
        const published = readings.slice(0, split);
        const rollup = {
          from,
          to,
          step,
          points: bucketize(published, from, lastStart + step, step).filter((b) => b.t < to),
        };
        const base = wholeSteps(rollup, false);
        expect(base.to % step === from % step || base.to === to).toBe(true);
        const fill = readings.filter((r) => r.t >= base.to && r.t < to);
        const inFlight = withReplays(readings.slice(tailStart, split), s.replays);
        const stitched = stitch(base, [...fill, ...inFlight], base.to);
        expect(stitched.seamless).toBe(true);
        expect(stitched.cut).toBe(Math.min(base.to, stitched.cut));
        const series = new StitchedSeries(stitched, readingFolder, s.maxTail);
        for (const p of withReplays(readings.slice(split), s.replays)) series.append(p);
        expectExactlyOnce(series, s);
      }),
      { numRuns: 400 },
    );
  });

  it('says when the tail starts too late to join seamlessly', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { readings, from, to, step, tailStart, split } = s;
        const lost = readings.slice(0, tailStart).some((r) => r.t >= to);
        fc.pre(lost && split > tailStart);
        const stitched = stitch(
          { from, to, step, points: bucketize(readings, from, to, step) },
          readings.slice(tailStart, split),
        );
        expect(stitched.seamless).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('orders a slightly late live reading into place and ignores one before the cut', () => {
    const history = { from: 0, to: 100, step: 10, points: [] as ReadingBucket[] };
    const p = (t: number, seq: number): ReadingPoint => ({ t, seq, epoch: 'e', value: seq });
    const series = new StitchedSeries(stitch(history, [p(95, 1)]), readingFolder);
    expect(series.cut).toBe(100);
    expect(series.append(p(120, 3))).toBe(true);
    expect(series.append(p(110, 4))).toBe(true);
    expect(series.append(p(99, 5))).toBe(false);
    expect(series.append(p(130, 3))).toBe(false); // a duplicate seq
    expect(series.tail.map((x) => x.t)).toEqual([110, 120]);
    expect(series.late).toBe(1);
  });
});
