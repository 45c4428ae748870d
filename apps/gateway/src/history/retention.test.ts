import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryPoint } from './history-point.js';
import { HistoryStore } from './history-store.js';
import { openPglite } from './pglite-port.js';

const H = 3_600_000;
const D = 24 * H;
const NOW = Date.UTC(2026, 5, 10, 12);

const point = (t: number, seq: number): HistoryPoint => ({
  topic: 'device.d1.temp',
  epoch: 'e1',
  seq,
  t,
  serverTs: t,
  value: seq,
  volume: 0,
  payload: { value: seq, unit: 'C', ts: t },
});

describe('retention', () => {
  let store: HistoryStore;
  beforeAll(async () => {
    store = new HistoryStore(await openPglite());
  });
  afterAll(() => store?.close());

  const partitions = async () =>
    (
      await store.sql.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
           JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'history_raw' ORDER BY 1`,
      )
    ).map((r) => r.name);
  const buckets = async (table: string) =>
    (
      await store.sql.query<{ b: number }>(`SELECT bucket::float8 AS b FROM ${table} ORDER BY 1`)
    ).map((r) => r.b);

  it('drops whole raw day partitions past HISTORY_RAW_RETENTION and rollup rows past theirs', async () => {
    // Points 40 days, 3 days and 1 day ago, and now (all whole hours, 12:00 UTC).
    const times = [NOW - 40 * D, NOW - 3 * D, NOW - D, NOW];
    expect(await store.write(times.map((t, i) => point(t, i + 1)))).toBe(4);
    expect(await partitions()).toEqual([
      'history_raw_d20260501',
      'history_raw_d20260607',
      'history_raw_d20260609',
      'history_raw_d20260610',
    ]);
    await store.applyRetention({ rawMs: 48 * H, minuteMs: 30 * D, hourMs: 365 * D }, NOW);
    // The day that ended 36 h ago stays (it holds points younger than 48 h); older days go.
    expect(await partitions()).toEqual(['history_raw_d20260609', 'history_raw_d20260610']);
    expect(await buckets('history_1m')).toEqual(times.slice(1));
    expect(await buckets('history_1h')).toEqual(times);
    await store.applyRetention({ rawMs: 48 * H, minuteMs: 2 * D, hourMs: 10 * D }, NOW);
    expect(await buckets('history_1m')).toEqual(times.slice(2));
    expect(await buckets('history_1h')).toEqual(times.slice(1));
    // A dropped day is created again when a late point for it arrives.
    expect(await store.write([point(NOW - 3 * D + 1, 9)])).toBe(1);
    expect(await partitions()).toContain('history_raw_d20260607');
  });
});
