import { topicMatches, type TopicMessage } from '@pulse/protocol';

/** Receives the messages of one local subscription. */
export type MessageHandler<P = unknown> = (message: TopicMessage<P>) => void;

export interface SubscribeOptions {
  /** Most updates per second wanted; the server conflates above it (capped by topic policy). */
  readonly maxRate?: number;
  /** Recent messages per topic sent before live ones on a fresh subscribe (server default 1). */
  readonly history?: number;
}

/** One server subscription and the local handlers sharing it. */
export interface SubscriptionEntry {
  readonly pattern: string;
  /** The options of the first local subscription: one server subscription has one set. */
  readonly options: SubscribeOptions;
  readonly handlers: Set<MessageHandler>;
  /** Request id of the `subscribe` in flight on the current connection, if any. */
  pendingId: number | undefined;
}

/**
 * Local subscriptions by pattern, and the topic → handlers lookup used on every message. The
 * lookup is cached per concrete topic (cleared whenever the set of patterns changes) so the hot
 * path does not test every wildcard pattern again for every message.
 */
export class SubscriptionRegistry {
  readonly #entries = new Map<string, SubscriptionEntry>();
  readonly #byTopic = new Map<string, MessageHandler[]>();

  /** Adds a handler; `created` is true when the pattern needs a new server subscription. */
  add(
    pattern: string,
    handler: MessageHandler,
    options: SubscribeOptions,
  ): { entry: SubscriptionEntry; created: boolean } {
    let entry = this.#entries.get(pattern);
    const created = !entry;
    if (!entry) {
      entry = { pattern, options, handlers: new Set(), pendingId: undefined };
      this.#entries.set(pattern, entry);
    }
    entry.handlers.add(handler);
    this.#byTopic.clear();
    return { entry, created };
  }

  /** Removes a handler; returns the entry when that was its last handler (and drops it). */
  remove(pattern: string, handler: MessageHandler): SubscriptionEntry | undefined {
    const entry = this.#entries.get(pattern);
    if (!entry || !entry.handlers.delete(handler)) return undefined;
    this.#byTopic.clear();
    if (entry.handlers.size > 0) return undefined;
    this.#entries.delete(pattern);
    return entry;
  }

  /** Every handler whose pattern matches concrete `topic`; empty when nobody listens. */
  handlersFor(topic: string): readonly MessageHandler[] {
    let handlers = this.#byTopic.get(topic);
    if (!handlers) {
      handlers = [];
      for (const entry of this.#entries.values()) {
        if (topicMatches(entry.pattern, topic)) handlers.push(...entry.handlers);
      }
      this.#byTopic.set(topic, handlers);
    }
    return handlers;
  }

  /** The entry whose `subscribe` request had `id` on the current connection. */
  byRequestId(id: number): SubscriptionEntry | undefined {
    for (const entry of this.#entries.values()) if (entry.pendingId === id) return entry;
    return undefined;
  }

  entries(): IterableIterator<SubscriptionEntry> {
    return this.#entries.values();
  }

  patterns(): IterableIterator<string> {
    return this.#entries.keys();
  }
}
