import { topics, type PriceTick, type SensorReading } from '@pulse/protocol';
import type { Rng } from '../random.js';
import type { SymbolSpec } from '../symbols.js';
import { createPriceWalk, PRICE_DEFAULTS, type PriceWalk } from './price.js';
import { createSensorSignal, METRICS, simulatedTime, type SensorSignal } from './sensor.js';

/** One message ready to publish. */
export interface Outgoing<P> {
  readonly topic: string;
  readonly payload: P;
}

export interface DeviceSignalOptions {
  /** Real time the run started (ms); simulated time starts there too. */
  readonly startMs: number;
  /** Simulated ms per real ms (60 = a simulated day in 24 real minutes). */
  readonly timeScale: number;
  readonly spikeProbability?: number;
}

/** All metrics of one device: `readings(now)` yields one reading per metric. */
export class DeviceSignals {
  private readonly signals: readonly SensorSignal[];

  constructor(
    readonly deviceId: string,
    rng: Rng,
    private readonly options: DeviceSignalOptions,
  ) {
    const spikeProbability = options.spikeProbability;
    this.signals = METRICS.map((m) =>
      createSensorSignal(
        m,
        rng.fork(m),
        spikeProbability === undefined ? {} : { spikeProbability },
      ),
    );
  }

  /** Readings at real time `nowMs`; timestamps are real, the signal shape follows simulated time. */
  readings(nowMs: number): Outgoing<SensorReading>[] {
    const simMs = simulatedTime(this.options.startMs, this.options.timeScale, nowMs);
    const ts = Math.round(nowMs);
    return this.signals.map((s) => ({
      topic: topics.device(this.deviceId, s.metric),
      payload: { value: s.sample(simMs).value, unit: s.unit, ts },
    }));
  }
}

/** All symbols of one feed: `ticks(now)` advances every walk to `now` and quotes it. */
export class FeedSignals {
  private readonly walks: readonly { readonly topic: string; readonly walk: PriceWalk }[];
  private lastMs: number | undefined;

  constructor(specs: readonly SymbolSpec[], rng: Rng) {
    this.walks = specs.map((s) => ({
      topic: topics.price(s.symbol),
      walk: createPriceWalk(rng.fork(s.symbol), {
        start: s.start,
        calmVol: PRICE_DEFAULTS.calmVol * s.volScale,
      }),
    }));
  }

  ticks(nowMs: number): Outgoing<PriceTick>[] {
    const dt = this.lastMs === undefined ? 0 : Math.max(0, nowMs - this.lastMs);
    this.lastMs = nowMs;
    return this.walks.map(({ topic, walk }) => ({ topic, payload: walk.step(dt, nowMs) }));
  }
}
