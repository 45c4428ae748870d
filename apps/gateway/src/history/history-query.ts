import {
  HISTORY_RAW_MAX_ROWS,
  type HistoryResponse,
  type RawPoint,
  type ReadingBucket,
  type TickBucket,
} from '@pulse/protocol';
import type { Plan } from './resolution.js';
import type { SqlPort } from './sql-port.js';

interface BucketRow {
  t: number;
  count: number;
  min: number;
  max: number;
  mean: number;
  volume: number;
  open: number;
  close: number;
}

/**
 * The buckets of one topic at `plan.step`, from raw rows or from a rollup table (buckets of the
 * table merged into the larger step the same way the writer merges batches). A bucket is
 * whole: one that starts before `to` may hold points at or after it.
 */
async function buckets(sql: SqlPort, topic: string, plan: Plan, to: number): Promise<BucketRow[]> {
  const step = plan.step;
  const text =
    plan.source === 'raw'
      ? `SELECT (t - t % ${step})::float8 AS t, count(*)::float8 AS count, min(value) AS min,
           max(value) AS max, avg(value) AS mean, sum(volume) AS volume,
           (array_agg(value ORDER BY t, seq))[1] AS open,
           (array_agg(value ORDER BY t DESC, seq DESC))[1] AS close
         FROM history_raw WHERE topic = $1 AND t >= $2 AND t < $3 GROUP BY 1 ORDER BY 1`
      : `SELECT (bucket - bucket % ${step})::float8 AS t, sum(count)::float8 AS count,
           min(min) AS min, max(max) AS max, sum(sum) / sum(count)::float8 AS mean,
           sum(volume) AS volume,
           (array_agg(first_v ORDER BY first_t, first_seq))[1] AS open,
           (array_agg(last_v ORDER BY last_t DESC, last_seq DESC))[1] AS close
         FROM history_${plan.source} WHERE topic = $1 AND bucket >= $2 AND bucket < $3
         GROUP BY 1 ORDER BY 1`;
  return sql.query<BucketRow>(text, [topic, plan.from, to]);
}

const readingOf = (r: BucketRow): ReadingBucket => ({
  t: r.t,
  count: r.count,
  min: r.min,
  max: r.max,
  mean: r.mean,
  last: r.close,
});

const tickOf = (r: BucketRow): TickBucket => ({
  t: r.t,
  count: r.count,
  open: r.open,
  high: r.max,
  low: r.min,
  close: r.close,
  volume: r.volume,
});

/** Steps of `plan` over one topic: readings (min/max/mean/last) or ticks (OHLC + volume). */
export async function bucketHistory(
  sql: SqlPort,
  topic: string,
  plan: Plan,
  to: number,
  kind: 'readings' | 'ticks',
): Promise<HistoryResponse> {
  const rows = await buckets(sql, topic, plan, to);
  const head = { topic, from: plan.from, to, step: plan.step, source: plan.source };
  return kind === 'readings'
    ? { ...head, kind, points: rows.map(readingOf) }
    : { ...head, kind, points: rows.map(tickOf) };
}

/** The stored messages themselves, oldest first; one row past the cap says `truncated`. */
export async function rawHistory(
  sql: SqlPort,
  topic: string,
  from: number,
  to: number,
): Promise<HistoryResponse> {
  const rows = await sql.query<RawPoint>(
    `SELECT t::float8 AS t, server_ts::float8 AS "serverTime", seq::float8 AS seq, payload
       FROM history_raw WHERE topic = $1 AND t >= $2 AND t < $3 ORDER BY t, seq LIMIT $4`,
    [topic, from, to, HISTORY_RAW_MAX_ROWS + 1],
  );
  const truncated = rows.length > HISTORY_RAW_MAX_ROWS;
  return {
    topic,
    from,
    to,
    kind: 'raw',
    step: 'raw',
    source: 'raw',
    truncated,
    points: truncated ? rows.slice(0, HISTORY_RAW_MAX_ROWS) : rows,
  };
}
