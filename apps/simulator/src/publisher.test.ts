import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from './clock.js';
import { FlowControl } from './flow.js';
import { Pacer } from './pacer.js';
import { Publisher, type Link } from './publisher.js';
import { Rng } from './random.js';
import { Stats } from './stats.js';

interface Sent {
  topic: string;
  payload: unknown;
  ack: boolean;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/** Records publishes; acked ones wait until the test resolves or rejects them. */
class FakeLink implements Link {
  readonly sent: Sent[] = [];
  publish(topic: string, payload: unknown): void {
    this.sent.push({ topic, payload, ack: false, resolve: () => {}, reject: () => {} });
  }
  publishAcked(topic: string, payload: unknown, _key: string): Promise<unknown> {
    return new Promise((resolve, reject) =>
      this.sent.push({ topic, payload, ack: true, resolve, reject }),
    );
  }
  last(): Sent {
    return this.sent.at(-1)!;
  }
}

const rateLimited = (retryAfterMs: number) =>
  Object.assign(new Error('slow'), { code: 'RATE_LIMITED', retryAfterMs });

function setup(ackRatio = 1, intervalMs = 100) {
  const link = new FakeLink();
  const stats = new Stats();
  const flow = new FlowControl(intervalMs);
  let connected = true;
  const publisher = new Publisher({
    flow,
    stats,
    clock: systemClock,
    rng: new Rng(1),
    ackRatio,
    link: () => (connected ? link : undefined),
  });
  return { link, stats, flow, publisher, disconnect: () => (connected = false) };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Publisher', () => {
  it('asks for acks on the configured fraction of publishes', async () => {
    const { link, stats, publisher } = setup(0.1);
    for (let i = 0; i < 5000; i++) publisher.send('device.d.temperature', { i });
    const acked = link.sent.filter((s) => s.ack);
    expect(stats.sent).toBe(5000);
    expect(stats.ackRequested).toBe(acked.length);
    expect(acked.length).toBeGreaterThan(400);
    expect(acked.length).toBeLessThan(600);
    for (const s of acked) s.resolve({});
    await vi.runAllTimersAsync();
    expect(stats.acked).toBe(acked.length);
  });

  it('on a rejected ack with RATE_LIMITED: pauses, holds sends, then retries that publish once', async () => {
    const { link, stats, publisher } = setup(1);
    publisher.send('price.AAPL', { n: 1 });
    link.last().reject(rateLimited(500));
    await vi.advanceTimersByTimeAsync(0);
    expect(stats.rejected.get('RATE_LIMITED')).toBe(1);
    expect(stats.pauses).toBe(1);

    expect(publisher.send('price.AAPL', { n: 2 })).toBe('held');
    expect(stats.held).toBe(1);
    expect(link.sent).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(499);
    expect(link.sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(link.sent).toHaveLength(2);
    expect(link.last()).toMatchObject({ topic: 'price.AAPL', payload: { n: 1 }, ack: true });
    expect(stats.retried).toBe(1);

    // Rejected again: counted, but not retried a second time.
    link.last().reject(rateLimited(500));
    await vi.advanceTimersByTimeAsync(2000);
    expect(link.sent).toHaveLength(2);
    expect(stats.rejected.get('RATE_LIMITED')).toBe(2);
    expect(stats.retried).toBe(1);

    expect(publisher.send('price.AAPL', { n: 3 })).toBe('sent');
  });

  it('a RATE_LIMITED error frame (fire and forget) pauses without a retry', async () => {
    const { link, stats, publisher } = setup(0);
    publisher.send('price.AAPL', {});
    publisher.onError({ code: 'RATE_LIMITED', retryAfterMs: 300 });
    publisher.onError({ code: 'RATE_LIMITED', retryAfterMs: 300 });
    expect(stats.pauses).toBe(1);
    expect(stats.rejected.get('RATE_LIMITED')).toBe(2);
    expect(publisher.send('price.AAPL', {})).toBe('held');
    await vi.advanceTimersByTimeAsync(300);
    expect(publisher.send('price.AAPL', {})).toBe('sent');
    expect(link.sent).toHaveLength(2);
    expect(stats.retried).toBe(0);
  });

  it('counts other rejections by code without pausing or retrying', async () => {
    const { link, stats, publisher } = setup(1);
    publisher.send('device.d.x', {});
    link.last().reject(Object.assign(new Error('bad'), { code: 'INVALID_PAYLOAD' }));
    publisher.send('device.d.x', {});
    link.last().reject(Object.assign(new Error('gone'), { code: 'DISCONNECTED' }));
    publisher.send('device.d.x', {});
    link.last().reject(new Error('no code'));
    await vi.runAllTimersAsync();
    expect(Object.fromEntries(stats.rejected)).toEqual({
      INVALID_PAYLOAD: 1,
      DISCONNECTED: 1,
      UNKNOWN: 1,
    });
    expect(stats.pauses).toBe(0);
    expect(stats.retried).toBe(0);
    expect(link.sent).toHaveLength(3);
  });

  it('skips sends while not connected and drops a retry whose link went away', async () => {
    const { link, stats, publisher, disconnect } = setup(1);
    publisher.send('price.AAPL', {});
    link.last().reject(rateLimited(100));
    await vi.advanceTimersByTimeAsync(0);
    disconnect();
    await vi.advanceTimersByTimeAsync(200);
    expect(stats.retried).toBe(0);
    expect(publisher.send('price.AAPL', {})).toBe('skipped');
    expect(stats.skipped).toBe(1);
  });

  it('stop cancels pending retries and ignores late outcomes', async () => {
    const { link, stats, publisher } = setup(1);
    publisher.send('price.AAPL', {});
    publisher.send('price.AAPL', {});
    link.sent[0]!.reject(rateLimited(100));
    await vi.advanceTimersByTimeAsync(0);
    publisher.stop();
    link.sent[1]!.resolve({});
    await vi.advanceTimersByTimeAsync(500);
    expect(link.sent).toHaveLength(2);
    expect(stats.acked).toBe(0);
    expect(stats.retried).toBe(0);
  });

  it('obeys SLOW_DOWN notices and ignores other notices', () => {
    const { stats, flow, publisher } = setup(0);
    publisher.onNotice({ code: 'DRAINING' });
    expect(flow.rateFactor(Date.now())).toBe(1);
    publisher.onNotice({ code: 'SLOW_DOWN', retryAfterMs: 2000 });
    expect(flow.rateFactor(Date.now())).toBe(0.5);
    expect(stats.slowDowns).toBe(1);
  });
});

describe('Pacer with flow control', () => {
  function paced(intervalMs: number) {
    const flow = new FlowControl(intervalMs);
    const ticks: number[] = [];
    const pacer = new Pacer(systemClock, flow, (now) => ticks.push(now));
    return { flow, ticks, pacer };
  }
  const within = (ticks: number[], from: number, to: number) =>
    ticks.filter((t) => t >= from && t < to).length;

  it('ticks at the base rate', async () => {
    const { ticks, pacer } = paced(100);
    const t0 = Date.now();
    pacer.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(within(ticks, t0, t0 + 1000)).toBe(10);
    pacer.stop();
    const count = ticks.length;
    await vi.advanceTimersByTimeAsync(1000);
    expect(ticks.length).toBe(count);
  });

  it('halves its rate during a SLOW_DOWN window, then returns to full rate', async () => {
    const { flow, ticks, pacer } = paced(100);
    const t0 = Date.now();
    pacer.start();
    flow.slowDown(2000, t0);
    await vi.advanceTimersByTimeAsync(4000);
    pacer.stop();
    expect(within(ticks, t0, t0 + 2000)).toBe(10);
    expect(within(ticks, t0 + 2100, t0 + 4000)).toBeGreaterThanOrEqual(18);
  });

  it('sends nothing during a RATE_LIMITED pause and resumes when it ends', async () => {
    const { flow, ticks, pacer } = paced(100);
    const t0 = Date.now();
    pacer.start();
    await vi.advanceTimersByTimeAsync(250);
    flow.rateLimited(1000, Date.now());
    await vi.advanceTimersByTimeAsync(2000);
    pacer.stop();
    // The tick already scheduled inside the pause fires once (the publisher holds it), then
    // nothing until the pause ends.
    expect(within(ticks, t0 + 301, t0 + 1250)).toBe(0);
    expect(within(ticks, t0 + 1250, t0 + 2250)).toBe(10);
  });
});
