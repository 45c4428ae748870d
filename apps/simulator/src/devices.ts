import type { Clock } from './clock.js';
import type { Opener } from './connection.js';
import { Pacer } from './pacer.js';
import type { Rng } from './random.js';
import { PublisherSession } from './session.js';
import { Dropout } from './signals/dropout.js';
import { DeviceSignals, type DeviceSignalOptions } from './signals/payloads.js';
import type { Stats } from './stats.js';

/** `dev-001`, `dev-002`, ... wide enough for `count` (`dev-1000` past 999). */
export function deviceIds(count: number): string[] {
  const width = Math.max(3, String(count).length);
  return Array.from({ length: count }, (_, i) => `dev-${String(i + 1).padStart(width, '0')}`);
}

export interface SimDeviceOptions {
  readonly id: string;
  /** Readings per second, per metric. */
  readonly hz: number;
  readonly rng: Rng;
  readonly clock: Clock;
  readonly stats: Stats;
  readonly open: Opener;
  readonly ackRatio: number;
  readonly signals: DeviceSignalOptions;
  /** Chance per minute of dropping off the network. */
  readonly dropoutPerMinute: number;
}

/**
 * One simulated device: its own connection (role `device`, subject = id), publishing every
 * metric at `hz`. When its dropout says offline it closes the connection, which the gateway
 * reports as presence offline; when it comes back it connects with a new client.
 */
export class SimDevice {
  readonly session: PublisherSession;
  private readonly signals: DeviceSignals;
  private readonly dropout: Dropout;
  private readonly pacer: Pacer;

  constructor(private readonly o: SimDeviceOptions) {
    this.session = new PublisherSession({
      role: 'device',
      sub: o.id,
      open: o.open,
      stats: o.stats,
      clock: o.clock,
      rng: o.rng.fork('acks'),
      ackRatio: o.ackRatio,
      intervalMs: 1000 / o.hz,
    });
    this.signals = new DeviceSignals(o.id, o.rng.fork('signals'), o.signals);
    this.dropout = new Dropout(
      o.rng.fork('dropout'),
      { probabilityPerMinute: o.dropoutPerMinute },
      o.clock.now(),
    );
    this.pacer = new Pacer(o.clock, this.session.flow, (now) => this.tick(now));
  }

  get id(): string {
    return this.o.id;
  }

  /** Whether the simulation has the device on the network (it may still be connecting). */
  get online(): boolean {
    return this.dropout.online;
  }

  get connected(): boolean {
    return this.session.connected;
  }

  start(): void {
    this.session.connect();
    // A random phase keeps a fleet from publishing in lockstep.
    this.pacer.start(this.o.rng.fork('phase').range(0, 1000 / this.o.hz));
  }

  stop(): void {
    this.pacer.stop();
    this.session.stop();
  }

  private tick(now: number): void {
    switch (this.dropout.update(now)) {
      case 'went-offline':
        this.o.stats.dropouts++;
        this.session.disconnect();
        return;
      case 'came-back':
        this.session.connect();
        break;
      case 'none':
        break;
    }
    if (!this.dropout.online) return;
    // While (re)connecting the publisher counts these as skipped rather than queueing stale data.
    for (const { topic, payload } of this.signals.readings(now))
      this.session.publisher.send(topic, payload);
  }
}
