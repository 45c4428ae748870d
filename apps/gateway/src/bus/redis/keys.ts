import { WILDCARD } from '@pulse/protocol';

/**
 * Key and channel names. Everything about one topic carries the topic as its hash tag
 * (`pulse:{price.BTC}:meta`), so the publish script touches one cluster slot. A one-wildcard
 * pattern is a hash tag of its own (`pulse:{device.*.temp}`): its channel and its topic index
 * live in the pattern's slot.
 */
export class RedisKeys {
  constructor(private readonly prefix: string) {}

  /** Hash `epoch`, `seq`, `last` (the latest frame). */
  meta(topic: string): string {
    return `${this.prefix}:{${topic}}:meta`;
  }

  /** Stream of frames, entry id `<seq>-0`, trimmed to the history size. */
  log(topic: string): string {
    return `${this.prefix}:{${topic}}:log`;
  }

  /**
   * Prefix of a topic's idempotency records: `<prefix>:{topic}:idem:<subject>:<key>` → the seq
   * that publish got, expiring after the idempotency window. In the topic's slot, so the publish
   * script checks and writes it atomically with the message; a key is unique per topic.
   */
  idempotency(topic: string): string {
    return `${this.prefix}:{${topic}}:idem:`;
  }

  /** Pub/sub channel of a topic or of a one-wildcard pattern. */
  channel(pattern: string): string {
    return `${this.prefix}:{${pattern}}`;
  }

  /** Sorted set of the topics matching a one-wildcard pattern, scored by last publish (ms). */
  index(pattern: string): string {
    return `${this.prefix}:{${pattern}}:topics`;
  }

  /** Hash of the instances holding a device online: field instance → lease expiry (ms). */
  leases(deviceTopic: string): string {
    return `${this.prefix}:{${deviceTopic}}:leases`;
  }

  /** Sorted set `<deviceId> <instance>` → lease expiry, so any instance can expire a dead one's. */
  leaseIndex(): string {
    return `${this.prefix}:presence-leases`;
  }
}

/**
 * The one-wildcard patterns a concrete topic matches (`device.d1.temp` → `device.*.temp`,
 * `device.d1.*`; `price.X` → `price.*`). The family segment is never a wildcard.
 */
export function wildcardVariants(topic: string): string[] {
  const out: string[] = [];
  let start = topic.indexOf('.') + 1;
  while (start > 0) {
    const end = topic.indexOf('.', start);
    const stop = end === -1 ? topic.length : end;
    out.push(topic.slice(0, start) + WILDCARD + topic.slice(stop));
    start = end + 1;
  }
  return out;
}
