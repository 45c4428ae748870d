import { describe, expect, it } from 'vitest';
import { reading } from '../fixtures.js';
import { BUSES, gatewaysOn, type GatewayResource } from '../gateway-resource.js';
import { type TestSocket } from '../test-socket.js';
import { closed, connect, watch } from './mqtt-client.js';
import { RawMqtt } from './raw-client.js';

/** An operator watching every device's presence from now on. */
async function presence(gw: GatewayResource): Promise<TestSocket> {
  return watch(gw, 'presence.*');
}

describe.each(BUSES)('MQTT presence (%s bus)', (bus) => {
  const startGateway = gatewaysOn(bus);

  it('is online on CONNECT and offline on DISCONNECT, with transport "mqtt"', async () => {
    await using gw = await startGateway();
    await using op = await presence(gw);
    const client = await connect(gw.mqttUrl, 5, await gw.token('device', 'm1'));
    expect((await op.messages(1))[0]).toMatchObject({
      topic: 'presence.m1',
      payload: { deviceId: 'm1', online: true, transport: 'mqtt' },
    });
    await client.endAsync();
    expect((await op.messages(1))[0]).toMatchObject({
      topic: 'presence.m1',
      payload: { deviceId: 'm1', online: false, transport: 'mqtt' },
    });
  });

  it('is offline when the keep-alive runs out (MQTT 5: DISCONNECT 0x8D)', async () => {
    await using gw = await startGateway();
    await using op = await presence(gw);
    const silent = await RawMqtt.open(gw.mqttPort!, 5, await gw.token('device', 'm2'), {
      keepalive: 1,
    });
    await using _ = silent;
    expect((await op.messages(1))[0]).toMatchObject({ payload: { online: true } });
    const started = Date.now();
    const disconnect = await silent.next('disconnect', () => true, 5000);
    expect(disconnect.reasonCode).toBe(0x8d);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect((await op.messages(1))[0]).toMatchObject({
      topic: 'presence.m2',
      payload: { online: false, transport: 'mqtt' },
    });
  });

  it('publishes the will when the connection drops without DISCONNECT, and goes offline', async () => {
    await using gw = await startGateway({ TOPIC_POLICIES: 'none' });
    await using op = await presence(gw);
    await using status = await watch(gw, 'device.m3.status');
    const will = { topic: 'device/m3/status', payload: Buffer.from(JSON.stringify(reading(0))) };
    const dropped = await RawMqtt.open(gw.mqttPort!, 4, await gw.token('device', 'm3'), {
      will: { ...will, qos: 1, retain: true },
    });
    expect((await op.messages(1))[0]).toMatchObject({ payload: { online: true } });
    dropped.socket.destroy(); // no DISCONNECT: the network went away
    expect((await status.messages(1))[0]).toMatchObject({
      topic: 'device.m3.status',
      payload: reading(0),
    });
    expect((await op.messages(1))[0]).toMatchObject({ payload: { online: false } });

    // A clean DISCONNECT discards the will.
    const polite = await connect(gw.mqttUrl, 4, await gw.token('device', 'm3'), {
      will: { ...will, qos: 0, retain: false },
    });
    expect((await op.messages(1))[0]).toMatchObject({ payload: { online: true } });
    await polite.endAsync();
    expect((await op.messages(1))[0]).toMatchObject({ payload: { online: false } });
    await new Promise((r) => setTimeout(r, 100));
    expect(status.frames.filter((f) => f.type === 'message')).toHaveLength(0);
  });

  it('refuses a will the device may not publish, and counts it', async () => {
    await using gw = await startGateway();
    const sneaky = await connect(gw.mqttUrl, 5, await gw.token('device', 'm4'), {
      will: {
        topic: 'device/other/status',
        payload: Buffer.from(JSON.stringify(reading(1))),
        qos: 0,
        retain: false,
      },
    });
    const gone = closed(sneaky);
    (sneaky as unknown as { stream: { destroy(): void } }).stream.destroy();
    await gone;
    await expect.poll(() => gw.metrics()).toMatch(/pulse_errors_total\{code="FORBIDDEN"\} 1/);
  });
});
