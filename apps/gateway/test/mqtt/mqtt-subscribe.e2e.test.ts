import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { reading, tick } from '../fixtures.js';
import { startGateway, type GatewayResource } from '../gateway-resource.js';
import { TestSocket } from '../test-socket.js';
import { connect, VERSIONS } from './mqtt-client.js';
import { RawMqtt } from './raw-client.js';
import { MqttPeers } from '../../src/mqtt/mqtt-peers.js';

/** A WebSocket device that publishes readings and waits for each ack. */
async function device(gw: GatewayResource, id: string): Promise<TestSocket> {
  return TestSocket.connect(gw.wsUrl, await gw.token('device', id));
}

const run = promisify(execFile);

/** The default topic policies throttle; most tests here want every update. */
const NO_THROTTLE = { TOPIC_POLICIES: 'none' };

let ids = 0;
async function publish(dev: TestSocket, topic: string, payload: unknown): Promise<number> {
  const id = ++ids;
  dev.send({ type: 'publish', id, topic, payload });
  return (await dev.next('ack', (f) => f.id === id)).seq!;
}

describe.each(VERSIONS)('MQTT subscribe (protocol version %i)', (version) => {
  it('maps + to *, sends the latest value retained first, then live updates as the family JSON', async () => {
    await using gw = await startGateway(NO_THROTTLE);
    await using dev = await device(gw, 'd1');
    await publish(dev, 'device.d1.temperature', reading(1));
    await publish(dev, 'device.d1.temperature', reading(2));
    await using sub = await RawMqtt.open(gw.mqttPort!, version, await gw.token('operator', 'op'));
    // QoS 1 asked, QoS 0 granted: deliveries are QoS 0 only.
    expect(await sub.subscribe(['device/+/temperature'], { qos: 1 })).toEqual([0]);
    expect(await sub.publishCount(1)).toEqual([['device/d1/temperature', reading(2), true]]);
    await publish(dev, 'device.d1.temperature', reading(3));
    await publish(dev, 'device.d1.humidity', reading(4)); // not matched
    await publish(dev, 'device.d1.temperature', reading(5));
    expect(await sub.publishCount(3)).toEqual([
      ['device/d1/temperature', reading(2), true],
      ['device/d1/temperature', reading(3), false],
      ['device/d1/temperature', reading(5), false],
    ]);
    expect(sub.packets.filter((p) => p.cmd === 'publish').every((p) => p.qos === 0)).toBe(true);
  });

  it('works for mqtt.js: subscribe, receive, unsubscribe', async () => {
    await using gw = await startGateway(NO_THROTTLE);
    await using feed = await TestSocket.connect(gw.wsUrl, await gw.token('feed', 'f'));
    const client = await connect(gw.mqttUrl, version, await gw.token('operator', 'op'));
    const got: [string, unknown][] = [];
    client.on('message', (topic, payload) => got.push([topic, JSON.parse(payload.toString())]));
    await client.subscribeAsync('price/+');
    await publish(feed, 'price.BTC', tick(10));
    await expect.poll(() => got).toEqual([['price/BTC', tick(10)]]);
    await client.unsubscribeAsync('price/+');
    await publish(feed, 'price.BTC', tick(11));
    await new Promise((r) => setTimeout(r, 100));
    expect(got).toHaveLength(1);
    client.end(true);
  });

  it('refuses # and $ filters, $share, filters with no Pulse pattern, ACL and budget refusals; the session goes on', async () => {
    await using gw = await startGateway({ ...NO_THROTTLE, MAX_SUBSCRIPTIONS: '2' });
    const token = await gw.token('operator', 'op', 3600, ['price.*', 'device.d1.*']);
    await using sub = await RawMqtt.open(gw.mqttPort!, version, token);
    const codes = await sub.subscribe([
      '#',
      'device/#',
      '$SYS/#',
      '$share/g/device/+/temperature',
      'device/+/+', // two wildcards: no Pulse pattern
      'device/d.1/t', // a dot cannot map
      'device/d2/temperature', // outside the allow-list
      'price/+',
      'device/d1/+',
      'price/BTC', // a third subscription: over MAX_SUBSCRIPTIONS
    ]);
    const F = version === 5 ? 0x8f : 0x80;
    const SHARE = version === 5 ? 0x9e : 0x80;
    const ACL = version === 5 ? 0x87 : 0x80;
    const QUOTA = version === 5 ? 0x97 : 0x80;
    expect(codes).toEqual([F, F, F, SHARE, F, F, ACL, 0, 0, QUOTA]);
    // Still connected and subscribed.
    await using feed = await TestSocket.connect(gw.wsUrl, await gw.token('feed', 'f'));
    await publish(feed, 'price.ETH', tick(1));
    expect(await sub.publishCount(1)).toEqual([['price/ETH', tick(1), false]]);
    expect(await gw.metrics()).toMatch(/pulse_errors_total\{code="FORBIDDEN"\} 1/);
  });

  it('answers UNSUBSCRIBE per filter (MQTT 5: 0x11 when there was none) and stops delivering', async () => {
    await using gw = await startGateway(NO_THROTTLE);
    await using sub = await RawMqtt.open(gw.mqttPort!, version, await gw.token('operator', 'op'));
    expect(await sub.subscribe(['price/A', 'price/B'])).toEqual([0, 0]);
    const codes = await sub.unsubscribe(['price/A', 'price/C', '#']);
    expect(codes).toEqual(version === 5 ? [0, 0x11, 0x8f] : []);
    await using feed = await TestSocket.connect(gw.wsUrl, await gw.token('feed', 'f'));
    await publish(feed, 'price.A', tick(1));
    await publish(feed, 'price.B', tick(2));
    expect(await sub.publishCount(1)).toEqual([['price/B', tick(2), false]]);
    await new Promise((r) => setTimeout(r, 50));
    expect(sub.publishes()).toHaveLength(1);
  });

  it('passes through the per-topic throttle of the topic policy, like a WebSocket subscriber', async () => {
    await using gw = await startGateway({ TOPIC_POLICIES: 'price.*=4:conflate' });
    await using sub = await RawMqtt.open(gw.mqttPort!, version, await gw.token('operator', 'op'));
    expect(await sub.subscribe(['price/T'], { rh: 2 })).toEqual([0]);
    await using feed = await TestSocket.connect(gw.wsUrl, await gw.token('feed', 'f'));
    const started = Date.now();
    for (let i = 1; i <= 40; i++) await publish(feed, 'price.T', tick(i));
    const elapsed = Date.now() - started;
    // Conflated to at most 4 per second: the last value always arrives.
    await expect.poll(() => sub.publishes().at(-1)?.[1], { timeout: 3000 }).toEqual(tick(40));
    const n = sub.publishes().length;
    expect(n).toBeLessThan(40);
    expect(n).toBeLessThanOrEqual(Math.ceil((elapsed + 1000) / 250) + 1);
  });
});

