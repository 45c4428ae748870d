import type { Alarm, TopicMessage } from '@pulse/protocol';
import { countBy, keySet } from '../lib/collections.js';

/** One alarm as the console lists it: raised, and cleared once the gateway says so. */
export interface AlarmEntry {
  /** `<deviceId>.<metric>.<rule>`: one rule on one device metric. */
  readonly key: string;
  readonly deviceId: string;
  readonly metric: string;
  readonly rule: string;
  readonly threshold: number;
  /** Undefined when the raise is older than the history the console got. */
  readonly raisedAt: number | undefined;
  readonly raisedValue: number | undefined;
  readonly clearedAt?: number;
  readonly clearedValue?: number;
}

export interface AlarmsOptions {
  /** Cleared alarms kept for the list, newest first (default 200). */
  clearedLimit?: number;
  /** Called after each ingested message; the app schedules a `flush()` on the next frame. */
  onChange?: () => void;
}

/**
 * Active and cleared alarms from `alarm.*.<metric>`, in the order the gateway raised them.
 * Every operator sees the same list: the gateway decides, the console only shows.
 */
export class AlarmsState {
  /** Raised and not yet cleared, newest first. */
  active = $state.raw<readonly AlarmEntry[]>([]);
  /** Cleared, newest first, at most `clearedLimit`. */
  cleared = $state.raw<readonly AlarmEntry[]>([]);
  /** Active alarms per device id, for marking devices in the fleet. */
  readonly byDevice: ReadonlyMap<string, number> = $derived(
    countBy(this.active, (a) => a.deviceId),
  );
  /** Active alarms per `<deviceId>.<metric>`, for marking a metric. */
  readonly byMetric: ReadonlySet<string> = $derived(
    keySet(this.active, (a) => `${a.deviceId}.${a.metric}`),
  );

  // Plain on purpose: written per message, published once per frame by `flush()`.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #active = new Map<string, AlarmEntry>();
  #cleared: AlarmEntry[] = [];
  readonly #limit: number;
  readonly #onChange: () => void;
  #dirty = false;

  constructor(options: AlarmsOptions = {}) {
    this.#limit = options.clearedLimit ?? 200;
    this.#onChange = options.onChange ?? (() => {});
  }

  /** An `alarm.<deviceId>.<metric>` message. */
  ingest(msg: TopicMessage<Alarm>): void {
    const a = msg.payload;
    const key = `${a.deviceId}.${a.metric}.${a.rule}`;
    const open = this.#active.get(key);
    if (a.state === 'raised') {
      // Raised again while open (a restarted gateway re-evaluating): the alarm goes on.
      if (!open) {
        this.#active.set(key, {
          key,
          deviceId: a.deviceId,
          metric: a.metric,
          rule: a.rule,
          threshold: a.threshold,
          raisedAt: a.ts,
          raisedValue: a.value,
        });
      }
    } else {
      this.#active.delete(key);
      const entry: AlarmEntry = {
        key,
        deviceId: a.deviceId,
        metric: a.metric,
        rule: a.rule,
        threshold: a.threshold,
        raisedAt: open?.raisedAt,
        raisedValue: open?.raisedValue,
        clearedAt: a.ts,
        clearedValue: a.value,
      };
      this.#cleared.unshift(entry);
      if (this.#cleared.length > this.#limit) this.#cleared.length = this.#limit;
    }
    this.#dirty = true;
    this.#onChange();
  }

  /** Publishes pending changes; true when anything changed. */
  flush(): boolean {
    if (!this.#dirty) return false;
    this.#dirty = false;
    this.active = [...this.#active.values()].sort((x, y) => (y.raisedAt ?? 0) - (x.raisedAt ?? 0));
    this.cleared = [...this.#cleared];
    return true;
  }
}
