import type { PulseClient } from '@pulse/client';
import type { TopicMessage } from '@pulse/protocol';
import { describe, expect, it, vi } from 'vitest';
import { wireSession } from './session.js';
import { AlarmsState } from './state/alarms.svelte.js';
import { ConnectionState } from './state/connection.svelte.js';
import { feedPlan } from './state/feed-plan.js';
import { FleetState } from './state/fleet.svelte.js';
import { MarketsState } from './state/markets.svelte.js';
import { message, presence, reading, tick } from './state/test-messages.js';

/** Records what the session subscribes to and lets the test play the server. */
function fakeClient() {
  const handlers = new Map<string, (m: TopicMessage<never>) => void>();
  const listeners = new Map<string, (e: never) => void>();
  const client = {
    status: 'connected',
    subscribe(topic: string, handler: (m: TopicMessage<never>) => void) {
      handlers.set(topic, handler);
      return () => handlers.delete(topic);
    },
    ping: () => Promise.resolve(3),
    on(event: string, handler: (e: never) => void) {
      listeners.set(event, handler);
      return () => listeners.delete(event);
    },
  };
  return {
    client: client as unknown as PulseClient,
    handlers,
    listeners,
    deliver(pattern: string, m: TopicMessage<unknown>) {
      handlers.get(pattern)!(m as TopicMessage<never>);
    },
    emit(event: string, e: unknown) {
      listeners.get(event)!(e as never);
    },
  };
}

function stores() {
  return {
    connection: new ConnectionState(),
    fleet: new FleetState(),
    markets: new MarketsState(),
    alarms: new AlarmsState(),
  };
}

const settings = { deviceRates: {}, marketRate: undefined };

describe('wireSession', () => {
  it('always holds presence and alarms (one pattern per metric); views add their own feeds', async () => {
    const fake = fakeClient();
    const session = wireSession(fake.client, stores());
    expect([...fake.handlers.keys()].sort()).toEqual([
      'alarm.*.battery',
      'alarm.*.humidity',
      'alarm.*.temperature',
      'alarm.*.vibration',
      'presence.*',
    ]);
    expect([...fake.listeners.keys()].sort()).toEqual([
      'latency',
      'notice',
      'resumed',
      'status',
      'welcome',
    ]);
    await session.feeds.apply(feedPlan({ view: 'markets' }, settings));
    expect(fake.handlers.has('price.*')).toBe(true);
    session.dispose();
    expect(fake.handlers.size).toBe(0);
    expect(fake.listeners.size).toBe(0);
  });

  it('routes messages and connection events to the stores', async () => {
    const fake = fakeClient();
    const s = stores();
    const session = wireSession(fake.client, s);
    await session.feeds.apply([
      ...feedPlan({ view: 'fleet' }, settings),
      ...feedPlan({ view: 'markets' }, settings),
    ]);
    fake.deliver('presence.*', presence('d1', 1, true, 1000));
    fake.deliver('device.*.battery', reading('d1', 'battery', 1, 1100, 87, '%'));
    fake.deliver('price.*', tick('ACME', 1, 1200, 10));
    fake.deliver(
      'alarm.*.battery',
      message('alarm.d1.battery', 1, 1300, {
        deviceId: 'd1',
        metric: 'battery',
        state: 'raised',
        value: 14,
        threshold: 15,
        rule: 'battery<15:0s',
        ts: 1300,
      }),
    );
    fake.emit('status', { status: 'reconnecting', previous: 'connected', attempt: 3 });
    fake.emit('latency', { rttMs: 7 });
    s.fleet.flush();
    s.markets.flush();
    s.alarms.flush();
    expect(s.fleet.rows[0]).toMatchObject({ id: 'd1', online: true });
    expect(s.fleet.rows[0]!.readings.battery?.value).toBe(87);
    expect(s.markets.rows[0]?.symbol).toBe('ACME');
    expect(s.alarms.byDevice.get('d1')).toBe(1);
    expect(s.connection.label).toBe('Reconnecting (attempt 3)');
    expect(s.connection.rttMs).toBe(7);
  });

  it('applies a message once even when a re-subscription replays it from history', async () => {
    const fake = fakeClient();
    const s = stores();
    const session = wireSession(fake.client, s);
    await session.feeds.apply(feedPlan({ view: 'markets' }, settings));
    for (const seq of [1, 2, 3]) fake.deliver('price.*', tick('X', seq, seq * 100, 10 + seq));
    // Away and back: the history sent again overlaps what was applied.
    await session.feeds.apply([]);
    await session.feeds.apply(feedPlan({ view: 'markets' }, settings));
    for (const seq of [1, 2, 3, 4, 5]) fake.deliver('price.*', tick('X', seq, seq * 100, 10 + seq));
    expect(
      s.markets.series
        .get('price.X')
        .toPoints()
        .map((p) => p.y),
    ).toEqual([11, 12, 13, 14, 15]);
    s.markets.flush();
    expect(s.markets.rows[0]!.volume).toBe(50);
  });

  it('measures a round trip as soon as the server welcomes the console', async () => {
    const fake = fakeClient();
    const s = stores();
    wireSession(fake.client, s);
    fake.emit('welcome', { type: 'welcome', serverId: 'gw-b' });
    expect(s.connection.welcome?.serverId).toBe('gw-b');
    await vi.waitFor(() => expect(s.connection.rttMs).toBe(3));
  });
});
