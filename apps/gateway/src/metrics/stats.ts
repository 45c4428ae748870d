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
  /** The same, by topic family (see `countDelivered`). */
  readonly deliveredByFamily: Record<string, number> = {
    device: 0,
    price: 0,
    presence: 0,
    alarm: 0,
  };
  /** WebSocket frames carrying topic messages. */
  frames = 0;
  /** Frames that were batches of more than one message. */
  batches = 0;
  bytesOut = 0;
  /** Bytes of inbound WebSocket frames (HTTP publish bodies not included). */
  bytesIn = 0;
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
  /** Connections and HTTP requests refused before they began (401/403/429/503), by code. */
  readonly refused: Record<string, number> = {};
  /** Error frames sent, by code. */
  readonly errors: Record<string, number> = {};
  /** Connections closed, by close code. */
  readonly closes: Record<number, number> = {};
  slowConsumerCloses = 0;
  tokenRefreshes = 0;
  inboundPauses = 0;
  /** Keyed publishes answered with the original ack (their key was seen within the window). */
  publishRepeats = 0;
  invalidFrames = 0;
  /** Messages from the external-broker bridge, by outcome (`mqtt/bridge/bridge-state.ts`). */
  readonly mqttBridge = { stored: 0, refused: 0, throttled: 0, unavailable: 0 };

  /**
   * Counts delivered messages by family. Runs per message per connection, so the family is
   * told by one character: the third of `device`, `price`, `presence`, `alarm` differs.
   */
  countDelivered(messages: readonly { readonly topic: string }[]): void {
    const by = this.deliveredByFamily;
    for (let i = 0; i < messages.length; i++) {
      switch (messages[i]!.topic.charCodeAt(2)) {
        case 0x76: // de(v)ice
          by.device! += 1;
          break;
        case 0x69: // pr(i)ce
          by.price! += 1;
          break;
        case 0x65: // pr(e)sence
          by.presence! += 1;
          break;
        case 0x61: // al(a)rm
          by.alarm! += 1;
          break;
      }
    }
    this.delivered += messages.length;
  }

  error(code: string): void {
    this.errors[code] = (this.errors[code] ?? 0) + 1;
  }

  closed(code: number): void {
    this.closes[code] = (this.closes[code] ?? 0) + 1;
  }
}
