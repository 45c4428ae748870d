import type { BusMessage } from '../bus-message.js';
import type { Repeat } from '../bus.js';

/** One publish waiting for its turn in Redis. */
export interface PendingPublish {
  readonly payload: unknown;
  /** The payload as JSON, inlined into the frame by the script. */
  readonly json: string;
  /** Idempotency key scoped to its publisher, or '' for none. */
  readonly key: string;
  resolve(message: BusMessage | Repeat): void;
  reject(err: unknown): void;
}

/** The publishes of one topic in a batch, in the order they were made. */
export interface TopicGroup {
  readonly topic: string;
  readonly items: PendingPublish[];
}

/**
 * Most publishes in one script call. A script holds Redis for as long as it runs, so this bounds
 * what one call can make other clients wait (about a millisecond); a full batch goes at once and
 * the next one starts filling.
 */
export const MAX_BATCH = 256;

/**
 * Collects the publishes of one turn of the event loop and hands them over grouped by topic, at
 * most `maxTopicsPerCall` topics per call. A script call per publish made ioredis and Redis pay
 * their fixed cost per message (a command, a reply, a timer, a pub/sub message for every
 * instance): batched, that cost is paid per turn and per topic. Publishes wait at most until
 * the end of the current turn (`setImmediate`), so a lone publish is not delayed by a timer.
 */
export class PublishBatch {
  private groups = new Map<string, TopicGroup>();
  private count = 0;
  private scheduled = false;

  constructor(
    private readonly send: (groups: TopicGroup[]) => void,
    private readonly maxTopicsPerCall: number,
  ) {}

  add(topic: string, item: PendingPublish): void {
    let group = this.groups.get(topic);
    if (!group) this.groups.set(topic, (group = { topic, items: [] }));
    group.items.push(item);
    if (++this.count >= MAX_BATCH) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushScheduled);
    }
  }

  /** Sends everything collected so far. */
  flush(): void {
    if (this.count === 0) return;
    const groups = this.groups;
    this.groups = new Map();
    this.count = 0;
    let call: TopicGroup[] = [];
    for (const group of groups.values()) {
      call.push(group);
      if (call.length >= this.maxTopicsPerCall) {
        this.send(call);
        call = [];
      }
    }
    if (call.length > 0) this.send(call);
  }

  private readonly flushScheduled = (): void => {
    this.scheduled = false;
    this.flush();
  };
}
