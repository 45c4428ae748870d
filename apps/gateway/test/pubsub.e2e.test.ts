import { describe, expect, it } from 'vitest';
import { BUSES, gatewaysOn } from './gateway-resource.js';
import { TestSocket } from './test-socket.js';
import { range } from './fixtures.js';

const reading = (value: number) => ({ value, unit: 'C', ts: 1_700_000_000_000 + value });
const tick = (last: number) => ({
  bid: last - 0.5,
  ask: last + 0.5,
  last,
  volume: 10,
  ts: 1_700_000_000_000,
});

describe.each(BUSES)('publish and subscribe (%s bus)', (bus) => {
  const startGateway = gatewaysOn(bus);

  it('delivers every publish to every subscriber in order with consecutive sequences', async () => {
    await using gw = await startGateway();
    await using a = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op-a'));
    await using b = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op-b'));
    await using dev = await TestSocket.connect(gw.wsUrl, await gw.token('device', 'd1'));
    for (const s of [a, b]) {
      s.send({ type: 'subscribe', id: 1, topic: 'device.d1.temperature', history: 0 });
      expect(await s.next('subscribed')).toMatchObject({
        id: 1,
        topic: 'device.d1.temperature',
        seq: 0,
      });
    }
    for (let i = 1; i <= 200; i++)
      dev.send({ type: 'publish', topic: 'device.d1.temperature', payload: reading(i) });
    for (const s of [a, b]) {
      const got = await s.exactly(range(1, 200));
      expect(got.map((m) => (m.payload as { value: number }).value)).toEqual(range(1, 200));
      expect(new Set(got.map((m) => m.epoch)).size).toBe(1);
    }
  });

  it('acknowledges a publish with an id with its stored sequence', async () => {
    await using gw = await startGateway();
    await using feed = await TestSocket.connect(gw.wsUrl, await gw.token('feed', 'f1'));
    feed.send({ type: 'publish', id: 7, topic: 'price.AAPL', payload: tick(100) });
    feed.send({ type: 'publish', id: 8, topic: 'price.AAPL', payload: tick(101) });
    expect(await feed.next('ack', (f) => f.id === 7)).toEqual({
      type: 'ack',
      id: 7,
      topic: 'price.AAPL',
      seq: 1,
    });
    expect(await feed.next('ack', (f) => f.id === 8)).toEqual({
      type: 'ack',
      id: 8,
      topic: 'price.AAPL',
      seq: 2,
    });
  });

  it('sends the latest value on subscribe, and the last n with history', async () => {
    await using gw = await startGateway();
    await using feed = await TestSocket.connect(gw.wsUrl, await gw.token('feed', 'f1'));
    for (let i = 1; i <= 5; i++)
      feed.send({ type: 'publish', id: i, topic: 'price.X', payload: tick(100 + i) });
    await feed.next('ack', (f) => f.id === 5);
    await using op = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
    op.send({ type: 'subscribe', id: 1, topic: 'price.X' });
    expect(await op.next('subscribed')).toMatchObject({ seq: 5 });
    await op.exactly([5]);
    op.send({ type: 'subscribe', id: 2, topic: 'price.*', history: 3 });
    await op.next('subscribed', (f) => f.id === 2);
    await op.exactly([3, 4, 5]);
  });

  it('wildcard subscriptions receive every matching topic and nothing else', async () => {
    await using gw = await startGateway();
    await using op = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
    op.send({ type: 'subscribe', id: 1, topic: 'device.*.temperature', history: 0 });
    op.send({ type: 'subscribe', id: 2, topic: 'device.d2.*', history: 0 });
    await op.next('subscribed', (f) => f.id === 1);
    await op.next('subscribed', (f) => f.id === 2);
    await using d1 = await TestSocket.connect(gw.wsUrl, await gw.token('device', 'd1'));
    await using d2 = await TestSocket.connect(gw.wsUrl, await gw.token('device', 'd2'));
    d1.send({ type: 'publish', topic: 'device.d1.temperature', payload: reading(1) });
    d1.send({ type: 'publish', topic: 'device.d1.humidity', payload: reading(2) });
    d2.send({ type: 'publish', topic: 'device.d2.humidity', payload: reading(3) });
    d2.send({ type: 'publish', id: 9, topic: 'device.d2.battery', payload: reading(4) });
    await d2.next('ack');
    // Once each, though device.d2.* and device.*.temperature overlap on this connection.
    await op.exactly(['device.d1.temperature#1', 'device.d2.humidity#1', 'device.d2.battery#1']);
  });

  it('unsubscribe stops delivery and is confirmed', async () => {
    await using gw = await startGateway();
    await using op = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
    await using feed = await TestSocket.connect(gw.wsUrl, await gw.token('feed', 'f'));
    op.send({ type: 'subscribe', id: 1, topic: 'price.A', history: 0 });
    op.send({ type: 'subscribe', id: 2, topic: 'price.B', history: 0 });
    await op.next('subscribed', (f) => f.id === 2);
    op.send({ type: 'unsubscribe', id: 3, topic: 'price.A' });
    expect(await op.next('unsubscribed')).toEqual({
      type: 'unsubscribed',
      id: 3,
      topic: 'price.A',
    });
    feed.send({ type: 'publish', topic: 'price.A', payload: tick(1) });
    feed.send({ type: 'publish', topic: 'price.B', payload: tick(2) });
    await op.exactly(['price.B#1']);
    op.send({ type: 'unsubscribe', id: 4, topic: 'price.A' });
    expect(await op.next('error')).toMatchObject({ code: 'NOT_SUBSCRIBED', ref: 4 });
  });

  it('speaks MessagePack and JSON side by side with the same messages', async () => {
    await using gw = await startGateway();
    await using json = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'j'), 'json');
    await using mp = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'm'), 'msgpack');
    await using feed = await TestSocket.connect(gw.wsUrl, await gw.token('feed', 'f'), 'msgpack');
    for (const s of [json, mp]) {
      s.send({ type: 'subscribe', id: 1, topic: 'price.*', history: 0 });
      await s.next('subscribed');
    }
    feed.send({ type: 'publish', id: 1, topic: 'price.EUR', payload: tick(1.25) });
    expect(await feed.next('ack')).toMatchObject({ seq: 1 });
    const [j] = await json.messages(1);
    const [m] = await mp.messages(1);
    expect(m).toEqual(j);
    expect(j).toMatchObject({ topic: 'price.EUR', seq: 1, payload: tick(1.25) });
  });
});
