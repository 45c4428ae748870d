import { HISTORY_RAW_MAX_SPAN_MS } from '@pulse/protocol';
import { describe, expect, it } from 'vitest';
import { startGateway } from '../gateway-resource.js';
import { flushed, history, ok, okRaw, publishAll, tempDataDir } from './history-client.js';

const MIN = 60_000;
/** A whole hour a day ago, so every minute of it is in the raw and rollup tables. */
const base = Math.floor((Date.now() - 86_400_000) / 3_600_000) * 3_600_000;

describe('GET /history on the embedded engine (PGlite)', () => {
  it('stores what is published and answers readings, ticks and raw, each as the schema says', async () => {
    using data = tempDataDir();
    await using gw = await startGateway({ HISTORY: 'on', DATA_DIR: data.dir });
    const device = await gw.token('device', 'd1');
    const op = await gw.token('operator', 'op');
    // Two readings a minute for 5 minutes: values 0..9 at base + i·30 s.
    const readings = Array.from({ length: 10 }, (_, i) => ({
      value: i,
      unit: 'C',
      ts: base + i * 30_000,
    }));
    await publishAll(gw, device, 'device.d1.temp', readings);
    const ticks = [5, 7, 4, 6].map((last, i) => ({
      bid: last,
      ask: last + 1,
      last,
      volume: i + 1,
      ts: base + i * 10_000,
    }));
    await publishAll(gw, await gw.token('feed', 'f'), 'price.BTC', ticks);
    await flushed(gw);

    const perMinute = ok(
      await history(gw, op, { topic: 'device.d1.temp', from: base, to: base + 5 * MIN, step: MIN }),
    );
    expect(perMinute).toMatchObject({ kind: 'readings', step: MIN, source: '1m', from: base });
    expect(perMinute.points).toEqual(
      [0, 1, 2, 3, 4].map((m) => ({
        t: base + m * MIN,
        count: 2,
        min: 2 * m,
        max: 2 * m + 1,
        mean: 2 * m + 0.5,
        last: 2 * m + 1,
      })),
    );
    const auto = ok(
      await history(gw, op, { topic: 'device.d1.temp', from: base, to: base + 3_600_000 }),
    );
    // An hour at ≤ 1000 points: 5-second steps from the raw rows.
    expect(auto).toMatchObject({ kind: 'readings', step: 5000, source: 'raw' });
    expect(auto.points).toHaveLength(10);
    const hourly = ok(
      await history(gw, op, {
        topic: 'device.d1.temp',
        from: base,
        to: base + 3_600_000,
        resolution: '1h',
      }),
    );
    expect(hourly.points).toEqual([{ t: base, count: 10, min: 0, max: 9, mean: 4.5, last: 9 }]);

    const candles = ok(
      await history(gw, op, { topic: 'price.BTC', from: base, to: base + MIN, resolution: '1m' }),
    );
    expect(candles).toMatchObject({ kind: 'ticks', source: '1m' });
    expect(candles.points).toEqual([
      { t: base, count: 4, open: 5, high: 7, low: 4, close: 6, volume: 10 },
    ]);

    const raw = okRaw(
      await history(gw, op, {
        topic: 'device.d1.temp',
        from: base + 30_000,
        to: base + 90_000,
        step: 'raw',
      }),
    );
    expect(raw).toMatchObject({ kind: 'raw', truncated: false });
    expect(raw.points.map((p) => [p.t, p.seq, p.payload])).toEqual([
      [base + 30_000, 2, readings[1]],
      [base + 60_000, 3, readings[2]],
    ]);
    expect(await gw.metrics()).toMatch(/pulse_history_written_points_total 14/);
    const ready = (await (await fetch(`${gw.httpUrl}/health/ready`)).json()) as Record<
      string,
      unknown
    >;
    expect(ready['history']).toEqual({ state: 'up', engine: 'pglite', buffered: 0 });
  });

  it('refuses bad requests with a code: 400, 401, 403, and 404 when history is off', async () => {
    using data = tempDataDir();
    await using gw = await startGateway({ HISTORY: 'on', DATA_DIR: data.dir });
    const op = await gw.token('operator', 'op');
    const narrow = await gw.token('operator', 'op2', 3600, ['device.d2.*']);
    const q = { topic: 'device.d1.temp', from: base, to: base + MIN };
    expect(await history(gw, undefined, q)).toMatchObject({
      status: 401,
      body: { code: 'UNAUTHORIZED' },
    });
    expect(await history(gw, narrow, q)).toMatchObject({
      status: 403,
      body: { code: 'FORBIDDEN', topic: 'device.d1.temp' },
    });
    const bad = async (params: Record<string, string | number>, code = 'BAD_REQUEST') =>
      expect(await history(gw, op, params)).toMatchObject({
        status: 400,
        body: { type: 'error', code },
      });
    await bad({ ...q, topic: 'device.*.temp' }, 'INVALID_TOPIC');
    await bad({ ...q, topic: 'alarm.d1.temp' }, 'INVALID_TOPIC');
    await bad({ ...q, topic: 'nope' }, 'INVALID_TOPIC');
    await bad({ topic: q.topic });
    await bad({ ...q, from: 'yesterday' });
    await bad({ ...q, from: base + MIN });
    await bad({ ...q, step: 1500 });
    await bad({ ...q, step: 1000, to: base + 86_400_000 });
    await bad({ ...q, resolution: '5m' });
    await bad({ ...q, step: 'raw', to: base + HISTORY_RAW_MAX_SPAN_MS + 1 });
    await bad({ ...q, step: 'auto', resolution: 'auto' });
    await bad({ ...q, limit: 5 });

    await using off = await startGateway();
    expect(await history(off, await off.token('operator', 'op'), q)).toMatchObject({
      status: 404,
      body: { code: 'NOT_FOUND' },
    });
  });
});
