import type { BusMessage } from '../bus/bus-message.js';
import { historyPointOf, type HistoryPoint } from './history-point.js';
import { PartialWriteError, type HistoryStore, type Retention } from './history-store.js';
import { HistoryTelemetry, type DropReason } from './history-telemetry.js';
import { isDataError } from './sql-port.js';

export type HistoryState = 'starting' | 'up' | 'down' | 'off';

export interface WriterSettings {
  readonly bufferMax: number;
  readonly batchMax: number;
  readonly flushMs: number;
  readonly retention: Retention;
}

export interface WriterLog {
  warn(message: string): void;
  log(message: string): void;
}

const DAY_AHEAD_MS = 86_400_000;
const MAX_BACKOFF_MS = 5000;

/**
 * Takes stored messages off the publish path and writes them in batches behind it. `record`
 * is synchronous and cannot fail: the publish was acknowledged before, and a slow or absent
 * database must never slow live traffic. Points wait in a bounded buffer (oldest dropped, with
 * a counted reason, when it is full) and are flushed every `flushMs`, or at once when a full
 * batch is waiting. A failed batch goes back to the front and is retried with backoff; while
 * the store is down the buffer holds what arrives.
 *
 * The buffer is an array with a moving head rather than `shift()`: dropping the oldest of
 * 200,000 points must not copy the other 199,999 each time (this runs once per publish).
 */
export class HistoryWriter {
  readonly telemetry = new HistoryTelemetry(() => this.buffered);
  state: HistoryState = 'starting';
  reason: string | undefined;

  private rows: (HistoryPoint | undefined)[] = [];
  private head = 0;
  private inflight = 0;
  private flushing: Promise<void> | undefined;
  private failures = 0;
  private retryAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Dropping for a full buffer is logged once per outage, not once per point. */
  private warnedFull = false;

  constructor(
    private readonly store: HistoryStore | undefined,
    private readonly settings: WriterSettings,
    private readonly logger: WriterLog,
  ) {
    if (!store) this.state = 'off';
  }

  get engine(): string | undefined {
    return this.store?.sql.engine;
  }

  /** Points accepted and not yet stored (waiting and in flight). */
  get buffered(): number {
    return this.rows.length - this.head + this.inflight;
  }

  start(): void {
    if (!this.store) return;
    this.timer = setInterval(() => this.kick(), this.settings.flushMs);
    this.timer.unref();
    this.kick();
  }

  /** Readiness before the first write: `up` once the schema is in place, else `down`. */
  async probe(): Promise<void> {
    try {
      await this.store?.migrate();
      if (this.state === 'starting') this.state = 'up';
    } catch (err) {
      if (this.state !== 'starting') return;
      this.state = 'down';
      this.reason = (err instanceof Error ? err.message : String(err)).slice(0, 200);
      this.logger.warn(`history: store ${this.engine} not reachable yet (${this.reason})`);
    }
  }

  /** A message the bus stored; called after the publish was acknowledged, never throws. */
  record(msg: BusMessage): void {
    if (!this.store) return;
    try {
      const point = historyPointOf(msg);
      if (!point) return;
      // Acked during the shutdown drain, after the last flush: counted, not silently gone.
      if (this.closed) return this.drop('shutdown', 1);
      const now = Date.now();
      if (point.t < now - this.settings.retention.hourMs || point.t > now + DAY_AHEAD_MS) {
        this.drop('out_of_range', 1);
        return;
      }
      this.rows.push(point);
      // Only what waits counts against the bound here: the batch in flight is older, and if it
      // fails it comes back in front and `requeue` trims oldest-first. Dropping a waiting point
      // now would drop a newer one than those in flight (found by postgres-faults.e2e).
      if (this.rows.length - this.head > this.settings.bufferMax) this.dropOldest(1);
      if (this.rows.length - this.head >= this.settings.batchMax) this.kick();
    } catch (err) {
      this.logger.warn(`history: could not record ${msg.topic} seq ${msg.seq}: ${String(err)}`);
    }
  }

