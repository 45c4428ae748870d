import type { Presence, SensorReading, TopicMessage, Transport } from '@pulse/protocol';
import { sensorAggregate, type ReadingPoint } from '../lib/history-buckets.js';
import { KeyedRows } from '../lib/keyed-rows.js';
import { LiveTails } from '../lib/live-tail.js';
import { SeriesStore } from '../lib/series-store.js';

/** The metrics the console subscribes to, one `device.*.<metric>` subscription each. */
export const METRICS = ['temperature', 'humidity', 'vibration', 'battery'] as const;
export type Metric = (typeof METRICS)[number];

/** How each metric is named on screen. */
export const METRIC_LABELS: Readonly<Record<Metric, string>> = {
  temperature: 'Temperature',
  humidity: 'Humidity',
  vibration: 'Vibration',
  battery: 'Battery',
};

/** What the device list shows for one device. Replaced, never mutated. */
export interface DeviceRow {
  readonly id: string;
  /** From `presence.<id>`; undefined until the first presence message. */
  readonly online: boolean | undefined;
  /** Latest of presence `lastSeen` and the server time of the last reading. */
  readonly lastSeen: number | undefined;
  /** How the device is connected, from its latest presence that said (older gateways do not). */
  readonly transport: Transport | undefined;
  readonly readings: Readonly<Partial<Record<Metric, SensorReading>>>;
}

export interface FleetOptions {
  /** Points kept per device metric (default 4500: 15 min at the 5/s device policy). */
  capacity?: number;
  /** Called after each ingested message; the app schedules a `flush()` on the next frame. */
  onChange?: () => void;
}

/** Whether `s` is one of the metrics the console shows. */
export function isMetric(s: string | undefined): s is Metric {
  return (METRICS as readonly (string | undefined)[]).includes(s);
}

/** Devices seen on `presence.*` and `device.*.<metric>`, and a chart series per device metric. */
export class FleetState {
  /** Devices in natural id order; a new array at most once per flush. */
  rows = $state.raw<readonly DeviceRow[]>([]);
  readonly onlineCount = $derived(this.rows.reduce((n, r) => (r.online ? n + 1 : n), 0));
  /** Chart series keyed by topic (`device.<id>.<metric>`), x = server ms, y = value. */
  readonly series: SeriesStore;
  /** Readings by payload time and seq, for the long (history) charts of the topics open. */
  readonly tails = new LiveTails<ReadingPoint>();
  readonly #devices = new KeyedRows<DeviceRow>();
  readonly #onChange: () => void;

  constructor(options: FleetOptions = {}) {
    this.series = new SeriesStore(options.capacity ?? 4500);
    this.#onChange = options.onChange ?? (() => {});
  }

  /** A `device.<id>.<metric>` message. */
  ingestReading(msg: TopicMessage<SensorReading>): void {
    const [, id, metric] = msg.topic.split('.');
    if (!id || !isMetric(metric)) return;
    const row = this.#row(id);
    this.#devices.set(id, {
      ...row,
      lastSeen: Math.max(row.lastSeen ?? 0, msg.ts),
      readings: { ...row.readings, [metric]: msg.payload },
    });
    this.series.push(msg.topic, msg.ts, msg.payload.value);
    this.tails.push(msg.topic, {
      t: msg.payload.ts,
      epoch: msg.epoch,
      seq: msg.seq,
      value: msg.payload.value,
      agg: sensorAggregate(msg.agg),
    });
    this.#onChange();
  }

  /** A `presence.<id>` message. */
  ingestPresence(msg: TopicMessage<Presence>): void {
    const id = msg.topic.slice('presence.'.length);
    if (!id) return;
    const row = this.#row(id);
    this.#devices.set(id, {
      ...row,
      online: msg.payload.online,
      lastSeen: Math.max(row.lastSeen ?? 0, msg.payload.lastSeen),
      transport: msg.payload.transport ?? row.transport,
    });
    this.#onChange();
  }

  /** Publishes pending changes to `rows`; true when anything changed. */
  flush(): boolean {
    const rows = this.#devices.flush();
    if (rows) this.rows = rows;
    return rows !== undefined;
  }

  #row(id: string): DeviceRow {
    return (
      this.#devices.get(id) ?? {
        id,
        online: undefined,
        lastSeen: undefined,
        transport: undefined,
        readings: {},
      }
    );
  }
}
