import { jsonCodec } from '@pulse/protocol';
import { describe, expect, it } from 'vitest';
import { BusMessage } from '../../bus/bus-message.js';
import type { ThrottleMode } from '../../config/flow-settings.js';
import { Stats } from '../../metrics/stats.js';
import type { Subscription } from '../subscription.js';
import { ThrottleGroup } from './throttle-group.js';
import { Timeline } from './timeline.js';

function setup(topic: string, mode: ThrottleMode, intervalMs = 100) {
  let now = 1000;
  const timeline = new Timeline(() => now);
  const out: BusMessage[] = [];
  const subs = new Set([{ deliver: (m: BusMessage) => out.push(m) } as unknown as Subscription]);
  const stats = new Stats();
  const group = new ThrottleGroup(topic, intervalMs, mode, subs, timeline, stats);
  const advance = (ms: number) => {
    now += ms;
    timeline.runDue(now);
  };
  return { group, out, stats, advance, now: () => now, stop: () => timeline.stop() };
}
const reading = (topic: string, seq: number, value: number) =>
  new BusMessage(topic, seq, 'e', 0, { value, unit: 'C', ts: seq });
const tick = (seq: number, last: number, volume = 1) =>
  new BusMessage('price.X', seq, 'e', 0, { bid: last, ask: last, last, volume, ts: seq });

describe('ThrottleGroup', () => {
  it('conflate: first update at once, then at most one per interval, ending on the latest', () => {
    const t = setup('price.X', 'conflate');
    for (let s = 1; s <= 10; s++) t.group.offer(tick(s, s), t.now());
    expect(t.out.map((m) => m.seq)).toEqual([1]);
    t.advance(50);
    expect(t.out.map((m) => m.seq)).toEqual([1]);
    t.advance(50);
    expect(t.out.map((m) => m.seq)).toEqual([1, 10]);
    expect(t.out[1]!.agg).toBeUndefined();
    expect(t.stats.conflated).toBe(8);
    t.advance(500); // quiet: nothing more to send
    expect(t.out).toHaveLength(2);
    t.group.offer(tick(11, 11), t.now());
    expect(t.out.map((m) => m.seq)).toEqual([1, 10, 11]);
    t.stop();
  });

  it('delivers ~rate updates per second under a firehose and the work per update is constant', () => {
    const t = setup('price.X', 'conflate', 50); // 20/s
    let seq = 0;
    for (let ms = 0; ms < 1000; ms++) {
      for (let k = 0; k < 20; k++) t.group.offer(tick(++seq, seq), t.now()); // 20,000/s
      t.advance(1);
    }
    t.advance(100);
    expect(t.out.length).toBeGreaterThanOrEqual(20);
    expect(t.out.length).toBeLessThanOrEqual(22);
    expect(t.out.at(-1)!.seq).toBe(seq);
    t.stop();
  });

  it('aggregate: folds readings into count/min/max/mean with the latest as payload', () => {
    const t = setup('device.d1.temperature', 'aggregate');
    t.group.offer(reading('device.d1.temperature', 1, 20), t.now());
    for (const [seq, v] of [
      [2, 18],
      [3, 25],
      [4, 22],
    ] as const)
      t.group.offer(reading('device.d1.temperature', seq, v), t.now());
    t.advance(100);
    const [first, folded] = t.out;
    expect(first!.seq).toBe(1);
    expect(folded!.seq).toBe(4);
    expect(folded!.payload).toMatchObject({ value: 22 });
    expect(folded!.agg).toEqual({ count: 3, min: 18, max: 25, mean: 65 / 3 });
    expect(t.stats.aggregated).toBe(1);
    t.stop();
  });

  it('aggregate: folds ticks into OHLC + volume', () => {
    const t = setup('price.X', 'aggregate');
    t.group.offer(tick(1, 100), t.now());
    for (const [seq, last, vol] of [
      [2, 101, 2],
      [3, 99, 3],
      [4, 103, 1],
      [5, 102, 4],
    ] as const)
      t.group.offer(tick(seq, last, vol), t.now());
    t.advance(100);
    expect(t.out[1]!.agg).toEqual({
      count: 4,
      open: 101,
      high: 103,
      low: 99,
      close: 102,
      volume: 10,
    });
    expect(JSON.parse(t.out[1]!.frame(jsonCodec).toString())).toMatchObject({
      seq: 5,
      agg: { close: 102 },
    });
    t.stop();
  });
});
