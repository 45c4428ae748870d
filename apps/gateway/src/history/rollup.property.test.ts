import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryPoint } from './history-point.js';
import { HistoryStore } from './history-store.js';
import { openPglite } from './pglite-port.js';

const BASE = Date.UTC(2026, 0, 1, 10);
const TOPICS = ['device.d1.temp', 'price.BTC'];

/** Points with integer values (sums are exact whatever the order), ties in `t` allowed. */
const pointsArb = fc
  .array(
    fc.record({
      topic: fc.constantFrom(...TOPICS),
      t: fc.integer({ min: 0, max: 3 * 3_600_000 }),
      value: fc.integer({ min: -1000, max: 1000 }),
      volume: fc.integer({ min: 0, max: 50 }),
    }),
    { minLength: 1, maxLength: 60 },
  )
  .map((raw) => {
    const seqs = new Map<string, number>();
    return raw.map((p): HistoryPoint => {
      const seq = (seqs.get(p.topic) ?? 0) + 1;
      seqs.set(p.topic, seq);
      return { ...p, t: BASE + p.t, epoch: 'e1', seq, serverTs: BASE, payload: { v: p.value } };
    });
  });

/** Splits `points` at the given cut positions, in a shuffled write order. */
function split<T>(points: readonly T[], cuts: readonly number[]): T[][] {
  const at = [...new Set(cuts.map((c) => c % (points.length + 1)))].sort((a, b) => a - b);
  const parts: T[][] = [];
  let last = 0;
  for (const c of [...at, points.length]) {
    if (c > last) parts.push(points.slice(last, c));
    last = Math.max(last, c);
  }
  return parts;
}

const rollups = (store: HistoryStore) =>
  Promise.all(
    ['history_1m', 'history_1h'].map((table) =>
      store.sql.query(
        `SELECT topic, bucket::float8 AS bucket, count::float8 AS count, min, max, sum, volume,
           first_t::float8 AS first_t, first_seq::float8 AS first_seq, first_v,
           last_t::float8 AS last_t, last_seq::float8 AS last_seq, last_v
         FROM ${table} ORDER BY topic, bucket`,
      ),
    ),
  );

// PGlite starts in seconds, and slower on a busy machine: more room than the suite's 20 s.
describe('rollups (PGlite, the SQL the writer runs)', { timeout: 40_000 }, () => {
  let whole: HistoryStore;
  let parts: HistoryStore;
  beforeAll(async () => {
    whole = new HistoryStore(await openPglite());
    parts = new HistoryStore(await openPglite());
    await Promise.all([whole.migrate(), parts.migrate()]);
  });
  afterAll(async () => {
    await whole?.close();
    await parts?.close();
  });

  it('of any split of the points, in any batch order, with batches repeated, equal the rollup of the whole', async () => {
    await fc.assert(
      fc.asyncProperty(
        pointsArb,
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.boolean(),
        fc.nat(),
        async (points, cuts, reverse, repeat) => {
          for (const s of [whole, parts])
            await s.sql.exec('TRUNCATE history_raw, history_1m, history_1h');
          await whole.write(points);
          const batches = split(points, cuts);
          if (reverse) batches.reverse();
          for (const batch of batches) await parts.write(batch);
          // A batch retried after an unknown outcome (or written by another gateway) is new
          // to nobody: it changes nothing.
          const again = batches[repeat % batches.length]!;
          expect(await parts.write(again)).toBe(0);
          expect(await rollups(parts)).toEqual(await rollups(whole));
        },
      ),
      { numRuns: 100 },
    );
  });
});
