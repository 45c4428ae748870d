import type { ConnectionStatus, SubscribeOptions } from '@pulse/client';
import type { TopicMessage } from '@pulse/protocol';
import { feedKey, patternsOverlap, type FeedKind, type FeedSpec } from './state/feed-plan.js';

/** The part of `PulseClient` the feeds use (a fake in tests). */
export interface FeedClient {
  subscribe(
    topic: string,
    handler: (message: TopicMessage<unknown>) => void,
    options?: SubscribeOptions,
  ): () => void;
  ping(): Promise<number>;
  readonly status: ConnectionStatus;
}

export type FeedHandlers = Readonly<Record<FeedKind, (message: TopicMessage<unknown>) => void>>;

/**
 * Keeps the view subscriptions equal to the latest plan: unsubscribes what is no longer wanted,
 * subscribes what is new. Changes run one at a time, and a burst of plans ends on the last one.
 *
 * When a new subscription covers topics an old one delivered (fleet → device, or a new rate),
 * it waits for a ping round trip after unsubscribing. A reply never overtakes the updates
 * queued before it (protocol §11, enforced by the gateway's `outflow/outbox.ts` and its tests),
 * so once the pong is back no message of the old subscription is still on the wire; one arriving after the new subscribe would count as the latest seen for
 * its topic and make the client drop the new subscription's history as duplicates.
 */
export class Feeds {
  readonly #client: FeedClient;
  readonly #handlers: FeedHandlers;
  readonly #barrierTimeoutMs: number;
  readonly #active = new Map<string, { spec: FeedSpec; off: () => void }>();
  #wanted: readonly FeedSpec[] = [];
  #running: Promise<void> | undefined;
  #again = false;
  #disposed = false;

  constructor(client: FeedClient, handlers: FeedHandlers, barrierTimeoutMs = 2000) {
    this.#client = client;
    this.#handlers = handlers;
    this.#barrierTimeoutMs = barrierTimeoutMs;
  }

  /** The subscriptions currently held, as `topic|rate|history` keys. */
  get active(): string[] {
    return [...this.#active.keys()];
  }

  /** Moves towards `specs`; resolves once the subscriptions match the latest plan. */
  apply(specs: readonly FeedSpec[]): Promise<void> {
    if (this.#disposed) return Promise.resolve();
    this.#wanted = specs;
    this.#again = true;
    this.#running ??= this.#loop();
    return this.#running;
  }

  /** Unsubscribes everything and ignores later plans. */
  dispose(): void {
    this.#disposed = true;
    this.#wanted = [];
    for (const { off } of this.#active.values()) off();
    this.#active.clear();
  }

  async #loop(): Promise<void> {
    try {
      while (this.#again && !this.#disposed) {
        this.#again = false;
        await this.#sync(this.#wanted);
      }
    } finally {
      this.#running = undefined;
    }
  }

  async #sync(specs: readonly FeedSpec[]): Promise<void> {
    const wanted = new Map(specs.map((s) => [feedKey(s), s]));
    const removed: FeedSpec[] = [];
    for (const [key, { spec, off }] of this.#active) {
      if (wanted.has(key)) continue;
      off();
      this.#active.delete(key);
      removed.push(spec);
    }
    const added = [...wanted].filter(([key]) => !this.#active.has(key));
    if (added.length === 0) return;
    const overlaps = removed.some((r) => added.some(([, a]) => patternsOverlap(r.topic, a.topic)));
    if (overlaps && this.#client.status === 'connected') {
      await this.#barrier();
      if (this.#again || this.#disposed) return; // a newer plan: the loop starts over
    }
    for (const [key, spec] of added) {
      const off = this.#client.subscribe(spec.topic, this.#handlers[spec.kind], {
        history: spec.history,
        ...(spec.maxRate !== undefined && { maxRate: spec.maxRate }),
      });
      this.#active.set(key, { spec, off });
    }
  }

  /** A ping round trip, or at most the timeout (a dead link must not freeze navigation). */
  #barrier(): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.#barrierTimeoutMs);
      this.#client.ping().then(
        () => {
          clearTimeout(timer);
          resolve();
        },
        () => {
          clearTimeout(timer);
          resolve();
        },
      );
    });
  }
}
