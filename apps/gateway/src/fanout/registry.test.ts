import { describe, expect, it } from 'vitest';
import { SubscriberRegistry } from './registry.js';
import type { Subscription } from './subscription.js';

const sub = (pattern: string) => ({ pattern }) as Subscription;

describe('SubscriberRegistry', () => {
  it('matches exact topics and each one-wildcard variant', () => {
    const r = new SubscriberRegistry();
    const subs = ['device.d1.temp', 'device.*.temp', 'device.d1.*', 'device.d2.*', 'price.*'].map(
      sub,
    );
    subs.forEach((s) => r.add(s));
    const hits: string[] = [];
    r.forEachMatch('device.d1.temp', (s) => hits.push(s.pattern));
    expect(hits.sort()).toEqual(['device.*.temp', 'device.d1.*', 'device.d1.temp']);
    const priceHits: string[] = [];
    r.forEachMatch('price.BTC-USD', (s) => priceHits.push(s.pattern));
    expect(priceHits).toEqual(['price.*']);
  });

  it('reports the first and last subscription of a pattern (bus interest)', () => {
    const r = new SubscriberRegistry();
    const a = sub('price.*');
    const b = sub('price.*');
    expect(r.add(a)).toBe(true);
    expect(r.add(b)).toBe(false);
    expect(r.remove(a)).toBe(false);
    expect(r.remove(a)).toBe(false);
    expect(r.remove(b)).toBe(true);
    expect(r.patternCount).toBe(0);
  });
});