  /** Resolves once everything buffered now is stored or `deadlineMs` passed (tests, shutdown). */
  async drain(deadlineMs = 5000): Promise<boolean> {
    const end = Date.now() + deadlineMs;
    while (this.buffered > 0 && Date.now() < end) {
      this.retryAt = Math.min(this.retryAt, Date.now() + 100);
      this.kick();
      await (this.flushing ?? new Promise((r) => setTimeout(r, 20)));
    }
    return this.buffered === 0;
  }

  async close(deadlineMs = 3000): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (!this.store || this.closed) return;
    await this.drain(deadlineMs);
    this.closed = true;
    await this.flushing;
    const left = this.buffered;
    if (left > 0) {
      this.drop('shutdown', left);
      this.logger.warn(
        `history: ${left} points not stored at shutdown (${this.reason ?? 'store slow'})`,
      );
    }
    await this.store.close();
  }

  private kick(): void {
    if (this.flushing || this.closed || Date.now() < this.retryAt) return;
    if (this.rows.length - this.head === 0) return;
    this.flushing = this.flush().finally(() => {
      this.flushing = undefined;
      // More than a batch may have arrived meanwhile: keep going without waiting for the timer.
      if (this.rows.length - this.head >= this.settings.batchMax) setImmediate(() => this.kick());
    });
  }

  private async flush(): Promise<void> {
    const batch = this.rows.slice(this.head, this.head + this.settings.batchMax) as HistoryPoint[];
    this.head += batch.length;
    this.inflight = batch.length;
    this.compact();
    const started = performance.now();
    try {
      const written = await this.store!.write(batch);
      this.telemetry.flushSeconds.observe((performance.now() - started) / 1000);
      this.telemetry.written.inc(written);
      if (this.state !== 'up') this.logger.log(`history: store ${this.engine} up`);
      this.state = 'up';
      this.reason = undefined;
      this.failures = 0;
      this.warnedFull = false;
    } catch (err) {
      // Lanes that were stored count now; the retry of the batch will find them stored.
      const partial = err instanceof PartialWriteError ? err : undefined;
      if (partial) this.telemetry.written.inc(partial.written);
      const message = err instanceof Error ? err.message : String(err);
      if (isDataError(err)) {
        // The same batch would fail again: give it up, counted, rather than block the rest.
        this.drop('rejected', batch.length - (partial?.settled ?? 0));
        this.logger.warn(`history: store refused a batch of ${batch.length}: ${message}`);
      } else {
        this.requeue(batch);
        if (this.state !== 'down')
          this.logger.warn(`history: store ${this.engine} down (${message}); buffering`);
        this.state = 'down';
        this.reason = message.slice(0, 200);
        this.failures += 1;
        this.retryAt =
          Date.now() + Math.min(MAX_BACKOFF_MS, this.settings.flushMs * 2 ** (this.failures - 1));
      }
    } finally {
      this.inflight = 0;
    }
  }

  /** Puts a failed batch back in front, then trims to the bound (oldest first). */
  private requeue(batch: HistoryPoint[]): void {
    this.rows = [...batch, ...this.rows.slice(this.head)];
    this.head = 0;
    const over = this.rows.length - this.settings.bufferMax;
    if (over > 0) this.dropOldest(over);
  }

  private dropOldest(n: number): void {
    const waiting = this.rows.length - this.head;
    const k = Math.min(n, waiting);
    for (let i = 0; i < k; i++) this.rows[this.head + i] = undefined;
    this.head += k;
    this.drop('buffer_full', k);
    this.compact();
  }

  private drop(reason: DropReason, n: number): void {
    if (n <= 0) return;
    this.telemetry.dropped.inc({ reason }, n);
    if (reason === 'buffer_full' && !this.warnedFull) {
      this.warnedFull = true;
      this.logger.warn(
        `history: buffer full (${this.settings.bufferMax} points); dropping the oldest until the store catches up`,
      );
    }
  }

  /** Lets go of the consumed front once it is large, in one copy. */
  private compact(): void {
    if (this.head > 4096 && this.head * 2 > this.rows.length) {
      this.rows = this.rows.slice(this.head);
      this.head = 0;
    }
  }
}
