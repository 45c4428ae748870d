import { describe, expect, it } from 'vitest';
import { reading } from '../fixtures.js';
import { startGateway, type GatewayResource } from '../gateway-resource.js';
import { HeldBus } from '../held-bus.js';
import { TestSocket } from '../test-socket.js';
import { closed, connect, VERSIONS, watch } from './mqtt-client.js';

const json = (value: unknown) => JSON.stringify(value);

/** The topic's last stored seq, as a new WebSocket subscriber is told it (0: nothing stored). */
async function storedSeq(gw: GatewayResource, topic: string): Promise<number> {
  await using s = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'checker'));
  s.send({ type: 'subscribe', id: 1, topic, history: 0 });
  return (await s.next('subscribed')).seq ?? 0;
}

/** The MQTT 5 reason code a refused QoS 1 publish was answered with. */
async function pubackRefusal(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
  } catch (err) {
    return (err as { code: number }).code;
  }
  throw new Error('publish was acknowledged');
}

describe.each(VERSIONS)('MQTT publish (protocol version %i)', (version) => {
  it('answers PUBACK only once the bus stored the message, which subscribers get with the next seq', async () => {
    let bus: HeldBus | undefined;
    await using gw = await startGateway({}, { bus: (c) => (bus = new HeldBus(c.historySize)) });
    bus!.release(); // stores at once for the WebSocket publisher that sets seq 1
    await using dev = await TestSocket.connect(gw.wsUrl, await gw.token('device', 'd1'));
    dev.send({ type: 'publish', id: 1, topic: 'device.d1.temperature', payload: reading(1) });
    await dev.next('ack');
    await using op = await watch(gw, 'device.d1.temperature');
    bus!.holding = true;
    const client = await connect(gw.mqttUrl, version, await gw.token('device', 'd1'));
    let acked = false;
    const puback = client
      .publishAsync('device/d1/temperature', json(reading(2)), { qos: 1 })
      .then(() => (acked = true));
    await new Promise((r) => setTimeout(r, 200));
    expect(bus!.heldCount).toBe(1);
    expect(acked).toBe(false); // not stored yet: no PUBACK
    bus!.release();
    await puback;
    const [got] = await op.messages(1);
    expect(got).toMatchObject({ topic: 'device.d1.temperature', seq: 2, payload: reading(2) });
    await client.endAsync();
  });

  it('stores QoS 0, QoS 2 (once) and retained publishes like any other', async () => {
    await using gw = await startGateway();
    await using op = await watch(gw, 'device.d1.temperature');
    const client = await connect(gw.mqttUrl, version, await gw.token('device', 'd1'));
    await client.publishAsync('device/d1/temperature', json(reading(1)), { qos: 0 });
    await client.publishAsync('device/d1/temperature', json(reading(2)), { qos: 2 });
    await client.publishAsync('device/d1/temperature', json(reading(3)), { qos: 1, retain: true });
    const got = await op.messages(3);
    expect(got.map((m) => [m.seq, (m.payload as { value: number }).value])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    expect(await storedSeq(gw, 'device.d1.temperature')).toBe(3); // retained = latest value
    await client.endAsync();
  });

  it("refuses a publish to another device's topic and stores nothing", async () => {
    await using gw = await startGateway();
    const client = await connect(gw.mqttUrl, version, await gw.token('device', 'd1'));
    const publish = client.publishAsync('device/d2/temperature', json(reading(1)), { qos: 1 });
    if (version === 5) {
      expect(await pubackRefusal(publish)).toBe(0x87);
      expect(client.connected).toBe(true); // MQTT 5 answers in-band; the session goes on
      await client.endAsync();
    } else {
      publish.catch(() => {}); // 3.1.1 has no negative PUBACK: the connection is closed instead
      expect(await closed(client)).toBeUndefined();
      client.end(true);
    }
    expect(await storedSeq(gw, 'device.d2.temperature')).toBe(0);
    expect(await gw.metrics()).toMatch(/pulse_errors_total\{code="FORBIDDEN"\} 1/);
  });

  it('ends the connection on a packet over MAX_FRAME_BYTES', async () => {
    await using gw = await startGateway({ MAX_FRAME_BYTES: '1024' });
    const client = await connect(gw.mqttUrl, version, await gw.token('device', 'd1'));
    const gone = closed(client);
    client.publish('device/d1/temperature', 'x'.repeat(4000), { qos: 0 });
    expect(await gone).toBe(version === 5 ? 0x95 : undefined);
    client.end(true);
    expect(await storedSeq(gw, 'device.d1.temperature')).toBe(0);
  });

  it('is paused with the WebSocket publishers above INGEST_HIGH_WATER, and loses nothing', async () => {
    let bus: HeldBus | undefined;
    await using gw = await startGateway(
      { INGEST_HIGH_WATER: '20', INGEST_LOW_WATER: '5' },
      { bus: (c) => (bus = new HeldBus(c.historySize)) },
    );
    await using op = await watch(gw, 'device.d1.temperature');
    const client = await connect(gw.mqttUrl, version, await gw.token('device', 'd1'));
    const N = 3000; // more than one TCP read, so pausing the socket has something to hold back
    for (let i = 1; i <= N; i++) client.publish('device/d1/temperature', json(reading(i)));
    await new Promise((r) => setTimeout(r, 300));
    expect(bus!.heldCount).toBeGreaterThanOrEqual(20);
    expect(bus!.heldCount).toBeLessThan(N); // the socket is not read while paused
    bus!.release();
    const got = await op.messages(N);
    expect(got.map((m) => (m.payload as { value: number }).value)).toEqual(
      Array.from({ length: N }, (_, i) => i + 1),
    );
    expect(await gw.metrics()).toMatch(/pulse_inbound_pauses_total [1-9]/);
    await client.endAsync();
  });
});

describe('MQTT 5 reason codes for refused publishes', () => {
  it('0x97 over the publish quota, with retryAfterMs', async () => {
    await using gw = await startGateway({ PUBLISH_LIMITS: 'device=1/1' });
    const client = await connect(gw.mqttUrl, 5, await gw.token('device', 'd1'));
    await client.publishAsync('device/d1/temperature', json(reading(1)), { qos: 1 });
    expect(
      await pubackRefusal(
        client.publishAsync('device/d1/temperature', json(reading(2)), { qos: 1 }),
      ),
    ).toBe(0x97);
    expect(await storedSeq(gw, 'device.d1.temperature')).toBe(1);
    await client.endAsync();
  });

  it('0x99 for a payload that is not JSON or not the family schema; 0x90 for an unmappable topic', async () => {
    await using gw = await startGateway();
    const client = await connect(gw.mqttUrl, 5, await gw.token('device', 'd1'));
    const send = (topic: string, payload: string) =>
      pubackRefusal(client.publishAsync(topic, payload, { qos: 1 }));
    expect(await send('device/d1/temperature', '{"value": ')).toBe(0x99);
    expect(await send('device/d1/temperature', json({ value: 'hot' }))).toBe(0x99);
    expect(await send('device/d1.x/temperature', json(reading(1)))).toBe(0x90);
    expect(await send('device/d1/temperature/', json(reading(1)))).toBe(0x90);
    expect(client.connected).toBe(true);
    expect(await storedSeq(gw, 'device.d1.temperature')).toBe(0);
    await client.endAsync();
  });
});
