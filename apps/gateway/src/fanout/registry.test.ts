import { topicMatches } from '@pulse/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BusMessage } from '../bus/bus-message.js';
import { Stats } from '../metrics/stats.js';
import { SubscriberRegistry } from './registry.js';
import type { Subscription } from './subscription.js';
import { Timeline } from './throttle/timeline.js';

function sub(pattern: string, intervalMs = 0, got: string[] = []) {
  return {
    pattern,
    intervalMs,
    mode: 'conflate',
    deliver: (m: BusMessage) => got.push(`${pattern}<${m.topic}#${m.seq}`),
  } as unknown as Subscription;
}
const msg = (topic: string, seq = 1) =>
  new BusMessage(topic, seq, 'e', 0, { value: seq, unit: '', ts: 0 });

describe('SubscriberRegistry', () => {
  it('matches exact topics and each one-wildcard variant', () => {
    const got: string[] = [];
    const r = new SubscriberRegistry(new Timeline(), new Stats());
    for (const p of ['device.d1.temp', 'device.*.temp', 'device.d1.*', 'device.d2.*', 'price.*'])
      r.add(sub(p, 0, got));
    r.dispatch(msg('device.d1.temp'), 0);
    expect(got.sort()).toEqual([
      'device.*.temp<device.d1.temp#1',
      'device.d1.*<device.d1.temp#1',
      'device.d1.temp<device.d1.temp#1',
    ]);
    got.length = 0;
    r.dispatch(msg('price.BTC-USD'), 0);
    expect(got).toEqual(['price.*<price.BTC-USD#1']);
  });

  it('reports the first and last subscription of a pattern (bus interest)', () => {
    const r = new SubscriberRegistry(new Timeline(), new Stats());
    const a = sub('price.*');
    const b = sub('price.*', 50);
    expect(r.add(a)).toBe(true);
    expect(r.add(b)).toBe(false);
    expect(r.remove(a)).toBe(false);
    expect(r.remove(a)).toBe(false);
    expect(r.remove(b)).toBe(true);
    expect(r.patternCount).toBe(0);
  });

  it('shares one throttle among subscriptions of a pattern at the same rate', () => {
    let now = 0;
    const timeline = new Timeline(() => now);
    const r = new SubscriberRegistry(timeline, new Stats());
    const got: string[] = [];
    for (let i = 0; i < 100; i++) r.add(sub('price.*', 100, got));
    for (let s = 1; s <= 50; s++) r.dispatch(msg('price.X', s), now);
    expect(got.length).toBe(100); // the leading update, once per subscriber
    expect(timeline.size).toBe(1); // one pending flush for all 100
    now = 100;
    timeline.runDue(now);
    timeline.stop();
    expect(got.length).toBe(200);
    expect(got.slice(100).every((g) => g.endsWith('#50'))).toBe(true);
  });

  // Exact-only registries skip the wildcard variants: the shortcut must hold through any
  // sequence of wildcard patterns coming and going, and match what topicMatches says.
  it('delivers to exactly the matching patterns, however wildcards come and go', () => {
    const patterns = [
      'device.d1.temp',
      'device.d2.temp',
      'device.*.temp',
      'device.d1.*',
      'price.BTC-USD',
      'price.*',
    ];
    const topics = ['device.d1.temp', 'device.d2.temp', 'device.d1.hum', 'price.BTC-USD'];
    const op = fc.record({
      add: fc.boolean(),
      pattern: fc.constantFrom(...patterns),
      topic: fc.constantFrom(...topics),
    });
    const got: string[] = [];
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const r = new SubscriberRegistry(new Timeline(), new Stats());
        const live = new Map<string, Subscription>();
        let seq = 0;
        for (const o of ops) {
          if (o.add && !live.has(o.pattern)) {
            const s = sub(o.pattern, 0, got);
            live.set(o.pattern, s);
            r.add(s);
          } else if (!o.add && live.has(o.pattern)) {
            r.remove(live.get(o.pattern)!);
            live.delete(o.pattern);
          }
          got.length = 0;
          seq += 1;
          r.dispatch(msg(o.topic, seq), 0);
          const want = [...live.keys()]
            .filter((p) => topicMatches(p, o.topic))
            .map((p) => `${p}<${o.topic}#${seq}`);
          expect(got.sort()).toEqual(want.sort());
          expect(
            r
              .matching(o.topic)
              .map((s) => s.pattern)
              .sort(),
          ).toEqual([...live.keys()].filter((p) => topicMatches(p, o.topic)).sort());
        }
      }),
    );
  });
});
