import { describe, expectTypeOf, it } from 'vitest';
import WebSocket from 'ws';
import type { Ack, PriceTick, SensorReading, TopicMessage } from '@pulse/protocol';
import { PulseClient, type SocketConstructor } from '../src/index.js';

describe('types', () => {
  it('both the browser WebSocket and ws satisfy SocketConstructor', () => {
    expectTypeOf(WebSocket).toExtend<SocketConstructor>();
    expectTypeOf<typeof globalThis.WebSocket>().toExtend<SocketConstructor>();
  });

  it('types payloads by topic family, also through a wildcard', () => {
    const client = new PulseClient({ url: 'ws://localhost:1/ws', WebSocket });
    client.subscribe('device.*.temperature', (m) => {
      expectTypeOf(m).toEqualTypeOf<TopicMessage<SensorReading>>();
    });
    client.subscribe('price.X', (m) => expectTypeOf(m.payload).toEqualTypeOf<PriceTick>());
    expectTypeOf(
      client.publish('price.X', { bid: 1, ask: 2, last: 1, volume: 0, ts: 0 }),
    ).toBeVoid();
    const acked = client.publish('device.a.t', { value: 1, unit: 'C', ts: 0 }, { ack: true });
    acked.catch(() => {}); // rejected by close() below
    expectTypeOf(acked).toEqualTypeOf<Promise<Ack>>();
    // @ts-expect-error a price payload on a device topic
    client.publish('device.a.t', { bid: 1, ask: 2, last: 1, volume: 0, ts: 0 });
    client.close();
  });
});
