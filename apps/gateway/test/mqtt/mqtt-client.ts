import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { GatewayResource } from '../gateway-resource.js';
import { TestSocket } from '../test-socket.js';

export type Version = 4 | 5;
export const VERSIONS: readonly Version[] = [4, 5];

/** An mqtt.js client that never reconnects, so a test sees each refusal exactly once. */
export function connect(
  url: string,
  version: Version,
  password: string | undefined,
  extra: IClientOptions = {},
): Promise<MqttClient> {
  return mqtt.connectAsync(url, {
    protocolVersion: version,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    clientId: `t-${Math.random().toString(36).slice(2, 10)}`,
    ...(password === undefined ? {} : { username: 'ignored', password }),
    ...extra,
  });
}

/** Why the gateway refused a connect: the CONNACK code mqtt.js reports. */
export async function refusal(promise: Promise<MqttClient>): Promise<number> {
  try {
    const client = await promise;
    await client.endAsync();
  } catch (err) {
    return (err as { code: number }).code;
  }
  throw new Error('connect was accepted');
}

/** Resolves when the client's connection is closed, with the DISCONNECT reason if one came. */
export function closed(client: MqttClient): Promise<number | undefined> {
  return new Promise((resolve) => {
    let reason: number | undefined;
    client.on('disconnect', (packet) => (reason = packet.reasonCode));
    client.once('close', () => resolve(reason));
  });
}

/** A WebSocket subscriber on `topic`, past its `subscribed` reply. */
export async function watch(gw: GatewayResource, topic: string): Promise<TestSocket> {
  const s = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
  s.send({ type: 'subscribe', id: 1, topic, history: 0 });
  await s.next('subscribed');
  return s;
}
