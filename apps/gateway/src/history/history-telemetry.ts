import { Counter, Gauge, Histogram, type Metric } from 'prom-client';

/** Why points were given up on, for `pulse_history_dropped_points_total{reason}`. */
export type DropReason =
  /** The buffer was full (store down or behind): the oldest buffered points went. */
  | 'buffer_full'
  /** The store refused the batch itself (a data error no retry can fix). */
  | 'rejected'
  /** The payload's `ts` is older than the longest retention or over a day ahead. */
  | 'out_of_range'
  /** Still buffered when the gateway shut down and the store did not take them in time. */
  | 'shutdown';

/** The history writer's metrics, registered on `/metrics` by the history module. */
export class HistoryTelemetry {
  readonly written = new Counter({
    name: 'pulse_history_written_points_total',
    help: 'Points stored durably (new rows; a point stored before is not counted again)',
    registers: [],
  });
  readonly dropped = new Counter({
    name: 'pulse_history_dropped_points_total',
    help: 'Points never stored durably, by reason',
    labelNames: ['reason'],
    registers: [],
  });
  readonly flushSeconds = new Histogram({
    name: 'pulse_history_flush_duration_seconds',
    help: 'Time to store one batch of points (successful flushes)',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [],
  });
  readonly buffered: Gauge;

  constructor(buffered: () => number) {
    this.buffered = new Gauge({
      name: 'pulse_history_buffered_points',
      help: 'Points accepted but not yet stored durably',
      registers: [],
      collect() {
        this.set(buffered());
      },
    });
  }

  get metrics(): readonly Metric[] {
    return [this.buffered, this.written, this.dropped, this.flushSeconds];
  }
}
