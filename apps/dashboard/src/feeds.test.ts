import type { SubscribeOptions } from '@pulse/client';
import { describe, expect, it } from 'vitest';
import { Feeds, type FeedClient } from './feeds.js';
import { feedPlan, type FeedSettings } from './state/feed-plan.js';

/** Records subscribe/unsubscribe/ping in order; pings resolve when the test says so. */
function fakeClient() {
  const log: string[] = [];
  const pongs: (() => void)[] = [];
  const client: FeedClient = {
    status: 'connected',
    subscribe(topic: string, _handler: unknown, options?: SubscribeOptions) {
      log.push(`sub ${topic} rate=${options?.maxRate ?? 'max'} history=${options?.history}`);
      return () => log.push(`unsub ${topic}`);
    },
    ping() {
      log.push('ping');
      return new Promise<number>((resolve) => pongs.push(() => resolve(1)));
    },
  };
  return { client, log, pong: () => pongs.shift()?.() };
}

const none = () => {};
const handlers = { device: none, price: none };
const settings: FeedSettings = { deviceRates: {}, marketRate: undefined };

describe('Feeds', () => {
  it('subscribes what the view needs and only that, dropping a hidden view’s feeds', async () => {
    const fake = fakeClient();
    const feeds = new Feeds(fake.client, handlers);
    await feeds.apply(feedPlan({ view: 'markets' }, settings));
    expect(fake.log).toEqual(['sub price.* rate=max history=600']);
    await feeds.apply(feedPlan({ view: 'alarms' }, settings));
    expect(fake.log.at(-1)).toBe('unsub price.*');
    expect(feeds.active).toEqual([]);
  });

  it('waits for a round trip before a subscription that overlaps one just dropped', async () => {
    const fake = fakeClient();
    const feeds = new Feeds(fake.client, handlers);
    await feeds.apply(feedPlan({ view: 'fleet' }, settings));
    fake.log.length = 0;
    const done = feeds.apply(feedPlan({ view: 'device', id: 'd1' }, settings));
    await Promise.resolve();
    expect(fake.log).toEqual([
      'unsub device.*.temperature',
      'unsub device.*.humidity',
      'unsub device.*.vibration',
      'unsub device.*.battery',
      'ping',
    ]);
    fake.pong();
    await done;
    expect(fake.log.slice(5)).toEqual([
      'sub device.d1.temperature rate=max history=1000',
      'sub device.d1.humidity rate=max history=1000',
      'sub device.d1.vibration rate=max history=1000',
      'sub device.d1.battery rate=max history=1000',
    ]);
  });

  it('re-subscribes one chart when its rate changes, and skips the wait for unrelated topics', async () => {
    const fake = fakeClient();
    const feeds = new Feeds(fake.client, handlers);
    const route = { view: 'device', id: 'd1' } as const;
    await feeds.apply(feedPlan(route, settings));
    fake.log.length = 0;
    const done = feeds.apply(feedPlan(route, { ...settings, deviceRates: { battery: 0.5 } }));
    await Promise.resolve();
    fake.pong();
    await done;
    expect(fake.log).toEqual([
      'unsub device.d1.battery',
      'ping',
      'sub device.d1.battery rate=0.5 history=1000',
    ]);
    fake.log.length = 0;
    await feeds.apply(feedPlan({ view: 'markets' }, settings));
    expect(fake.log.filter((l) => l === 'ping')).toEqual([]);
  });

  it('ends on the last of a burst of plans', async () => {
    const fake = fakeClient();
    const feeds = new Feeds(fake.client, handlers);
    await feeds.apply(feedPlan({ view: 'fleet' }, settings));
    const a = feeds.apply(feedPlan({ view: 'device', id: 'd1' }, settings));
    await Promise.resolve();
    const b = feeds.apply(feedPlan({ view: 'device', id: 'd2' }, settings));
    fake.pong();
    await Promise.all([a, b]);
    fake.pong();
    await feeds.apply(feedPlan({ view: 'device', id: 'd2' }, settings));
    expect(feeds.active.every((k) => k.startsWith('device.d2.'))).toBe(true);
    expect(fake.log.some((l) => l.startsWith('sub device.d1'))).toBe(false);
  });

  it('does not wait on a ping while disconnected, nor forever on a lost pong', async () => {
    const fake = fakeClient();
    const feeds = new Feeds({ ...fake.client, status: 'reconnecting' }, handlers, 10);
    await feeds.apply(feedPlan({ view: 'fleet' }, settings));
    await feeds.apply(feedPlan({ view: 'device', id: 'd1' }, settings));
    expect(fake.log).not.toContain('ping');
    const stuck = new Feeds(fake.client, handlers, 10);
    await stuck.apply(feedPlan({ view: 'markets' }, settings));
    await stuck.apply(feedPlan({ view: 'markets' }, { ...settings, marketRate: 5 }));
    expect(stuck.active).toEqual(['price.*|5|600']);
  });
});
