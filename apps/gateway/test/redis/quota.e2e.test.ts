import { describe, expect, it } from 'vitest';
import { SHARED_QUOTA } from '../../src/ingest/shared-quota.js';
import type { RedisQuota } from '../../src/ingest/redis-quota.js';
import { freshPrefix, gatewaysOn } from '../gateway-resource.js';
import { TestSocket } from '../test-socket.js';

const reading = (value: number) => ({ value, unit: 'C', ts: 1_700_000_000_000 });

describe('publish quotas across instances (redis)', () => {
  const start = gatewaysOn('redis');

  it('a device spreading its publishes over two gateways is held to one quota', async () => {
    const env = { REDIS_KEY_PREFIX: freshPrefix(), PUBLISH_LIMITS: 'device=20/100' };
    await using a = await start({ ...env, SERVER_ID: 'gw-a' });
    await using b = await start({ ...env, SERVER_ID: 'gw-b' });
    await using onA = await TestSocket.connect(a.wsUrl, await a.token('device', 'd1'));
    await using onB = await TestSocket.connect(b.wsUrl, await b.token('device', 'd1'));
    // Each instance's local bucket alone would take 100 (its burst) of these 150: 200 in all.
    // Rounds of 15 per instance, with the instances' periodic sync forced between rounds.
    const quotas = [a, b].map((gw) => gw.app.get<RedisQuota>(SHARED_QUOTA));
    let id = 0;
    let accepted = 0;
    const refusals: { code: string; retryAfterMs?: number }[] = [];
    for (let round = 0; round < 10; round++) {
      for (const s of [onA, onB]) {
        const ids = Array.from({ length: 15 }, () => ++id);
        for (const i of ids)
          s.send({ type: 'publish', id: i, topic: 'device.d1.temperature', payload: reading(i) });
        for (const i of ids) {
          const answer = await s.next(
            (f) => (f.type === 'ack' || f.type === 'error') && ('id' in f ? f.id : f.ref) === i,
          );
          if (answer.type === 'ack') accepted += 1;
          else refusals.push(answer as { code: string; retryAfterMs?: number });
        }
      }
      await Promise.all(quotas.map((q) => q.sync()));
    }
    // Held near the shared allowance (20/s + 100), not the 200 two local buckets allow.
    expect(accepted).toBeGreaterThanOrEqual(100);
    expect(accepted).toBeLessThanOrEqual(20 * 2 + 100 + 30);
    expect(refusals.length).toBe(300 - accepted);
    expect(refusals.every((r) => r.code === 'RATE_LIMITED' && (r.retryAfterMs ?? 0) > 0)).toBe(
      true,
    );

    // Another device is not affected.
    await using other = await TestSocket.connect(a.wsUrl, await a.token('device', 'd2'));
    other.send({ type: 'publish', id: 1, topic: 'device.d2.temperature', payload: reading(1) });
    expect(await other.next('ack')).toMatchObject({ id: 1 });
  });
});
