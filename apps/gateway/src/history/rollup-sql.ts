/**
 * The statements that fold newly inserted raw rows into a rollup table. Only rows the raw
 * insert actually inserted (`ins`, after ON CONFLICT DO NOTHING) are folded, so a batch that is
 * retried after an unknown outcome, or a message written by two gateways, counts once.
 * Merging is associative (counts and sums add, min/max compare, first/last compare (t, seq)),
 * so any split of the points into batches gives the rollup of the whole (tested as a property).
 */
export function foldInto(table: string, bucketMs: number, from: string): string {
  const first = (col: string) => `(array_agg(${col} ORDER BY t, seq))[1]`;
  const last = (col: string) => `(array_agg(${col} ORDER BY t DESC, seq DESC))[1]`;
  return `
  INSERT INTO ${table} AS r (topic, bucket, count, min, max, sum, volume,
    first_t, first_seq, first_v, last_t, last_seq, last_v)
  SELECT topic, t - t % ${bucketMs}, count(*), min(value), max(value), sum(value), sum(volume),
    ${first('t')}, ${first('seq')}, ${first('value')}, ${last('t')}, ${last('seq')}, ${last('value')}
  FROM ${from} GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (topic, bucket) DO UPDATE SET
    count = r.count + EXCLUDED.count,
    min = LEAST(r.min, EXCLUDED.min),
    max = GREATEST(r.max, EXCLUDED.max),
    sum = r.sum + EXCLUDED.sum,
    volume = r.volume + EXCLUDED.volume,
    ${pick('first', '<')},
    ${pick('last', '>')}
  RETURNING 1`;
}

/** Keeps the end (`first` or `last`) of whichever side comes first or last by (t, seq). */
function pick(end: 'first' | 'last', op: '<' | '>'): string {
  const wins = `(EXCLUDED.${end}_t, EXCLUDED.${end}_seq) ${op} (r.${end}_t, r.${end}_seq)`;
  return ['t', 'seq', 'v']
    .map((c) => `${end}_${c} = CASE WHEN ${wins} THEN EXCLUDED.${end}_${c} ELSE r.${end}_${c} END`)
    .join(',\n    ');
}

/** One multi-row insert of a batch (arrays per column through `unnest`) and both folds. */
export const WRITE_SQL = `
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[],
    $6::float8[], $7::float8[], $8::text[])
    AS i(topic, epoch, seq, t, server_ts, value, volume, payload)
), ins AS (
  INSERT INTO history_raw (topic, epoch, seq, t, server_ts, value, volume, payload)
  SELECT topic, epoch, seq, t, server_ts, value, volume, payload::jsonb FROM input
  ON CONFLICT DO NOTHING
  RETURNING topic, seq, t, value, volume
), m AS (${foldInto('history_1m', 60_000, 'ins')}
), h AS (${foldInto('history_1h', 3_600_000, 'ins')}
)
SELECT (SELECT count(*) FROM ins)::int AS written`;
