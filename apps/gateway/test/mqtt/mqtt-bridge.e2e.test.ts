import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reading } from '../fixtures.js';
import { freshPrefix, startGateway, type GatewayResource } from '../gateway-resource.js';
import { freePort, startRedis, type RedisServer } from '../redis/redis-server.js';
import type { TestSocket } from '../test-socket.js';
import { watch } from './mqtt-client.js';
import { startMosquitto, type Mosquitto } from './mosquitto.js';

const DEVICES = ['b1', 'b2', 'b3', 'b4'];
const PER_DEVICE = 50; // 200 messages in all

/** GET /health/ready's `mqttBridge`, once it is in `state`. */
async function bridgeState(gw: GatewayResource, state: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const body = (await (await fetch(`${gw.httpUrl}/health/ready`)).json()) as {
      mqttBridge?: { state: string; reason?: string };
    };
    if (body.mqttBridge?.state === state) return body.mqttBridge;
    if (Date.now() > deadline)
      throw new Error(`bridge not ${state}: ${JSON.stringify(body.mqttBridge)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** GET /health/ready's status code and body. */
async function ready(gw: GatewayResource) {
  const res = await fetch(`${gw.httpUrl}/health/ready`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** pulse_mqtt_bridge_messages_total{outcome} as scraped. */
async function bridged(gw: GatewayResource, outcome: string): Promise<number> {
  const m = new RegExp(`^pulse_mqtt_bridge_messages_total\\{outcome="${outcome}"\\} (\\d+)`, 'm');
  return Number(m.exec(await gw.metrics())?.[1] ?? 0);
}

/** A device-side publisher on the external broker (anonymous there; the broker owns auth). */
function publisher(url: string): Promise<MqttClient> {
  return mqtt.connectAsync(url, {
    protocolVersion: 5,
    clientId: `dev-${Math.random().toString(36).slice(2, 10)}`,
    reconnectPeriod: 100,
    connectTimeout: 5000,
  });
}

/** Per topic: the stored values in seq order, and the seqs themselves. */
function byTopic(frames: Awaited<ReturnType<TestSocket['messages']>>) {
  const out = new Map<string, { seqs: number[]; values: number[] }>();
  for (const f of frames) {
    const t = out.get(f.topic) ?? { seqs: [], values: [] };
    t.seqs.push(f.seq);
    t.values.push((f.payload as { value: number }).value);
    out.set(f.topic, t);
  }
  return out;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('MQTT bridge to an external broker (Mosquitto)', () => {
  let redis: RedisServer;
  let broker: Mosquitto;
  beforeAll(async () => {
    [redis, broker] = await Promise.all([startRedis(), startMosquitto()]);
  });
  afterAll(async () => {
    await Promise.all([redis?.stop(), broker?.dispose()]);
  });

  /** Two gateways on one Redis namespace, bridged to the broker under one share group. */
  async function twoGateways(group: string) {
    const prefix = freshPrefix();
    const env = (id: string) => ({
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: prefix,
      MQTT_BRIDGE_URL: broker.url,
      MQTT_BRIDGE_SHARE_GROUP: group,
      MQTT_BRIDGE_CLIENT_ID: `${group}-${id}`,
    });
    const gws = await Promise.all([startGateway(env('a')), startGateway(env('b'))]);
    await Promise.all(gws.map((gw) => bridgeState(gw, 'connected')));
    return gws;
  }

  it('splits 200 messages between two gateways, each stored exactly once, in seq order per topic', async () => {
    const [a, b] = await twoGateways(freshPrefix());
    await using _a = a!;
    await using _b = b!;
    await using op = await watch(a!, 'device.*.temperature');
    const dev = await publisher(broker.url);
    try {
      await Promise.all(
        range(PER_DEVICE).flatMap((i) =>
          DEVICES.map((d) =>
            dev.publishAsync(`device/${d}/temperature`, JSON.stringify(reading(i)), { qos: 1 }),
          ),
        ),
      );
      const got = byTopic(await op.messages(DEVICES.length * PER_DEVICE));
      for (const d of DEVICES) {
        const t = got.get(`device.${d}.temperature`)!;
        expect(t.seqs).toEqual(range(PER_DEVICE)); // gapless: nothing stored twice
        expect([...t.values].sort((x, y) => x - y)).toEqual(range(PER_DEVICE)); // each once
      }
      const stored = [await bridged(a!, 'stored'), await bridged(b!, 'stored')];
      expect(stored[0]! + stored[1]!).toBe(DEVICES.length * PER_DEVICE);
      // The shared subscription split the stream: both gateways ingested part of it.
      expect(stored[0]).toBeGreaterThan(0);
      expect(stored[1]).toBeGreaterThan(0);
    } finally {
      await dev.endAsync();
    }
  });

  it('stores nothing twice across a rolling restart: a gateway stopped mid-stream comes back to its session', async () => {
    const group = freshPrefix();
    const prefix = freshPrefix();
    const env = (id: string) => ({
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: prefix,
      MQTT_BRIDGE_URL: broker.url,
      MQTT_BRIDGE_SHARE_GROUP: group,
      MQTT_BRIDGE_CLIENT_ID: `${group}-${id}`,
    });
    const [a, b] = await Promise.all([startGateway(env('a')), startGateway(env('b'))]);
    await using _b = b;
    await Promise.all([a, b].map((gw) => bridgeState(gw, 'connected')));
    await using op = await watch(b, 'device.*.temperature');
    const dev = await publisher(broker.url);
    try {
      // No keys: only the acknowledgement discipline keeps these from being stored twice.
      await Promise.all(
        range(PER_DEVICE).flatMap((i) =>
          DEVICES.map((d) =>
            dev.publishAsync(`device/${d}/temperature`, JSON.stringify(reading(i)), { qos: 1 }),
          ),
        ),
      );
      await a.close(); // mid-stream: the rest of its share waits in its broker session
      await using again = await startGateway(env('a'));
      await bridgeState(again, 'connected');
      const got = byTopic(await op.messages(DEVICES.length * PER_DEVICE));
      for (const d of DEVICES) {
        const t = got.get(`device.${d}.temperature`)!;
        expect(t.seqs).toEqual(range(PER_DEVICE));
        expect([...t.values].sort((x, y) => x - y)).toEqual(range(PER_DEVICE));
      }
    } finally {
      await dev.endAsync();
    }
  });

  it('drops what can never be stored (acked, counted) and goes on with the stream', async () => {
    const gw = await startGateway({
      MQTT_BRIDGE_URL: broker.url,
      MQTT_BRIDGE_SHARE_GROUP: freshPrefix(),
      MQTT_BRIDGE_CLIENT_ID: freshPrefix(),
    });
    await using _gw = gw;
    await bridgeState(gw, 'connected');
    await using op = await watch(gw, 'device.bad1.temperature');
    const dev = await publisher(broker.url);
    try {
      await dev.publishAsync('device/bad1/temperature', 'not json', { qos: 1 });
      await dev.publishAsync('device/bad1/temperature', JSON.stringify({ nope: 1 }), { qos: 1 });
      await dev.publishAsync('device/bad1/temperature', JSON.stringify(reading(7)), { qos: 1 });
      const [m] = await op.messages(1);
      expect(m).toMatchObject({ seq: 1, payload: reading(7) });
      expect(await bridged(gw, 'refused')).toBe(2);
      expect(await gw.metrics()).toMatch(/^pulse_errors_total\{code="INVALID_PAYLOAD"\} 2$/m);
    } finally {
      await dev.endAsync();
    }
  });

  it('holds a device over its publish quota and stores the rest later, dropping nothing', async () => {
    const gw = await startGateway({
      PUBLISH_LIMITS: 'device=20/1', // 20 a second, no burst
      MQTT_BRIDGE_URL: broker.url,
      MQTT_BRIDGE_SHARE_GROUP: freshPrefix(),
      MQTT_BRIDGE_CLIENT_ID: freshPrefix(),
    });
    await using _gw = gw;
    await bridgeState(gw, 'connected');
    await using op = await watch(gw, 'device.q1.temperature');
    const dev = await publisher(broker.url);
    try {
      await Promise.all(
        range(10).map((i) =>
          dev.publishAsync('device/q1/temperature', JSON.stringify(reading(i)), { qos: 1 }),
        ),
      );
      const got = await op.messages(10);
      expect(got.map((m) => (m.payload as { value: number }).value)).toEqual(range(10));
      expect(await bridged(gw, 'throttled')).toBeGreaterThan(0);
      expect(await bridged(gw, 'stored')).toBe(10);
      expect(await bridged(gw, 'refused')).toBe(0);
    } finally {
      await dev.endAsync();
    }
  });

  it('keeps the gateway up and ready while the broker is unreachable; readiness says why', async () => {
    await using gw = await startGateway({
      MQTT_BRIDGE_URL: `mqtt://127.0.0.1:${await freePort()}`, // nothing listens there
    });
    const why = await bridgeState(gw, 'connecting');
    expect(why.reason).toMatch(/ECONNREFUSED/);
    const { status, body } = await ready(gw);
    expect(status).toBe(200); // reported, not gating
    expect(body).toMatchObject({ status: 'ready', mqttBridge: { state: 'connecting' } });
  });

  it('leaves a message unacked while the bus cannot store it, then stores it once', async () => {
    const gw = await startGateway({
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: freshPrefix(),
      REDIS_COMMAND_TIMEOUT_MS: '200',
      MQTT_BRIDGE_URL: broker.url,
      MQTT_BRIDGE_SHARE_GROUP: freshPrefix(),
      MQTT_BRIDGE_CLIENT_ID: freshPrefix(),
    });
    await using _gw = gw;
    await bridgeState(gw, 'connected');
    await using op = await watch(gw, 'device.u1.temperature');
    const dev = await publisher(broker.url);
    try {
      redis.pause();
      try {
        await dev.publishAsync('device/u1/temperature', JSON.stringify(reading(1)), {
          qos: 1,
          properties: { userProperties: { key: 'u1-1' } },
        });
        // Not stored (or not known to be): the bridge drops its session's connection so the
        // broker delivers the message again, and readiness says why.
        const down = await bridgeState(gw, 'reconnecting');
        expect(down.reason).toMatch(/bus/);
      } finally {
        redis.resume();
      }
      const [m] = await op.messages(1, undefined, 20_000);
      expect(m).toMatchObject({ seq: 1, payload: reading(1) });
      expect(await bridged(gw, 'unavailable')).toBeGreaterThan(0);
      await dev.publishAsync('device/u1/temperature', JSON.stringify(reading(2)), { qos: 1 });
      const [next] = await op.messages(1);
      expect(next).toMatchObject({ seq: 2, payload: reading(2) }); // the first was stored once
    } finally {
      await dev.endAsync();
    }
  }, 30_000);

  it('loses nothing the broker acknowledged when the broker restarts mid-stream; keyed messages are stored once', async () => {
    const [a, b] = await twoGateways(freshPrefix());
    await using _a = a!;
    await using _b = b!;
    await using op = await watch(a!, 'device.*.temperature');
    // The idempotency key (protocol §10.1): a redelivery after the restart is stored once.
    const send = (dev: MqttClient, d: string, i: number) =>
      dev.publishAsync(`device/${d}/temperature`, JSON.stringify(reading(i)), {
        qos: 1,
        properties: { userProperties: { key: `${d}-${i}` } },
      });
    const half = PER_DEVICE / 2;
    // Redis stalls first, so the gateways hold their first message unstored and everything
    // else waits, acknowledged to the device, in their broker sessions when the broker stops.
    redis.pause();
    const first = await publisher(broker.url);
    try {
      await Promise.all(range(half).flatMap((i) => DEVICES.map((d) => send(first, d, i))));
    } finally {
      await first.endAsync();
    }
    const storedBefore = (await bridged(a!, 'stored')) + (await bridged(b!, 'stored'));
    await broker.stop();
    await Promise.all([a, b].map((gw) => bridgeState(gw!, 'reconnecting')));
    redis.resume();
    await broker.start();
    // Mosquitto 2.0 does not persist shared subscriptions: what is published before the
    // gateways subscribe again has no subscriber (protocol §25.7). So the rest waits for them.
    await Promise.all([a, b].map((gw) => bridgeState(gw!, 'connected')));
    const second = await publisher(broker.url);
    try {
      await Promise.all(
        range(PER_DEVICE)
          .slice(half)
          .flatMap((i) => DEVICES.map((d) => send(second, d, i))),
      );
      const got = byTopic(await op.messages(DEVICES.length * PER_DEVICE, undefined, 20_000));
      for (const d of DEVICES) {
        const t = got.get(`device.${d}.temperature`)!;
        expect(t.seqs).toEqual(range(PER_DEVICE));
        expect([...t.values].sort((x, y) => x - y)).toEqual(range(PER_DEVICE));
      }
      expect(storedBefore).toBe(0); // the first half really was mid-stream at the restart
      // Each gateway's message in flight at the restart was stored, its PUBACK lost with the
      // connection, delivered again from the session, and known by its key: stored once.
      const repeats = async (gw: GatewayResource) =>
        Number(/^pulse_publish_repeats_total (\d+)/m.exec(await gw.metrics())?.[1]);
      expect((await repeats(a!)) + (await repeats(b!))).toBe(2);
    } finally {
      await second.endAsync();
    }
  }, 40_000);
});
