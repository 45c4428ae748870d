import { PulseClient, type StatusEvent } from '@pulse/client';
import type { SensorReading, TopicMessage } from '@pulse/protocol';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Connections } from '../src/ws/connections.js';
import { startGateway, type GatewayResource } from './gateway-resource.js';

const reading = (value: number): SensorReading => ({ value, unit: 'C', ts: Date.now() });

function client(
  gw: GatewayResource,
  role: 'operator' | 'device',
  sub: string,
  codec: 'json' | 'msgpack' = 'json',
) {
  return new PulseClient({
    url: gw.wsUrl,
    token: () => gw.token(role, sub),
    codec,
    WebSocket,
    backoff: () => 10,
  });
}

function until<T>(pred: () => T | undefined, what: string, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = () => {
      const v = pred();
      if (v !== undefined && v !== false) return resolve(v);
      if (Date.now() - started > timeoutMs)
        return reject(new Error(`timed out waiting for ${what}`));
      setImmediate(check);
    };
    check();
  });
}

describe.each(['json', 'msgpack'] as const)(
  'the real client against the real gateway (%s)',
  (codec) => {
    it('resumes after the gateway drops it: every message once, in order', async () => {
      await using gw = await startGateway();
      const operator = client(gw, 'operator', 'op', codec);
      const device = client(gw, 'device', 'd1', codec);
      const statuses: StatusEvent['status'][] = [];
      operator.on('status', (e) => statuses.push(e.status));
      const resumed: boolean[] = [];
      operator.on('resumed', (e) => resumed.push(e.recovered));
      const got: TopicMessage<SensorReading>[] = [];
      operator.subscribe('device.*.temperature', (m) => got.push(m), { history: 0 });
      operator.connect();
      device.connect();
      await until(
        () => operator.status === 'connected' && device.status === 'connected',
        'both connected',
      );

      for (let i = 1; i <= 20; i++)
        await device.publish('device.d1.temperature', reading(i), { ack: true });
      await until(() => got.length === 20, '20 messages');

      // The gateway drops the operator's socket; the device keeps publishing meanwhile.
      const connections = gw.app.get(Connections);
      for (const c of connections.all) if (c.principal.subject === 'op') c.sink.terminate();
      const during = [];
      for (let i = 21; i <= 40; i++)
        during.push(device.publish('device.d1.temperature', reading(i), { ack: true }));
      await Promise.all(during);
      await until(() => got.length >= 40, 'the missed messages after resume');
      for (let i = 41; i <= 45; i++)
        await device.publish('device.d1.temperature', reading(i), { ack: true });
      await until(() => got.length >= 45, 'live messages after resume');

      expect(got.map((m) => m.seq)).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
      expect(got.map((m) => m.payload.value)).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
      expect(statuses).toContain('reconnecting');
      expect(statuses.at(-1)).toBe('connected');
      expect(resumed).toEqual([true]);
      operator.close();
      device.close();
    });

    it('surfaces a refused publish as a typed error with the documented code', async () => {
      await using gw = await startGateway();
      const device = client(gw, 'device', 'd1', codec);
      device.connect();
      await expect(
        device.publish('device.d2.temperature', reading(1), { ack: true }),
      ).rejects.toMatchObject({ code: 'FORBIDDEN' });
      device.close();
    });
  },
);

describe('a token the gateway refuses', () => {
  it('stops the client with UNAUTHORIZED instead of retrying forever, WebSocket or not', async () => {
    await using gw = await startGateway();
    // The upgrade's 401 reaches a WebSocket as 1006 (browsers show no status): after
    // `fallbackAfter` such attempts the client asks over HTTP (SSE), where the 401 is visible.
    const refused = new PulseClient({
      url: gw.wsUrl,
      token: 'not-a-token-this-gateway-signed',
      WebSocket,
      backoff: () => 10,
    });
    const statuses: StatusEvent[] = [];
    refused.on('status', (e) => statuses.push(e));
    refused.connect();
    const last = await until(
      () => statuses.find((e) => e.status === 'disconnected'),
      'the client to give up',
    );
    expect(last).toMatchObject({ status: 'disconnected', closeCode: 4001 });
    expect(statuses.filter((e) => e.status === 'reconnecting').length).toBeLessThanOrEqual(4);
    refused.close();
  });
});
