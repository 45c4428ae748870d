import { Injectable } from '@nestjs/common';

/**
 * Counters the hot path bumps as plain numbers; `/metrics` reads them at scrape time. A
 * prom-client `inc()` per delivered message would hash labels millions of times a second.
 */
@Injectable()
export class Stats {
  /** Publishes accepted into the bus, by topic family. */
  readonly published: Record<string, number> = { device: 0, price: 0, presence: 0, alarm: 0 };
  /** Topic messages handed to sockets (each message in a batch counts). */
  delivered = 0;
  /** WebSocket frames carrying topic messages. */
  frames = 0;
  /** Frames that were batches of more than one message. */
  batches = 0;
  bytesOut = 0;
  /** Updates a throttle or a slow connection replaced with a later one. */
  conflated = 0;
  /** Messages an aggregate throttle folded from several updates. */
  aggregated = 0;
  /** Requests refused with RATE_LIMITED, by kind. */
  readonly rateLimited: Record<'publish' | 'control' | 'connect', number> = {
    publish: 0,
    control: 0,
    connect: 0,
  };
  /** Error frames sent, by code. */
  readonly errors: Record<string, number> = {};
  /** Connections closed, by close code. */
  readonly closes: Record<number, number> = {};
  slowConsumerCloses = 0;
  inboundPauses = 0;
  invalidFrames = 0;

  error(code: string): void {
    this.errors[code] = (this.errors[code] ?? 0) + 1;
  }

  closed(code: number): void {
    this.closes[code] = (this.closes[code] ?? 0) + 1;
  }
}