describe('MQTT slow subscriber', () => {
  it('is disconnected for being slow (close 4100, as a WebSocket) and its buffers are freed', async () => {
    await using gw = await startGateway({
      SLOW_SOFT_BYTES: '4096',
      SLOW_HARD_BYTES: '65536',
      SLOW_MAX_MS: '60000',
      BATCH_WINDOW_MS: '50',
      PUBLISH_LIMITS: 'feed=1000000/1000000',
      TOPIC_POLICIES: 'none',
    });
    await using stalled = await RawMqtt.open(gw.mqttPort!, 5, await gw.token('operator', 'st'));
    expect(await stalled.subscribe(['price/+'])).toEqual([0]);
    stalled.socket.pause(); // reads nothing more: the kernel buffers fill, then the gateway's
    await using feed = await TestSocket.connect(gw.wsUrl, await gw.token('feed', 'f'));
    const slowCloses = async () =>
      Number(/pulse_slow_consumer_closes_total (\d+)/.exec(await gw.metrics())?.[1] ?? 0);
    let sent = 0;
    for (let round = 0; round < 60 && (await slowCloses()) === 0; round++) {
      for (let i = 0; i < 2000; i++)
        feed.send({ type: 'publish', topic: `price.S${i % 50}`, payload: tick(++sent + 0.5) });
      await publish(feed, 'price.S0', tick(++sent));
    }
    expect(await slowCloses()).toBe(1);
    expect(await gw.metrics()).toMatch(/pulse_closes_total\{code="4100"\} 1/);
    expect(gw.app.get(MqttPeers).all.size).toBe(0);
    stalled.socket.resume();
    await stalled.closed;
    // The DISCONNECT sits behind what the peer never read; when it gets through, it says 0x97.
    for (const p of stalled.packets) if (p.cmd === 'disconnect') expect(p.reasonCode).toBe(0x97);
  }, 40_000);
});

/** Debian's mosquitto-clients; CI installs them (`.ci/run`), elsewhere the test says it skipped. */
const mosquitto = spawnSync('mosquitto_sub', ['--help']).error === undefined;

describe.skipIf(!mosquitto)('mosquitto_sub (skipped: mosquitto_sub not installed)', () => {
  it.each(['mqttv311', 'mqttv5'])(
    'gets the latest value, then live updates, with %s',
    async (protocol) => {
      await using gw = await startGateway(NO_THROTTLE);
      await using dev = await device(gw, 'd7');
      await publish(dev, 'device.d7.temperature', reading(1));
      const token = await gw.token('operator', 'op');
      // Async: the gateway under test runs in this process and must keep serving meanwhile.
      const sub = run('mosquitto_sub', [
        ...['-h', '127.0.0.1', '-p', String(gw.mqttPort), '-V', protocol],
        ...['-u', 'op', '-P', token, '-t', 'device/+/temperature', '-C', '2', '-v', '-W', '10'],
      ]);
      // The retained latest value arrives first; publish the live one once it is subscribed.
      // Registered (history may still be read): a publish from now on is delivered after it.
      const subscribed = () => [...gw.app.get(MqttPeers).all].some((p) => p.subscriptions.size);
      await expect.poll(subscribed).toBe(true);
      await publish(dev, 'device.d7.temperature', reading(2));
      const { stdout } = await sub;
      expect(stdout.trim().split('\n')).toEqual([
        `device/d7/temperature ${JSON.stringify(reading(1))}`,
        `device/d7/temperature ${JSON.stringify(reading(2))}`,
      ]);
    },
  );
});
