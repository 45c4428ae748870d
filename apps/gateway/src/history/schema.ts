/**
 * The history tables (ADR 0005). Times are epoch milliseconds in `bigint`, as on the wire.
 * - `history_raw`: every stored message, range-partitioned by day of the payload's `ts` so
 *   retention drops whole partitions; BRIN on `t` (rows arrive roughly in time order, so a
 *   block range index is tiny and prunes well), a btree on (topic, t) for one topic's range.
 *   The key (topic, epoch, seq) is what makes a message unique; `t` is in it because a
 *   partitioned table's unique key must hold the partition column (a message has one `t`).
 * - `history_1m`, `history_1h`: rollups per topic and bucket start, maintained on each write.
 *   One shape serves readings and ticks: min/max/sum/count give min, max, mean (and high, low),
 *   the first and last value by (t, seq) give open and close (and a reading's last), `volume`
 *   sums tick volumes.
 */
export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS history_raw (
  topic text NOT NULL,
  epoch text NOT NULL,
  seq bigint NOT NULL,
  t bigint NOT NULL,
  server_ts bigint NOT NULL,
  value double precision NOT NULL,
  volume double precision NOT NULL,
  payload jsonb NOT NULL,
  PRIMARY KEY (topic, epoch, seq, t)
) PARTITION BY RANGE (t);
CREATE INDEX IF NOT EXISTS history_raw_t_brin ON history_raw USING brin (t);
CREATE INDEX IF NOT EXISTS history_raw_topic_t ON history_raw (topic, t);
${rollupTable('history_1m')}
${rollupTable('history_1h')}
`;

function rollupTable(name: string): string {
  return `
CREATE TABLE IF NOT EXISTS ${name} (
  topic text NOT NULL,
  bucket bigint NOT NULL,
  count bigint NOT NULL,
  min double precision NOT NULL,
  max double precision NOT NULL,
  sum double precision NOT NULL,
  volume double precision NOT NULL,
  first_t bigint NOT NULL,
  first_seq bigint NOT NULL,
  first_v double precision NOT NULL,
  last_t bigint NOT NULL,
  last_seq bigint NOT NULL,
  last_v double precision NOT NULL,
  PRIMARY KEY (topic, bucket)
);`;
}

export const DAY_MS = 86_400_000;

/** `history_raw_d20261205`: the partition holding the UTC day that starts at `dayStart`. */
export function partitionName(dayStart: number): string {
  return `history_raw_d${new Date(dayStart).toISOString().slice(0, 10).replaceAll('-', '')}`;
}

/** The day start a partition name stands for, or undefined for a name that is not one. */
export function partitionDay(name: string): number | undefined {
  const m = /^history_raw_d(\d{4})(\d{2})(\d{2})$/.exec(name);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : undefined;
}
