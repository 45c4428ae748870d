import { createConnection, createServer, type AddressInfo } from 'node:net';
import { generate } from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/load-config.js';
import { MqttServer } from '../../src/mqtt/mqtt-server.js';
import { reading } from '../fixtures.js';
import { startGateway, type GatewayResource } from '../gateway-resource.js';
import { TestSocket } from '../test-socket.js';
import { closed, connect, refusal } from './mqtt-client.js';

describe('MQTT CONNECT', () => {
  let gw: GatewayResource;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw.close());

  it('accepts a valid token as the password, on 3.1.1 and 5', async () => {
    for (const version of [4, 5] as const) {
      const client = await connect(gw.mqttUrl, version, await gw.token('device', 'd1'));
      expect(client.connected).toBe(true);
      await client.endAsync();
    }
  });

  it('refuses a missing, bad or expired token: 3.1.1 rc 5; 5: 0x86, or 0x87 when expired', async () => {
    const expired = await gw.token('device', 'd1', -10);
    const forged = (await gw.token('device', 'd1')).slice(0, -4) + 'AAAA';
    expect(await refusal(connect(gw.mqttUrl, 4, undefined))).toBe(5);
    expect(await refusal(connect(gw.mqttUrl, 4, forged))).toBe(5);
    expect(await refusal(connect(gw.mqttUrl, 4, expired))).toBe(5);
    expect(await refusal(connect(gw.mqttUrl, 5, undefined))).toBe(0x86);
    expect(await refusal(connect(gw.mqttUrl, 5, forged))).toBe(0x86);
    expect(await refusal(connect(gw.mqttUrl, 5, expired))).toBe(0x87);
  });

  it('reads no publish sent behind a refused CONNECT, even in the same TCP segment', async () => {
    const socket = createConnection(gw.mqttPort!, '127.0.0.1');
    const bytes: Buffer[] = [];
    socket.on('data', (b: Buffer) => bytes.push(b));
    const ended = new Promise((r) => socket.once('close', r));
    socket.write(
      Buffer.concat([
        generate({
          cmd: 'connect',
          clientId: 'x',
          protocolVersion: 4,
          username: 'd1',
          password: Buffer.from('forged'),
        }),
        generate({
          cmd: 'publish',
          topic: 'device/d1/temperature',
          payload: JSON.stringify(reading(1)),
          qos: 0,
          retain: false,
          dup: false,
        }),
      ]),
    );
    await ended;
    // CONNACK (0x20, length 2, no session, return code 5) and nothing else.
    expect([...Buffer.concat(bytes)]).toEqual([0x20, 2, 0, 5]);
    await using op = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
    op.send({ type: 'subscribe', id: 1, topic: 'device.d1.temperature', history: 0 });
    expect(await op.next('subscribed')).toMatchObject({ seq: 0 });
  });

  it('closes a connection whose first packet is not CONNECT', async () => {
    const socket = createConnection(gw.mqttPort!, '127.0.0.1');
    const ended = new Promise((r) => socket.once('close', r));
    socket.write(generate({ cmd: 'pingreq' }));
    await ended;
  });

  it('answers garbage with a close, and keeps serving', async () => {
    const socket = createConnection(gw.mqttPort!, '127.0.0.1');
    const ended = new Promise((r) => socket.once('close', r));
    socket.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
    await ended;
    const client = await connect(gw.mqttUrl, 4, await gw.token('device', 'd1'));
    await client.endAsync();
  });

  it('answers PINGREQ and ends on DISCONNECT', async () => {
    const client = await connect(gw.mqttUrl, 5, await gw.token('device', 'd1'), { keepalive: 1 });
    await new Promise((r) => setTimeout(r, 1600)); // at least one ping went by
    expect(client.connected).toBe(true);
    const gone = closed(client);
    await client.endAsync();
    await gone;
  });

  it('ends the session when its token expires (MQTT 5: DISCONNECT 0x87)', async () => {
    const client = await connect(gw.mqttUrl, 5, await gw.token('device', 'd1', 1));
    expect(await closed(client)).toBe(0x87);
    client.end(true);
  });

  it('binds MQTT like HTTP: to HOST', () => {
    expect(gw.app.get(MqttServer).address).toMatchObject({ address: '127.0.0.1' });
  });
});

describe('MQTT_PORT=off', () => {
  it('starts no MQTT listener', async () => {
    await using gw = await startGateway({ MQTT_PORT: 'off' });
    expect(gw.mqttPort).toBeUndefined();
  });
});

describe('a taken MQTT port', () => {
  it('set on purpose: the start fails with a message naming MQTT_PORT', async () => {
    await using held = await holdPort(0);
    const err = await startGateway({ MQTT_PORT: String(held.port) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect(String(err)).toMatch(/MQTT_PORT/);
  });

  it('the default 1883 (often a Mosquitto already): the gateway starts without the TCP listener', async () => {
    // Whoever holds 1883 (this machine's Mosquitto, or this test), it is taken meanwhile.
    await using _held = await holdPort(1883).catch(() => ({ async [Symbol.asyncDispose]() {} }));
    await using gw = await startGateway({ MQTT_PORT: '' });
    expect(gw.mqttPort).toBeUndefined();
    const res = await fetch(`${gw.httpUrl}/health/ready`);
    expect(res.status).toBe(200);
  });
});

/** Listens on `port` of 127.0.0.1 until disposed. */
async function holdPort(port: number): Promise<{ port: number } & AsyncDisposable> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    [Symbol.asyncDispose]: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
