import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryPoint } from '../../src/history/history-point.js';
import { HistoryStore, PartialWriteError, splitByTopic } from '../../src/history/history-store.js';
import { openPglite } from '../../src/history/pglite-port.js';
import { openPostgres } from '../../src/history/postgres-port.js';
import { WRITE_SQL } from '../../src/history/rollup-sql.js';
import type { SqlPort } from '../../src/history/sql-port.js';
import { startPostgres, type PostgresServer } from './postgres-server.js';

const BASE = Date.UTC(2026, 0, 1, 10);
const TOPICS = Array.from({ length: 12 }, (_, i) => `device.d${i}.temp`);

/** Batches large enough that PostgreSQL writes them as several statements at once. */
const pointsArb = fc
  .array(
    fc.record({
      topic: fc.constantFrom(...TOPICS),
      t: fc.integer({ min: 0, max: 3 * 3_600_000 }),
      value: fc.integer({ min: -1000, max: 1000 }),
    }),
    { minLength: 1000, maxLength: 1600 },
  )
  .map((raw) => {
    const seqs = new Map<string, number>();
    return raw.map((p): HistoryPoint => {
      const seq = (seqs.get(p.topic) ?? 0) + 1;
      seqs.set(p.topic, seq);
      return { ...p, t: BASE + p.t, epoch: 'e1', seq, volume: 0, serverTs: BASE, payload: {} };
    });
  });

const rollups = (store: HistoryStore) =>
  Promise.all(
    ['history_1m', 'history_1h'].map((table) =>
      store.sql.query(
        `SELECT topic, bucket::float8 AS bucket, count::float8 AS count, min, max, sum,
           first_t::float8 AS first_t, first_seq::float8 AS first_seq, first_v,
           last_t::float8 AS last_t, last_seq::float8 AS last_seq, last_v
         FROM ${table} ORDER BY topic, bucket`,
      ),
    ),
  );

describe('splitByTopic', () => {
  it('puts each topic in one lane, keeps the order within it, and loses nothing', () => {
    fc.assert(
      fc.property(pointsArb, fc.integer({ min: 1, max: 4 }), (points, n) => {
        const lanes = splitByTopic(points, n);
        expect(lanes).toHaveLength(n);
        expect(lanes.flat().length).toBe(points.length);
        for (const lane of lanes) {
          for (const topic of new Set(lane.map((p) => p.topic)))
            expect(lanes.filter((l) => l.some((p) => p.topic === topic))).toHaveLength(1);
          expect(lane).toEqual(points.filter((p) => lane.includes(p)));
        }
      }),
      { numRuns: 20 },
    );
  });
});

// A batch on PostgreSQL goes as concurrent statements (lanes); the rollups must be those of
// the same points written as one statement (PGlite), and a repeated batch must change nothing.
describe('history on PostgreSQL, batches in lanes', { timeout: 120_000 }, () => {
  let server: PostgresServer;
  let lanes: HistoryStore;
  let single: HistoryStore;
  beforeAll(async () => {
    server = await startPostgres();
    lanes = new HistoryStore(openPostgres(server.url));
    single = new HistoryStore(await openPglite());
    await Promise.all([lanes.migrate(), single.migrate()]);
  }, 120_000);
  afterAll(async () => {
    await lanes?.close();
    await single?.close();
    await server?.destroy();
  });

  it('give the rollups of one statement, and a retried batch stores nothing twice', async () => {
    await fc.assert(
      fc.asyncProperty(pointsArb, async (points) => {
        for (const s of [lanes, single])
          await s.sql.exec('TRUNCATE history_raw, history_1m, history_1h');
        expect(await lanes.write(points)).toBe(points.length);
        await single.write(points);
        expect(await lanes.write(points)).toBe(0);
        expect(await rollups(lanes)).toEqual(await rollups(single));
      }),
      { numRuns: 8 },
    );
  });

  it('when one lane’s statement fails, before or after it ran, the retry stores each point once', async () => {
    // The real server behind a port whose next write statement fails as a dropped connection
    // does: before it reached the server, or after it committed (an unknown outcome).
    const real = openPostgres(server.url);
    let failNext: 'before' | 'after' | undefined;
    const sql: SqlPort = {
      engine: real.engine,
      exec: (text) => real.exec(text),
      close: () => real.close(),
      async query<T>(text: string, params?: readonly unknown[]) {
        const how = text === WRITE_SQL ? failNext : undefined;
        if (!how) return real.query<T>(text, params);
        failNext = undefined;
        if (how === 'after') await real.query(text, params);
        throw new Error('Connection terminated unexpectedly');
      },
    };
    const flaky = new HistoryStore(sql);
    try {
      await fc.assert(
        fc.asyncProperty(pointsArb, fc.constantFrom('before', 'after'), async (points, how) => {
          for (const s of [flaky, single])
            await s.sql.exec('TRUNCATE history_raw, history_1m, history_1h');
          failNext = how;
          const err = await flaky.write(points).then(
            () => undefined,
            (e: unknown) => e,
          );
          // The other lane was stored and says so; the failure is an outage, not a data error.
          expect(err).toBeInstanceOf(PartialWriteError);
          const partial = err as PartialWriteError;
          expect(partial.code).toBeUndefined();
          const again = await flaky.write(points);
          if (how === 'before') expect(partial.written + again).toBe(points.length);
          else expect(partial.written + again).toBeLessThan(points.length);
          const [raw] = await sql.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM history_raw',
          );
          expect(raw!.n).toBe(points.length);
          await single.write(points);
          expect(await rollups(flaky)).toEqual(await rollups(single));
        }),
        { numRuns: 6 },
      );
    } finally {
      await flaky.close();
    }
  });
});
