import {
  CODECS,
  isTopic,
  isTopicPattern,
  type Ack,
  type PayloadOf,
  type Publish,
  type Subscribe,
  type TopicMessage,
  type Welcome,
} from '@pulse/protocol';
import { Connection, type ControlFrame } from './connection.js';
import { Dispatcher } from './dispatch.js';
import { Emitter } from './emitter.js';
import { PulseError } from './errors.js';
import type { ClientStats, PulseClientEvents } from './events.js';
import { resolveOptions, type PulseClientOptions } from './options.js';
import { PendingRequests, PublishQueue, RequestIds, type QueuedPublish } from './pending.js';
import { isRetryablePublishError, keyMaker, publishRetryDelay } from './publish-retry.js';
import type { ResumeFields } from './resume.js';
import { assertNever, type ConnectionStatus } from './status.js';
import { TokenRefresher } from './token-refresh.js';
import type { TransportName, Transports } from './transport.js';
import type { MessageHandler, SubscribeOptions, SubscriptionEntry } from './subscriptions.js';

export interface PublishOptions {
  /** Ask the server to acknowledge; `publish` then returns a promise of the `Ack`. */
  readonly ack?: boolean;
  /**
   * Idempotency key (1–64 of `A-Z a-z 0-9 _ - .`): a retry with the same key within the
   * server's window gets the first ack and stores nothing. Generated when `retry` is set.
   */
  readonly key?: string;
  /**
   * With `ack`: retry with the same key, across reconnects, on `UNAVAILABLE`,
   * `OUTCOME_UNKNOWN`, `RATE_LIMITED`, `INTERNAL`, `DISCONNECTED` and `TIMEOUT` (after
   * `retryAfterMs`, else the backoff), until acknowledged, refused for good, the client is
   * closed, or `publishRetryDeadlineMs` has passed (then the last error rejects).
   */
  readonly retry?: boolean;
}

/**
 * The Pulse client: one connection that reconnects with backoff, resumes every subscription
 * from the last sequence it delivered, drops duplicates, answers heartbeats and queues
 * publishes while offline. See the package README for the contract.
 */
export class PulseClient {
  readonly #events = new Emitter<PulseClientEvents>();
  readonly #dispatch = new Dispatcher();
  readonly #ids = new RequestIds();
  readonly #acks: PendingRequests<Ack>;
  readonly #queue: PublishQueue;
  readonly #connection: Connection;
  readonly #refresher: TokenRefresher;
  readonly #transports: Transports;
  readonly #keys = keyMaker();
  readonly #options: ReturnType<typeof resolveOptions>;
  #dropped = 0;
  #publishRetries = 0;

