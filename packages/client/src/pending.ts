import type { Ack, Publish } from '@pulse/protocol';
import type { Clock } from './clock.js';
import { PulseError } from './errors.js';

/** A promise's two ends, kept until the server answers. */
export interface Waiter<T> {
  resolve(value: T): void;
  reject(error: PulseError): void;
}

/**
 * Requests sent and awaiting a reply, by request id. Each has a timeout so a reply that never
 * comes (a server bug, a dropped frame) does not leave a promise pending forever.
 */
export class PendingRequests<T> {
  readonly #waiting = new Map<number, { waiter: Waiter<T>; timer: unknown }>();

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number,
  ) {}

  get size(): number {
    return this.#waiting.size;
  }

  add(id: number, waiter: Waiter<T>): void {
    const timer = this.clock.setTimeout(() => {
      this.#waiting.delete(id);
      waiter.reject(
        new PulseError('TIMEOUT', `no reply to request ${id} within ${this.timeoutMs} ms`),
      );
    }, this.timeoutMs);
    this.#waiting.set(id, { waiter, timer });
  }

  /** Settles request `id`; returns false when it is not (or no longer) waiting. */
  resolve(id: number, value: T): boolean {
    const entry = this.#take(id);
    entry?.waiter.resolve(value);
    return entry !== undefined;
  }

  reject(id: number, error: PulseError): boolean {
    const entry = this.#take(id);
    entry?.waiter.reject(error);
    return entry !== undefined;
  }

  /** Rejects everything, e.g. with DISCONNECTED when the socket goes away. */
  rejectAll(error: PulseError): void {
    const entries = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const { waiter, timer } of entries) {
      this.clock.clearTimeout(timer);
      waiter.reject(error);
    }
  }

  #take(id: number): { waiter: Waiter<T>; timer: unknown } | undefined {
    const entry = this.#waiting.get(id);
    if (!entry) return undefined;
    this.#waiting.delete(id);
    this.clock.clearTimeout(entry.timer);
    return entry;
  }
}

/** A publish made while not connected, with the waiter of its ack when one was asked for. */
export interface QueuedPublish {
  readonly frame: Publish;
  readonly waiter?: Waiter<Ack>;
}

/** Publishes held while disconnected, oldest first, bounded so an offline client stays small. */
export class PublishQueue {
  #items: QueuedPublish[] = [];

  constructor(readonly limit: number) {}

  get size(): number {
    return this.#items.length;
  }

  /** Returns false when the queue is full (the publish is not queued). */
  push(item: QueuedPublish): boolean {
    if (this.#items.length >= this.limit) return false;
    this.#items.push(item);
    return true;
  }

  /** Takes everything, oldest first. */
  drain(): QueuedPublish[] {
    const items = this.#items;
    this.#items = [];
    return items;
  }
}

/** Request ids: positive, wrapping below the protocol's 2^31 bound. */
export class RequestIds {
  #next = 1;

  next(): number {
    const id = this.#next;
    this.#next = id >= 2 ** 31 - 1 ? 1 : id + 1;
    return id;
  }
}
