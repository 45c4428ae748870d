import { systemClock, type Clock } from './clock.js';
import type { Opener } from './connection.js';
import { deviceIds, SimDevice } from './devices.js';
import { SimFeed } from './feeds.js';
import type { SimConfig } from './flags.js';
import { Rng } from './random.js';
import { Stats, type Gauges } from './stats.js';

export interface SimulationDeps {
  readonly open: Opener;
  readonly clock?: Clock;
  readonly stats?: Stats;
}

/** The whole fleet: `--devices` devices and, when `--symbols` > 0, one price feed. */
export class Simulation {
  readonly stats: Stats;
  readonly devices: readonly SimDevice[];
  readonly feed: SimFeed | undefined;
  private readonly clock: Clock;
  private startedAt: number | undefined;
  private stoppedAt: number | undefined;

  constructor(config: SimConfig, deps: SimulationDeps) {
    this.clock = deps.clock ?? systemClock;
    this.stats = deps.stats ?? new Stats();
    const rng = new Rng(config.seed);
    const startMs = this.clock.now();
    const common = {
      clock: this.clock,
      stats: this.stats,
      open: deps.open,
      ackRatio: config.ackRatio,
    };
    this.devices = deviceIds(config.devices).map(
      (id) =>
        new SimDevice({
          ...common,
          id,
          hz: config.hz,
          rng: rng.fork(id),
          dropoutPerMinute: config.dropoutPerMinute,
          signals: {
            startMs,
            timeScale: config.timeScale,
            spikeProbability: config.spikeProbability,
          },
        }),
    );
    this.feed =
      config.symbols > 0
        ? new SimFeed({
            ...common,
            symbols: config.symbols,
            tickHz: config.tickHz,
            rng: rng.fork('feed'),
          })
        : undefined;
  }

  start(): void {
    this.startedAt = this.clock.now();
    this.feed?.start();
    for (const d of this.devices) d.start();
  }

  /** Closes every connection; idempotent. */
  stop(): void {
    if (this.stoppedAt !== undefined) return;
    this.stoppedAt = this.clock.now();
    this.feed?.stop();
    for (const d of this.devices) d.stop();
  }

  /** Milliseconds between start and stop (or now). */
  get elapsedMs(): number {
    if (this.startedAt === undefined) return 0;
    return (this.stoppedAt ?? this.clock.now()) - this.startedAt;
  }

  gauges(): Gauges {
    let online = 0;
    let connected = 0;
    for (const d of this.devices) {
      if (d.online) online++;
      if (d.connected) connected++;
    }
    return {
      devicesTotal: this.devices.length,
      devicesOnline: online,
      devicesConnected: connected,
      feedConnected: this.feed?.connected ?? false,
      symbols: this.feed?.symbols.length ?? 0,
    };
  }
}
