import type { Clock } from './clock.js';
import type { Opener } from './connection.js';
import { Pacer } from './pacer.js';
import type { Rng } from './random.js';
import { PublisherSession } from './session.js';
import { FeedSignals } from './signals/payloads.js';
import type { Stats } from './stats.js';
import { symbolSpecs } from './symbols.js';

export const FEED_ID = 'feed-1';

export interface SimFeedOptions {
  /** How many symbols (AAPL, MSFT, BTC-USD, ..., then SYM11, ...). */
  readonly symbols: number;
  /** Ticks per second, per symbol. */
  readonly tickHz: number;
  readonly rng: Rng;
  readonly clock: Clock;
  readonly stats: Stats;
  readonly open: Opener;
  readonly ackRatio: number;
}

/** One price feed connection (role `feed`) publishing `price.<SYMBOL>` for every symbol. */
export class SimFeed {
  readonly session: PublisherSession;
  readonly symbols: readonly string[];
  private readonly signals: FeedSignals;
  private readonly pacer: Pacer;

  constructor(private readonly o: SimFeedOptions) {
    const specs = symbolSpecs(o.symbols);
    this.symbols = specs.map((s) => s.symbol);
    this.session = new PublisherSession({
      role: 'feed',
      sub: FEED_ID,
      open: o.open,
      stats: o.stats,
      clock: o.clock,
      rng: o.rng.fork('acks'),
      ackRatio: o.ackRatio,
      intervalMs: 1000 / o.tickHz,
    });
    this.signals = new FeedSignals(specs, o.rng.fork('prices'));
    this.pacer = new Pacer(o.clock, this.session.flow, (now) => this.tick(now));
  }

  get connected(): boolean {
    return this.session.connected;
  }

  start(): void {
    this.session.connect();
    this.pacer.start();
  }

  stop(): void {
    this.pacer.stop();
    this.session.stop();
  }

  private tick(now: number): void {
    // Prices move whether or not we are connected; the publisher skips sends without a link.
    for (const { topic, payload } of this.signals.ticks(now))
      this.session.publisher.send(topic, payload);
  }
}
