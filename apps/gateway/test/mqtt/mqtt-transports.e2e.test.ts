import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { reading } from '../fixtures.js';
import { startGateway } from '../gateway-resource.js';
import { closed, connect, VERSIONS, watch } from './mqtt-client.js';

const run = promisify(execFile);

describe.each(VERSIONS)('MQTT over WebSocket at /mqtt (protocol version %i)', (version) => {
  it('authenticates and publishes like the TCP listener', async () => {
    await using gw = await startGateway();
    await using op = await watch(gw, 'device.d1.temperature');
    const url = `${gw.wsUrl.replace(/\/ws$/, '')}/mqtt`;
    const client = await connect(url, version, await gw.token('device', 'd1'));
    await client.publishAsync('device/d1/temperature', JSON.stringify(reading(1)), { qos: 1 });
    expect(await op.messages(1)).toMatchObject([{ seq: 1, payload: reading(1) }]);
    const gone = closed(client);
    await client.endAsync();
    await gone;
  });

  it('serves /mqtt with MQTT_PORT=off too', async () => {
    await using gw = await startGateway({ MQTT_PORT: 'off' });
    const url = `${gw.wsUrl.replace(/\/ws$/, '')}/mqtt`;
    const client = await connect(url, version, await gw.token('device', 'd1'));
    await client.endAsync();
  });
});

/** Debian's mosquitto-clients; CI installs them (`.ci/run`), elsewhere the test says it skipped. */
const mosquitto = spawnSync('mosquitto_pub', ['--help']).error === undefined;
if (!mosquitto && process.env.CI)
  throw new Error('mosquitto_pub missing in CI (.ci/run installs it)');

describe.skipIf(!mosquitto)('mosquitto_pub (skipped: mosquitto_pub not installed)', () => {
  it.each(['mqttv311', 'mqttv5'])('publishes QoS 1 with %s', async (protocol) => {
    await using gw = await startGateway();
    await using op = await watch(gw, 'device.d7.temperature');
    const token = await gw.token('device', 'd7');
    // Async: the gateway under test runs in this process and must keep serving meanwhile.
    await run('mosquitto_pub', [
      ...['-h', '127.0.0.1', '-p', String(gw.mqttPort), '-V', protocol, '-q', '1'],
      ...['-i', 'd7-cli', '-u', 'd7', '-P', token],
      ...['-t', 'device/d7/temperature', '-m', JSON.stringify(reading(5))],
    ]);
    expect(await op.messages(1)).toMatchObject([{ seq: 1, payload: reading(5) }]);
  });

  it('exits non-zero on a refused token', async () => {
    await using gw = await startGateway();
    await expect(
      run('mosquitto_pub', [
        ...['-h', '127.0.0.1', '-p', String(gw.mqttPort), '-V', 'mqttv5', '-P', 'forged'],
        ...['-t', 'device/d7/temperature', '-m', '{}'],
      ]),
    ).rejects.toThrow();
  });
});
