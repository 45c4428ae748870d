import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistoryService } from '../../src/history/history.service.js';
import { freshPrefix, startGateway, type GatewayResource } from '../gateway-resource.js';
import { startRedis, type RedisServer } from '../redis/redis-server.js';
import { TestSocket } from '../test-socket.js';
import { flushed, publishAll } from './history-client.js';
import { startPostgres, type PostgresServer } from './postgres-server.js';

const readings = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({
    value: from + i,
    unit: 'C',
    ts: Date.now() - 60_000 + from + i,
  }));

/** Resolves when the gateway's history writer reaches `state` (checked on each flush attempt). */
async function until(
  gw: GatewayResource,
  done: (s: ReturnType<HistoryService['status']>) => boolean,
) {
  const history = gw.app.get(HistoryService);
  const deadline = Date.now() + 10_000;
  while (!done(history.status())) {
    if (Date.now() > deadline)
      throw new Error(`history stuck: ${JSON.stringify(history.status())}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Rows per topic: total, distinct messages, and what the 1-minute rollups counted. */
async function stored(pgs: PostgresServer, topic: string) {
  const [raw] = await pgs.query<{ n: number; distinct: number }>(
    'SELECT count(*)::int AS n, count(DISTINCT (epoch, seq))::int AS distinct FROM history_raw WHERE topic = $1',
    [topic],
  );
  const [rolled] = await pgs.query<{ n: number }>(
    'SELECT coalesce(sum(count), 0)::int AS n FROM history_1m WHERE topic = $1',
    [topic],
  );
  return { ...raw, rolled: rolled!.n };
}

describe('history on PostgreSQL, with faults', () => {
  let pgs: PostgresServer;
  let redis: RedisServer;
  beforeAll(async () => {
    [pgs, redis] = await Promise.all([startPostgres(), startRedis()]);
  }, 30_000);
  afterAll(async () => {
    await pgs?.destroy();
    await redis?.stop();
  });

  it('buffers while the database is down, never failing a publish, then writes everything once', async () => {
    await using gw = await startGateway({
      HISTORY: 'on',
      DATABASE_URL: pgs.url,
      HISTORY_FLUSH_MS: '50',
    });
    const device = await gw.token('device', 'd1');
    await publishAll(gw, device, 'device.d1.a', readings(20));
    await flushed(gw);
    expect(await stored(pgs, 'device.d1.a')).toEqual({ n: 20, distinct: 20, rolled: 20 });

    await pgs.stop();
    // Acks go on while the store is away; the points wait in the buffer.
    await publishAll(gw, device, 'device.d1.a', readings(30, 20));
    await until(gw, (s) => s.state === 'down' && s.buffered === 30);
    const ready = await fetch(`${gw.httpUrl}/health/ready`);
    expect(ready.status).toBe(200); // a history outage does not take live traffic away
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      history: { state: 'down', engine: 'postgres', buffered: 30 },
    });
    const during = await fetch(`${gw.httpUrl}/history?topic=device.d1.a&from=0`, {
      headers: { authorization: `Bearer ${await gw.token('operator', 'op')}` },
    });
    expect(during.status).toBe(503);
    expect(await during.json()).toMatchObject({ code: 'UNAVAILABLE' });

    await pgs.start();
    await flushed(gw);
    expect(gw.app.get(HistoryService).status()).toEqual({
      state: 'up',
      engine: 'postgres',
      buffered: 0,
    });
    expect(await stored(pgs, 'device.d1.a')).toEqual({ n: 50, distinct: 50, rolled: 50 });
    const metrics = await gw.metrics();
    expect(metrics).toMatch(/pulse_history_written_points_total 50/);
    expect(metrics).not.toMatch(/pulse_history_dropped_points_total\{/);
  });

  it('starts with the database down, and past HISTORY_BUFFER_MAX drops the oldest, counted', async () => {
    await pgs.stop();
    await using gw = await startGateway({
      HISTORY: 'on',
      DATABASE_URL: pgs.url,
      HISTORY_FLUSH_MS: '50',
      HISTORY_BUFFER_MAX: '10',
    });
    expect((await fetch(`${gw.httpUrl}/health/ready`)).status).toBe(200);
    await publishAll(gw, await gw.token('device', 'd2'), 'device.d2.a', readings(25));
    await until(gw, (s) => s.state === 'down' && s.buffered === 10);
    expect(await gw.metrics()).toMatch(
      /pulse_history_dropped_points_total\{reason="buffer_full"\} 15/,
    );
    await pgs.start();
    await flushed(gw);
    // The newest ten: values 15..24.
    const rows = await pgs.query<{ v: number }>(
      "SELECT value AS v FROM history_raw WHERE topic = 'device.d2.a' ORDER BY seq",
    );
    expect(rows.map((r) => r.v)).toEqual(readings(10, 15).map((r) => r.value));
  });

  it('two gateways on one Redis and one PostgreSQL write each message once', async () => {
    const env = {
      HISTORY: 'on',
      DATABASE_URL: pgs.url,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: freshPrefix(),
    };
    await using a = await startGateway({ ...env, SERVER_ID: 'gw-a' });
    await using b = await startGateway({ ...env, SERVER_ID: 'gw-b' });
    // Both deliver every message of the topic to a subscriber of their own; each records only
    // what it accepted (and the store would refuse a second copy anyway: ON CONFLICT).
    const watchers = [];
    for (const gw of [a, b]) {
      const op = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
      op.send({ type: 'subscribe', id: 1, topic: 'device.d3.a', history: 0 });
      await op.next('subscribed');
      watchers.push(op);
    }
    const topic = 'device.d3.a';
    const ta = await a.token('device', 'd3');
    const tb = await b.token('device', 'd3');
    const seqs: number[] = [];
    for (let i = 0; i < 20; i++)
      seqs.push(...(await publishAll(i % 2 ? b : a, i % 2 ? tb : ta, topic, readings(1, i))));
    expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    for (const op of watchers) expect(await op.messages(20)).toHaveLength(20);
    await Promise.all([flushed(a), flushed(b)]);
    expect(await stored(pgs, topic)).toEqual({ n: 20, distinct: 20, rolled: 20 });
    for (const gw of [a, b])
      expect(await gw.metrics()).toMatch(/pulse_history_written_points_total 10\n/);
    for (const op of watchers) op.close();
  });
});
