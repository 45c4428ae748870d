import { describe, expect, it } from 'vitest';
import type { HistoryPoint } from '../../src/history/history-point.js';
import { HistoryStore } from '../../src/history/history-store.js';
import { HistoryService } from '../../src/history/history.service.js';
import { openPglite, type PgliteThreadPort } from '../../src/history/pglite-port.js';
import { WRITE_SQL } from '../../src/history/rollup-sql.js';
import { startGateway } from '../gateway-resource.js';
import { flushed, history, okRaw, publishAll, tempDataDir } from './history-client.js';

const counts = (sql: HistoryStore['sql']) =>
  sql.query<{ n: number; d: number; rolled: number }>(
    `SELECT count(*)::int AS n, count(DISTINCT seq)::int AS d,
       (SELECT coalesce(sum(count), 0)::int FROM history_1m) AS rolled FROM history_raw`,
  );

// Each case opens PGlite on files twice or more: seconds each on a busy machine.
describe('the embedded engine’s thread dying', { timeout: 90_000 }, () => {
  it('mid-batch: readiness shows the store down, then the batch lands once on a new thread', async () => {
    using data = tempDataDir();
    await using gw = await startGateway({
      HISTORY: 'on',
      DATA_DIR: data.dir,
      HISTORY_FLUSH_MS: '50',
    });
    const service = gw.app.get(HistoryService);
    const port = service.store!.sql as PgliteThreadPort;
    // The first batch's statement is sent, then the thread is killed under it; the retry (on a
    // new thread) waits until the test has seen readiness report the outage.
    const query = port.query.bind(port);
    let killed = false;
    let resume!: () => void;
    const resumed = new Promise<void>((r) => (resume = r));
    port.query = async <T>(text: string, params?: readonly unknown[]) => {
      if (text === WRITE_SQL && !killed) {
        killed = true;
        const sent = query<T>(text, params);
        await port.kill();
        return sent;
      }
      if (killed) await resumed;
      return query<T>(text, params);
    };

    const ts = Date.now() - 10_000;
    const readings = Array.from({ length: 20 }, (_, i) => ({ value: i, unit: 'C', ts: ts + i }));
    await publishAll(gw, await gw.token('device', 'd1'), 'device.d1.temp', readings);
    const ready = async () =>
      (await (await fetch(`${gw.httpUrl}/health/ready`)).json()) as {
        status: string;
        history: { state: string; reason?: string; buffered: number };
      };
    let seen = await ready();
    while (seen.history.state !== 'down') {
      await new Promise((r) => setImmediate(r));
      seen = await ready();
    }
    // Degraded history, the gateway itself still ready; every point still held.
    expect(seen.status).toBe('ready');
    expect(seen.history.reason).toMatch(/embedded history engine thread exited/);
    expect(seen.history.buffered).toBe(readings.length);
    resume();
    await flushed(gw);
    expect((await ready()).history).toEqual({ state: 'up', engine: 'pglite', buffered: 0 });
    const raw = okRaw(
      await history(gw, await gw.token('operator', 'op'), {
        topic: 'device.d1.temp',
        from: ts,
        to: ts + 1000,
        step: 'raw',
      }),
    );
    expect(raw.points.map((p) => p.payload)).toEqual(readings);
    expect(await counts(port)).toEqual([{ n: 20, d: 20, rolled: 20 }]);
  });

  it('wherever the kill lands in a statement, the batch is wholly in or out, and its retry makes it once', async () => {
    using data = tempDataDir();
    const port = await openPglite(data.dir);
    const store = new HistoryStore(port);
    try {
      await store.migrate();
      const t0 = Date.now() - 60_000;
      let seq = 0;
      const batch = (n: number): HistoryPoint[] =>
        Array.from({ length: n }, (_, i) => {
          seq += 1;
          const t = t0 + i;
          return {
            topic: `device.d${i % 50}.temp`,
            epoch: 'e1',
            seq,
            t,
            serverTs: t,
            value: i,
            volume: 0,
            payload: { value: i, unit: 'C', ts: t },
          };
        });
      // Kills after 0 ms up to about a statement's length: before, during and after the write.
      const outcomes: string[] = [];
      for (const delay of [0, 50, 300]) {
        const points = batch(5000);
        const [before] = await counts(port);
        const write = store.write(points);
        await new Promise((r) => setTimeout(r, delay));
        await port.kill();
        const first = await write.then(
          () => 'stored',
          (e: unknown) => String(e),
        );
        const [after] = await counts(port); // on a new thread, over the recovered files
        // Atomic across the crash: nothing or all of it, never part of a batch.
        expect([before!.n, before!.n + points.length]).toContain(after!.n);
        outcomes.push(`${delay} ms: ${first.slice(0, 40)}; ${after!.n - before!.n} in`);
        await store.write(points); // the writer's retry of the same batch
        expect(await counts(port)).toEqual([{ n: seq, d: seq, rolled: seq }]);
      }
      console.log(`kill outcomes: ${outcomes.join(' | ')}`);
    } finally {
      await store.close();
    }
  });
});
