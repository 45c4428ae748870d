import { SCHEMA_SQL, DAY_MS, partitionDay, partitionName } from './schema.js';
import { WRITE_SQL } from './rollup-sql.js';
import type { HistoryPoint } from './history-point.js';
import type { SqlPort } from './sql-port.js';

/** Statements a batch is split into on PostgreSQL (the pool holds 4 connections). */
const LANES = 2;
/** Below this a batch is cheaper as one statement than as several round trips. */
const MIN_SPLIT = 1000;

/**
 * Some lanes of a batch failed and others were stored: those lanes held `settled` points, of
 * which `written` were new; `code` is the failure's SQLSTATE (a data error is still told from
 * an outage).
 */
export class PartialWriteError extends Error {
  readonly code: unknown;
  constructor(
    override readonly cause: unknown,
    readonly written: number,
    readonly settled: number,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.code = (cause as { code?: unknown } | null)?.code;
  }
}

/** Deals points into `n` lists by a hash of their topic, keeping their order within each. */
export function splitByTopic(points: readonly HistoryPoint[], n: number): HistoryPoint[][] {
  const out: HistoryPoint[][] = Array.from({ length: n }, () => []);
  const lane = new Map<string, number>();
  for (const p of points) {
    let i = lane.get(p.topic);
    if (i === undefined) {
      let h = 0;
      for (let k = 0; k < p.topic.length; k++) h = (h * 31 + p.topic.charCodeAt(k)) | 0;
      i = Math.abs(h) % n;
      lane.set(p.topic, i);
    }
    out[i]!.push(p);
  }
  return out;
}

export interface Retention {
  readonly rawMs: number;
  readonly minuteMs: number;
  readonly hourMs: number;
}

/** Writes and ages the history tables on either engine; reads are in history-query.ts. */
export class HistoryStore {
  /** Day partitions known to exist, so a write creates each at most once per process. */
  private readonly days = new Set<number>();
  private migrated: Promise<void> | undefined;

  /** `lanes`: statements per batch (PostgreSQL; the store bench measures 1 against the default). */
  constructor(
    readonly sql: SqlPort,
    private readonly lanes = sql.engine === 'postgres' ? LANES : 1,
  ) {}

  /** Creates the tables once; retried on the next call if it failed (server down at start). */
  migrate(): Promise<void> {
    this.migrated ??= this.sql.exec(SCHEMA_SQL).catch((err: unknown) => {
      this.migrated = undefined;
      throw err;
    });
    return this.migrated;
  }

  /**
   * Stores a batch; returns how many were new (the rest were stored before). On PostgreSQL the
   * batch goes as `lanes` statements at once, split by topic: each lane's rows and rollup rows
   * are disjoint from the others', so they neither wait on each other's locks nor deadlock, and
   * the server works on them on several cores (a single statement is bound to one). Measured in
   * bench/history/store.mjs. If one lane fails, the error carries what the others wrote
   * (`PartialWriteError`); a retry of the whole batch stores only what is missing (ON CONFLICT
   * DO NOTHING), so no point is counted or folded twice.
   */
  async write(points: readonly HistoryPoint[]): Promise<number> {
    await this.migrate();
    for (const p of points) {
      const day = p.t - (p.t % DAY_MS);
      if (!this.days.has(day)) await this.ensureDay(day);
    }
    const lanes = points.length >= MIN_SPLIT ? this.lanes : 1;
    const parts = lanes === 1 ? [points] : splitByTopic(points, lanes);
    const settled = await Promise.allSettled(parts.map((part) => this.writeLane(part)));
    let written = 0;
    let stored = 0;
    let failure: unknown;
    settled.forEach((s, i) => {
      if (s.status === 'rejected') failure ??= s.reason;
      else {
        written += s.value;
        stored += parts[i]!.length;
      }
    });
    if (failure === undefined) return written;
    throw stored > 0 ? new PartialWriteError(failure, written, stored) : failure;
  }

  private async writeLane(points: readonly HistoryPoint[]): Promise<number> {
    if (points.length === 0) return 0;
    const cols: unknown[][] = [[], [], [], [], [], [], [], []];
    for (const p of points) {
      cols[0]!.push(p.topic);
      cols[1]!.push(p.epoch);
      cols[2]!.push(p.seq);
      cols[3]!.push(p.t);
      cols[4]!.push(p.serverTs);
      cols[5]!.push(p.value);
      cols[6]!.push(p.volume);
      cols[7]!.push(JSON.stringify(p.payload));
    }
    const [row] = await this.sql.query<{ written: number }>(WRITE_SQL, cols);
    return row?.written ?? 0;
  }

  /**
   * Drops raw partitions wholly older than the raw retention, and rollup rows older than
   * theirs. Dropping a partition is one catalog change whatever it holds, not a row-by-row
   * delete; rollups are small (one row per topic and minute or hour) and are deleted.
   */
  async applyRetention(retention: Retention, now = Date.now()): Promise<void> {
    await this.migrate();
    const parts = await this.sql.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i
         JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
        WHERE p.relname = 'history_raw'`,
    );
    for (const { name } of parts) {
      const day = partitionDay(name);
      if (day === undefined || day + DAY_MS > now - retention.rawMs) continue;
      await this.sql.exec(`DROP TABLE IF EXISTS ${name}`);
      this.days.delete(day);
    }
    await this.sql.query('DELETE FROM history_1m WHERE bucket < $1', [now - retention.minuteMs]);
    await this.sql.query('DELETE FROM history_1h WHERE bucket < $1', [now - retention.hourMs]);
  }

  close(): Promise<void> {
    return this.sql.close();
  }

  private async ensureDay(day: number): Promise<void> {
    try {
      await this.sql.exec(
        `CREATE TABLE IF NOT EXISTS ${partitionName(day)} PARTITION OF history_raw
           FOR VALUES FROM (${day}) TO (${day + DAY_MS})`,
      );
    } catch (err) {
      // Another gateway created it between our check and our create: it exists, as wanted.
      const code = (err as { code?: string }).code;
      if (code !== '42P07' && code !== '23505') throw err;
    }
    this.days.add(day);
  }
}
