import type { Welcome } from '@pulse/protocol';
import { describe, expect, it } from 'vitest';
import { ConnectionState, describeClose } from './connection.svelte.js';

const welcome: Welcome = {
  type: 'welcome',
  protocol: 1,
  serverId: 'gw-a',
  connectionId: 'c1',
  heartbeatMs: 15_000,
  role: 'operator',
  subject: 'console',
  limits: { maxFrameBytes: 65_536, maxSubscriptions: 100, historySize: 100 },
};

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('ConnectionState', () => {
  it('says "gateway unreachable" until the first welcome, then "connection lost"', () => {
    const c = new ConnectionState(clock().now);
    expect(c.label).toBe('Connecting…');
    c.onStatus({ status: 'reconnecting', previous: 'connecting', attempt: 2, nextRetryInMs: 800 });
    expect(c.label).toBe('Reconnecting (attempt 2)');
    expect(c.problem).toBe('Gateway unreachable: retrying (attempt 2)');
    c.onWelcome(welcome);
    c.onStatus({ status: 'connected', previous: 'reconnecting', attempt: 0 });
    expect(c.label).toBe('Connected');
    expect(c.problem).toBeUndefined();
    expect(c.welcome?.serverId).toBe('gw-a');
    c.onStatus({
      status: 'reconnecting',
      previous: 'connected',
      attempt: 1,
      nextRetryInMs: 0,
      closeCode: 1012,
    });
    expect(c.problem).toBe('Connection lost: retrying (attempt 1)');
    expect(c.closeCode).toBe(1012);
  });

  it('shows when the next retry is due and why a fatal close went offline', () => {
    const time = clock();
    const c = new ConnectionState(time.now);
    c.onStatus({ status: 'reconnecting', previous: 'connecting', attempt: 1, nextRetryInMs: 1500 });
    expect(c.nextRetryAt).toBe(time.now() + 1500);
    c.onStatus({
      status: 'disconnected',
      previous: 'reconnecting',
      attempt: 0,
      closeCode: 4001,
      closeReason: 'bad token',
    });
    expect(c.label).toBe('Offline');
    expect(c.nextRetryAt).toBeUndefined();
    expect(c.problem).toBe('Offline: 4001 UNAUTHORIZED: bad token');
    expect(describeClose(1006)).toBe('1006');
  });

  it('sums up a resume across subscriptions and forgets it on the next connection', () => {
    const c = new ConnectionState(clock().now);
    c.onWelcome(welcome);
    c.onResumed(true);
    c.onResumed(true);
    expect(c.resume).toMatchObject({ recovered: true, topics: 2 });
    c.onResumed(false);
    expect(c.resume).toMatchObject({ recovered: false, topics: 3 });
    c.onWelcome({ ...welcome, connectionId: 'c2' });
    expect(c.resume).toBeUndefined();
  });

  it('shows a topic whose history restarted as a gap, and counts skipped live updates', () => {
    const c = new ConnectionState(clock().now);
    c.onWelcome(welcome);
    c.onNotice({ type: 'notice', code: 'CONFLATED', message: 'slow', skipped: 7 });
    c.onNotice({ type: 'notice', code: 'CONFLATED', message: 'slow', skipped: 3 });
    expect(c.skipped).toBe(10);
    expect(c.resume).toBeUndefined();
    c.onNotice({
      type: 'notice',
      code: 'EPOCH_CHANGED',
      message: 'restarted',
      topic: 'device.d1.temperature',
      epoch: 'e1',
      seq: 40,
    });
    expect(c.resume).toMatchObject({ recovered: false, restarted: 'device.d1.temperature' });
    c.onNotice({ type: 'notice', code: 'SLOW_DOWN', message: 'slow down' });
    expect(c.resume).toMatchObject({ restarted: 'device.d1.temperature' });
  });

  it('samples the inbound message rate', () => {
    const time = clock();
    const c = new ConnectionState(time.now);
    for (let i = 0; i < 20; i++) {
      c.countMessages(10);
      time.advance(100);
    }
    c.sampleRate();
    expect(c.messagesPerSecond).toBeGreaterThan(90);
    expect(c.messagesPerSecond).toBeLessThan(110);
    c.onLatency(12);
    expect(c.rttMs).toBe(12);
  });
});
