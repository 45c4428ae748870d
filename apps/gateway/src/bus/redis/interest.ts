import type { RedisLink } from './redis-link.js';

/** Redis is not reachable now; callers answer UNAVAILABLE with a retry hint. */
export class RedisUnavailable extends Error {
  override readonly name = 'RedisUnavailable';
}

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
}

/**
 * The Redis channels this instance listens to. Reference-counted (one channel per watched
 * pattern), batched (every change made in one tick goes out as one SUBSCRIBE / UNSUBSCRIBE),
 * and `add` resolves only once Redis confirmed the subscription, so history read afterwards
 * cannot miss a live message. After a reconnect everything still wanted is subscribed again.
 */
export class Interest {
  private readonly wanted = new Map<string, number>();
  /** Confirmed by Redis on the current connection. */
  private readonly active = new Set<string>();
  private readonly toSubscribe = new Set<string>();
  private readonly toUnsubscribe = new Set<string>();
  private readonly waiters = new Map<string, Waiter[]>();
  private flushQueued = false;
  /** Subscriber connected and every wanted channel restored. */
  private live = false;
  private liveWaiters: (() => void)[] = [];

  constructor(
    private readonly link: RedisLink,
    private readonly onError: (err: unknown) => void,
  ) {}

  get isLive(): boolean {
    return this.live && this.link.subscriberReady();
  }

  /** Resolves the next time (or now, if) the subscriber is live. */
  untilLive(): Promise<void> {
    if (this.isLive) return Promise.resolve();
    return new Promise((resolve) => this.liveWaiters.push(resolve));
  }

  get channelCount(): number {
    return this.wanted.size;
  }

  add(channel: string): Promise<void> {
    this.wanted.set(channel, (this.wanted.get(channel) ?? 0) + 1);
    this.toUnsubscribe.delete(channel);
    if (this.active.has(channel)) return Promise.resolve();
    // Not live: fail now instead of parking the caller; the count stays until `remove`.
    if (!this.isLive) return Promise.reject(new RedisUnavailable('redis subscriber not connected'));
    this.toSubscribe.add(channel);
    this.queueFlush();
    return new Promise((resolve, reject) => {
      const list = this.waiters.get(channel) ?? [];
      list.push({ resolve, reject });
      this.waiters.set(channel, list);
    });
  }

  remove(channel: string): void {
    const n = (this.wanted.get(channel) ?? 0) - 1;
    if (n > 0) return void this.wanted.set(channel, n);
    this.wanted.delete(channel);
    this.toSubscribe.delete(channel);
    if (this.active.has(channel)) {
      this.toUnsubscribe.add(channel);
      this.queueFlush();
    }
  }

  /**
   * The subscriber connection is (back) up. Unless the link restores subscriptions itself,
   * subscribe every wanted channel again. Resolves when live; `heal` then runs for what was
   * missed while down.
   */
  async restore(): Promise<void> {
    this.toSubscribe.clear();
    this.toUnsubscribe.clear();
    const channels = [...this.wanted.keys()];
    if (!this.link.resubscribesItself && channels.length > 0) {
      await this.link.subscribe(channels);
    }
    for (const c of channels) this.active.add(c);
    this.live = true;
    for (const c of channels) this.settle(c);
    for (const wake of this.liveWaiters.splice(0)) wake();
  }

  /** The subscriber connection dropped: nothing is active any more, waiting callers fail. */
  lost(): void {
    this.live = false;
    this.active.clear();
    this.toSubscribe.clear();
    this.toUnsubscribe.clear();
    const err = new RedisUnavailable('redis subscriber connection lost');
    for (const [channel, list] of this.waiters) {
      this.waiters.delete(channel);
      for (const w of list) w.reject(err);
    }
  }

  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => {
      this.flushQueued = false;
      this.flush();
    });
  }

  private flush(): void {
    const subscribe = [...this.toSubscribe];
    const unsubscribe = [...this.toUnsubscribe];
    this.toSubscribe.clear();
    this.toUnsubscribe.clear();
    if (subscribe.length > 0) {
      this.link.subscribe(subscribe).then(
        () => {
          for (const c of subscribe) {
            this.active.add(c);
            this.settle(c);
            // Released while the SUBSCRIBE was in flight: take it back.
            if (!this.wanted.has(c)) {
              this.toUnsubscribe.add(c);
              this.queueFlush();
            }
          }
        },
        (err: unknown) => {
          const failure = new RedisUnavailable(`subscribe failed: ${String(err)}`);
          for (const c of subscribe) this.settle(c, failure);
        },
      );
    }
    if (unsubscribe.length > 0) {
      for (const c of unsubscribe) this.active.delete(c);
      this.link.unsubscribe(unsubscribe).catch(this.onError);
    }
  }

  private settle(channel: string, err?: Error): void {
    const list = this.waiters.get(channel);
    if (!list) return;
    this.waiters.delete(channel);
    for (const w of list) {
      if (err) w.reject(err);
      else w.resolve();
    }
  }
}
