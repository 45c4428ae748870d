// What one load-generator process counts: per measurement window (deliveries, frames, latency,
// acks) and over the whole run (errors, notices and close codes by kind).
import { Histogram } from '../histogram.mjs';

/** A named time window [start, end) in wall-clock ms. */
export class Window {
  deliveries = 0;
  frames = 0;
  batchFrames = 0;
  acks = 0;
  publishes = 0;
  latency = new Histogram();
  /** Publish-to-acknowledgement time of the acknowledged publishes sent in this window. */
  ackLatency = new Histogram();
  constructor(name, start, end) {
    this.name = name;
    this.start = start;
    this.end = end;
  }

  toJSON() {
    return {
      name: this.name,
      start: this.start,
      end: this.end,
      deliveries: this.deliveries,
      frames: this.frames,
      batchFrames: this.batchFrames,
      acks: this.acks,
      publishes: this.publishes,
      latency: this.latency.toJSON(),
      ackLatency: this.ackLatency.toJSON(),
    };
  }
}

export class Tally {
  /** @type {Window[]} */
  windows = [];
  deliveries = 0;
  frames = 0;
  outOfOrder = 0;
  errors = {};
  notices = {};
  closes = {};
  lastDeliveryAt = 0;

  /** Index of the window holding time `t`, or -1. */
  windowAt(t) {
    const w = this.windows;
    for (let i = 0; i < w.length; i++) if (t >= w[i].start && t < w[i].end) return i;
    return -1;
  }

  count(bucket, key) {
    bucket[key] = (bucket[key] ?? 0) + 1;
  }
}