  constructor(options: PulseClientOptions) {
    const resolved = resolveOptions(options);
    this.#options = resolved;
    this.#transports = resolved.transports;
    this.#acks = new PendingRequests(resolved.clock, resolved.requestTimeoutMs);
    this.#queue = new PublishQueue(resolved.maxQueuedPublishes);
    this.#connection = new Connection(resolved, CODECS[resolved.codec], this.#events, {
      onReady: () => this.#onReady(),
      onMessage: (message) => this.#dispatch.deliver(message),
      onControl: (frame) => this.#onControl(frame),
      onDown: () => this.#onDown(),
      onStop: (error) => {
        for (const item of this.#queue.drain()) this.#refuse(item, error);
      },
    });
    this.#refresher = new TokenRefresher(resolved.token, this.#ids, (m) =>
      this.#connection.send(m),
    );
  }

  get status(): ConnectionStatus {
    return this.#connection.status.status;
  }

  /** The `welcome` of the current connection (undefined while not connected). */
  get welcome(): Welcome | undefined {
    return this.#connection.welcome;
  }

  /** The transport of the current or next connection attempt (`websocket`, or `sse` after a fallback). */
  get transport(): TransportName {
    return this.#transports.current;
  }

  get serverId(): string | undefined {
    return this.#connection.welcome?.serverId;
  }

  get stats(): ClientStats {
    const { delivered, duplicates } = this.#dispatch;
    return {
      ...this.#connection.stats,
      messages: delivered,
      duplicates,
      dropped: this.#dropped,
      publishRetries: this.#publishRetries,
    };
  }

  on<K extends keyof PulseClientEvents>(
    event: K,
    handler: (event: PulseClientEvents[K]) => void,
  ): () => void {
    return this.#events.on(event, handler);
  }

  /** Starts connecting, and reconnecting until `close()`; a no-op while already doing so. */
  connect(): void {
    this.#connection.connect();
  }

  /** Closes with 1000 and stops reconnecting; subscriptions stay for a later `connect()`. */
  close(): void {
    this.#connection.close();
  }

  /**
   * Subscribes to a topic or one-wildcard pattern; returns the unsubscribe function. After a
   * reconnect the subscription resumes from the last seq delivered per concrete topic.
   */
  subscribe<T extends string>(
    topic: T,
    handler: (message: TopicMessage<PayloadOf<T>>) => void,
    options: SubscribeOptions = {},
  ): () => void {
    if (!isTopicPattern(topic)) {
      throw new PulseError('INVALID_TOPIC', `invalid topic pattern "${topic.slice(0, 200)}"`);
    }
    // A fresh closure per call, so subscribing the same function twice gives two subscriptions.
    const local: MessageHandler = (message) => handler(message as TopicMessage<PayloadOf<T>>);
    const { entry, created } = this.#dispatch.subscriptions.add(topic, local, options);
    if (created && this.#connection.canSend) this.#sendSubscribe(entry, undefined);
    if (options.history !== 0) this.#dispatch.replayLatest(topic, local);
    if (!this.#connection.started) this.#connection.connect();
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      if (!this.#dispatch.subscriptions.remove(topic, local)) return;
      // Offline there is nothing to undo: server subscriptions end with their connection.
      this.#connection.send({ type: 'unsubscribe', id: this.#ids.next(), topic });
      this.#dispatch.forgetUnused();
    };
  }

  /** Publishes fire-and-forget, or with `{ ack: true }` resolves with the server's `Ack`. */
  publish<T extends string>(topic: T, payload: PayloadOf<T>): void;
  publish<T extends string>(
    topic: T,
    payload: PayloadOf<T>,
    options: { readonly ack?: false; readonly key?: string },
  ): void;
  publish<T extends string>(
    topic: T,
    payload: PayloadOf<T>,
    options: { readonly ack: true; readonly key?: string; readonly retry?: boolean },
  ): Promise<Ack>;
  publish<T extends string>(
    topic: T,
    payload: PayloadOf<T>,
    options?: PublishOptions,
  ): Promise<Ack> | void;
  publish(topic: string, payload: unknown, options: PublishOptions = {}): Promise<Ack> | void {
    const invalid = isTopic(topic)
      ? undefined
      : new PulseError('INVALID_TOPIC', `cannot publish to "${topic.slice(0, 200)}"`);
    const key = options.key ?? (options.retry === true ? this.#keys() : undefined);
    const keyed = key === undefined ? {} : { key };
    if (options.ack !== true) {
      if (invalid) throw invalid;
      this.#publish({ frame: { type: 'publish', topic, ...keyed, payload } });
      return;
    }
    if (invalid) return Promise.reject(invalid);
    const attempt = () => {
      const frame: Publish = { type: 'publish', id: this.#ids.next(), topic, ...keyed, payload };
      return new Promise<Ack>((resolve, reject) => {
        this.#publish({ frame, waiter: { resolve, reject } });
      });
    };
    return options.retry === true ? this.#retrying(attempt) : attempt();
  }

  /** Runs `attempt` (each sends the same key) until acked or it fails for good. */
  async #retrying(attempt: () => Promise<Ack>): Promise<Ack> {
    const { clock, backoff, publishRetryDeadlineMs } = this.#options;
    const deadline = clock.now() + publishRetryDeadlineMs;
    for (let n = 1; ; n++) {
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof PulseError) || !isRetryablePublishError(error)) throw error;
        // After close() (or a fatal close code) nobody will send it: give up now.
        if (!this.#connection.active) throw error;
        const delay = publishRetryDelay(error, n, backoff);
        if (clock.now() + delay > deadline) throw error;
        this.#publishRetries++;
        await new Promise<void>((resolve) => clock.setTimeout(resolve, delay));
      }
    }
  }

  /** Round-trip time to the server in ms; rejects with DISCONNECTED when not connected. */
  ping(): Promise<number> {
    return this.#connection.ping();
  }

  /**
   * Welcome: resubscribe (resuming where we were) and then flush queued publishes, so frames
   * leave in the order they were made, before any status listener can add more.
   */
  #onReady(): void {
    for (const entry of this.#dispatch.subscriptions.entries()) {
      this.#sendSubscribe(entry, this.#dispatch.resume.resumeFor(entry.pattern));
    }
    for (const item of this.#queue.drain()) this.#sendPublish(item);
  }

  #onDown(): void {
    this.#refresher.reset();
    for (const entry of this.#dispatch.subscriptions.entries()) entry.pendingId = undefined;
    this.#acks.rejectAll(new PulseError('DISCONNECTED', 'connection lost before the ack'));
  }

  #onControl(frame: ControlFrame): void {
    switch (frame.type) {
      case 'subscribed': {
        const entry = this.#dispatch.subscriptions.byRequestId(frame.id);
        if (!entry) return;
        entry.pendingId = undefined;
        if (frame.recovered !== undefined) {
          this.#events.emit('resumed', { topic: frame.topic, recovered: frame.recovered });
        }
        return;
      }
      case 'unsubscribed':
        return;
      case 'ack':
        this.#acks.resolve(frame.id, frame);
        return;
      case 'error':
        if (this.#refresher.settle(frame.ref)) {
          this.#events.emit('error', frame); // the old token holds until it expires
          return;
        }
        if (frame.ref !== undefined) {
          if (this.#acks.reject(frame.ref, PulseError.fromFrame(frame))) return;
          // A refused subscribe is not active on the server; the next connection tries again.
          const entry = this.#dispatch.subscriptions.byRequestId(frame.ref);
          if (entry) entry.pendingId = undefined;
        }
        this.#events.emit('error', frame);
        return;
      case 'notice':
        this.#events.emit('notice', frame);
        this.#refresher.onNotice(frame);
        return;
      case 'authenticated':
        if (this.#refresher.settle(frame.id)) {
          this.#events.emit(
            'authenticated',
            frame.expiresAt === undefined ? {} : { expiresAt: frame.expiresAt },
          );
        }
        return;
      default:
        return assertNever(frame);
    }
  }

  #sendSubscribe(entry: SubscriptionEntry, resume: ResumeFields): void {
    const id = this.#ids.next();
    const { history, maxRate } = entry.options;
    const frame: Subscribe = {
      type: 'subscribe',
      id,
      topic: entry.pattern,
      // A resume replaces `history`: the server sends what was missed, not a fresh backfill.
      ...(resume ?? (history !== undefined && { history })),
      ...(maxRate !== undefined && { maxRate }),
    };
    if (this.#connection.send(frame)) entry.pendingId = id;
  }

  #publish(item: QueuedPublish): void {
    if (!this.#connection.started) this.#connection.connect();
    if (this.#connection.canSend) return this.#sendPublish(item);
    if (!this.#connection.active) {
      return this.#refuse(item, new PulseError('DISCONNECTED', 'client is closed; call connect()'));
    }
    if (!this.#queue.push(item)) {
      const message = `more than ${this.#queue.limit} publishes queued while offline`;
      this.#refuse(item, new PulseError('QUEUE_FULL', message));
    }
  }

  #sendPublish(item: QueuedPublish): void {
    const id = item.frame.id;
    if (item.waiter && id !== undefined) this.#acks.add(id, item.waiter);
    this.#connection.send(item.frame);
  }

  #refuse(item: QueuedPublish, error: PulseError): void {
    if (item.waiter) item.waiter.reject(error);
    else this.#dropped++;
  }
}
