import type { PulseClient } from '@pulse/client';
import type { TopicMessage } from '@pulse/protocol';
import { describe, expect, it, vi } from 'vitest';
import { wireSession } from './session.js';
import { ConnectionState } from './state/connection.svelte.js';
import { FleetState } from './state/fleet.svelte.js';
import { MarketsState } from './state/markets.svelte.js';
import { presence, reading, tick } from './state/test-messages.js';

/** Records what the session subscribes to and lets the test play the server. */
function fakeClient() {
  const handlers = new Map<string, (m: TopicMessage<never>) => void>();
  const listeners = new Map<string, (e: never) => void>();
  const client = {
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

describe('wireSession', () => {
  it('subscribes to presence, one pattern per metric (one wildcard each) and prices', () => {
    const fake = fakeClient();
    const stores = {
      connection: new ConnectionState(),
      fleet: new FleetState(),
      markets: new MarketsState(),
    };
    const unwire = wireSession(fake.client, stores);
    expect([...fake.handlers.keys()].sort()).toEqual([
      'device.*.battery',
      'device.*.humidity',
      'device.*.temperature',
      'device.*.vibration',
      'presence.*',
      'price.*',
    ]);
    expect([...fake.listeners.keys()].sort()).toEqual(['latency', 'resumed', 'status', 'welcome']);
    unwire();
    expect(fake.handlers.size).toBe(0);
    expect(fake.listeners.size).toBe(0);
  });

  it('routes messages and connection events to the stores', () => {
    const fake = fakeClient();
    const stores = {
      connection: new ConnectionState(),
      fleet: new FleetState(),
      markets: new MarketsState(),
    };
    wireSession(fake.client, stores);
    fake.deliver('presence.*', presence('d1', 1, true, 1000));
    fake.deliver('device.*.battery', reading('d1', 'battery', 1, 1100, 87, '%'));
    fake.deliver('price.*', tick('ACME', 1, 1200, 10));
    fake.emit('status', { status: 'reconnecting', previous: 'connected', attempt: 3 });
    fake.emit('latency', { rttMs: 7 });
    stores.fleet.flush();
    stores.markets.flush();
    expect(stores.fleet.rows[0]).toMatchObject({ id: 'd1', online: true });
    expect(stores.fleet.rows[0]!.readings.battery?.value).toBe(87);
    expect(stores.markets.rows[0]?.symbol).toBe('ACME');
    expect(stores.connection.label).toBe('Reconnecting (attempt 3)');
    expect(stores.connection.rttMs).toBe(7);
  });

  it('measures a round trip as soon as the server welcomes the console', async () => {
    const fake = fakeClient();
    const stores = {
      connection: new ConnectionState(),
      fleet: new FleetState(),
      markets: new MarketsState(),
    };
    wireSession(fake.client, stores);
    fake.emit('welcome', { type: 'welcome', serverId: 'gw-b' });
    expect(stores.connection.welcome?.serverId).toBe('gw-b');
    await vi.waitFor(() => expect(stores.connection.rttMs).toBe(3));
  });
});
