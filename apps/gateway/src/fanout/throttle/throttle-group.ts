import { BusMessage } from '../../bus/bus-message.js';
import type { ThrottleMode } from '../../config/flow-settings.js';
import type { Stats } from '../../metrics/stats.js';
import type { Subscription } from '../subscription.js';
import { foldFor, type Fold } from './fold.js';
import type { Due, Timeline } from './timeline.js';

/**
 * The throttle of one topic at one rate, shared by every subscription in `subscribers`.
 * The first update after a quiet interval goes out at once; later ones within the interval are
 * conflated (latest wins) or folded (aggregate), and go out when the interval ends, so a
 * subscriber always ends on the true latest value. Work per update is O(1) whatever the
 * number of subscribers; sending costs only what is sent.
 */
export class ThrottleGroup implements Due {
  dueAt = 0;
  heapIndex = -1;
  private lastEmitAt = -Infinity;
  private pending: BusMessage | undefined;
  private readonly fold: Fold | undefined;

  constructor(
    readonly topic: string,
    private readonly intervalMs: number,
    mode: ThrottleMode,
    private readonly subscribers: ReadonlySet<Subscription>,
    private readonly timeline: Timeline,
    private readonly stats: Stats,
  ) {
    this.fold = mode === 'aggregate' ? foldFor(topic) : undefined;
  }

  offer(message: BusMessage, now: number): void {
    if (this.pending === undefined && now - this.lastEmitAt >= this.intervalMs) {
      this.emit(message, now);
      return;
    }
    if (this.pending !== undefined) this.stats.conflated += 1;
    this.pending = message;
    this.fold?.add(message.payload);
    if (this.heapIndex === -1) this.timeline.schedule(this, this.lastEmitAt + this.intervalMs);
  }

  run(now: number): void {
    const latest = this.pending;
    if (!latest) return;
    this.pending = undefined;
    const agg = this.fold?.take();
    // A fold of one update is that update: reuse its shared, already-encoded frame.
    if (agg && agg.count > 1) {
      this.stats.aggregated += 1;
      this.emit(
        new BusMessage(latest.topic, latest.seq, latest.epoch, latest.ts, latest.payload, agg),
        now,
      );
    } else {
      this.emit(latest, now);
    }
  }

  /** Stops the group (its last subscriber left). */
  dispose(): void {
    this.timeline.cancel(this);
    this.pending = undefined;
  }

  private emit(message: BusMessage, now: number): void {
    this.lastEmitAt = now;
    for (const sub of this.subscribers) sub.deliver(message);
  }
}
