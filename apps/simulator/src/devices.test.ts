import { validatePayload } from '@pulse/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from './clock.js';
import { SimDevice, type SimDeviceOptions } from './devices.js';
import { SimFeed } from './feeds.js';
import { Rng } from './random.js';
import { Stats } from './stats.js';
import { fakeOpener } from './testing/fake-opener.js';

beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2025, 0, 1, 12) });
});
afterEach(() => {
  vi.useRealTimers();
});

function device(overrides: Partial<SimDeviceOptions> = {}) {
  const { open, connections } = fakeOpener();
  const stats = new Stats();
  const d = new SimDevice({
    id: 'dev-001',
    hz: 2,
    rng: new Rng(5),
    clock: systemClock,
    stats,
    open,
    ackRatio: 0,
    signals: { startMs: Date.now(), timeScale: 60 },
    dropoutPerMinute: 0,
    ...overrides,
  });
  return { d, stats, connections };
}

describe('SimDevice', () => {
  it('connects as role device with its id and publishes every metric at hz', async () => {
    const { d, connections } = device();
    d.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(connections).toHaveLength(1);
    expect(connections[0]).toMatchObject({ role: 'device', sub: 'dev-001' });
    await vi.advanceTimersByTimeAsync(1000);
    d.stop();
    const published = connections[0]!.published;
    // 2 Hz × 4 metrics over one second (the first tick has a random phase).
    expect(published.length).toBeGreaterThanOrEqual(8);
    expect(published.length).toBeLessThanOrEqual(12);
    expect(new Set(published.map((p) => p.topic))).toEqual(
      new Set(
        ['temperature', 'humidity', 'vibration', 'battery'].map((m) => `device.dev-001.${m}`),
      ),
    );
    for (const p of published)
      expect(validatePayload(p.topic, p.payload)).toMatchObject({ ok: true });
    expect(connections[0]!.closed).toBe(true);
  });

  it('skips (not queues) readings until the welcome arrives', async () => {
    const { open, connections } = fakeOpener(false);
    const stats = new Stats();
    const d = new SimDevice({
      id: 'dev-002',
      hz: 1,
      rng: new Rng(1),
      clock: systemClock,
      stats,
      open,
      ackRatio: 0,
      signals: { startMs: Date.now(), timeScale: 1 },
      dropoutPerMinute: 0,
    });
    d.start();
    await vi.advanceTimersByTimeAsync(2000);
    expect(stats.skipped).toBeGreaterThan(0);
    expect(connections[0]!.published).toHaveLength(0);
    connections[0]!.welcome();
    await vi.advanceTimersByTimeAsync(1000);
    expect(connections[0]!.published.length).toBe(4);
    d.stop();
  });

  it('drops off by closing its client, then comes back with a new one', async () => {
    const { d, stats, connections } = device({ dropoutPerMinute: 1 });
    d.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(d.connected).toBe(true);
    // Chance 1 per minute: the first tick that sees time pass goes offline.
    await vi.advanceTimersByTimeAsync(1000);
    expect(stats.dropouts).toBe(1);
    expect(d.online).toBe(false);
    expect(d.connected).toBe(false);
    expect(connections[0]!.closed).toBe(true);
    const sentWhileOnline = connections[0]!.published.length;

    await vi.advanceTimersByTimeAsync(61_000);
    expect(connections.length).toBeGreaterThanOrEqual(2);
    expect(connections[1]).toMatchObject({ role: 'device', sub: 'dev-001' });
    expect(connections[0]!.published.length).toBe(sentWhileOnline);
    d.stop();
    expect(connections.every((c) => c.closed)).toBe(true);
  });

  it('counts client reconnects, and ignores a replaced connection', async () => {
    const { d, stats, connections } = device();
    d.start();
    await vi.advanceTimersByTimeAsync(0);
    const conn = connections[0]!;
    conn.lose();
    expect(d.connected).toBe(false);
    expect(stats.connectFailures).toBe(1);
    expect(stats.lastFailure).toBe('1006');
    conn.welcome();
    expect(stats.reconnects).toBe(1);
    expect(d.connected).toBe(true);
    d.stop();
    conn.welcome();
    expect(d.connected).toBe(false);
  });

  it('records a close the client will not retry (e.g. 4001 unauthorized)', async () => {
    const { d, stats, connections } = device();
    d.start();
    await vi.advanceTimersByTimeAsync(0);
    connections[0]!.events.onStatus({ status: 'disconnected', closeCode: 4001 });
    expect(Object.fromEntries(stats.fatalCloses)).toEqual({ 4001: 1 });
    d.stop();
  });
});

describe('SimFeed', () => {
  it('publishes price.<SYMBOL> for every symbol at tick-hz on one feed connection', async () => {
    const { open, connections } = fakeOpener();
    const stats = new Stats();
    const feed = new SimFeed({
      symbols: 3,
      tickHz: 10,
      rng: new Rng(9),
      clock: systemClock,
      stats,
      open,
      ackRatio: 0.5,
    });
    feed.start();
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(1000);
    feed.stop();
    expect(connections).toHaveLength(1);
    expect(connections[0]).toMatchObject({ role: 'feed', sub: 'feed-1' });
    const published = connections[0]!.published;
    expect(published.length).toBeGreaterThanOrEqual(30);
    expect(published.length).toBeLessThanOrEqual(33);
    expect(new Set(published.map((p) => p.topic))).toEqual(
      new Set(['price.AAPL', 'price.MSFT', 'price.BTC-USD']),
    );
    for (const p of published)
      expect(validatePayload(p.topic, p.payload)).toMatchObject({ ok: true });
    expect(published.some((p) => p.ack)).toBe(true);
    expect(stats.acked).toBe(published.filter((p) => p.ack).length);
  });
});
