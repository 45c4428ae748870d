import { topics } from '@pulse/protocol';
import { BusMessage } from '../bus-message.js';
import { RedisUnavailable } from './interest.js';
import { RedisKeys, wildcardVariants } from './keys.js';
import type { RedisLink } from './redis-link.js';
import type { PulseScripts } from './scripts.js';

/**
 * Most topics one wildcard index remembers (the most recently published win). A wildcard
 * subscription's snapshot covers at most this many topics; live messages are not limited.
 */
export const INDEX_CAP = 10_000;

export interface WriterOptions {
  readonly historySize: number;
  readonly historyTtlMs: number;
  /** Appended to epochs this instance creates. */
  readonly nonce: string;
  readonly instanceId: string;
}

export type PresenceOp = 'join' | 'refresh' | 'leave' | 'sweep';

/**
 * The write side of the Redis bus. A message is published on its topic's channel and on each
 * one-wildcard variant's channel, because sharded pub/sub has no pattern subscribe: an
 * instance watching `device.*.temp` subscribes to exactly that channel. On standalone Redis one
 * script does it all atomically. On Cluster a script may only touch its own slot, so the script
 * covers the topic (seq, history, latest, topic channel) and each variant (its index and
 * channel, in the variant's slot) follows as its own small script; a variant may then arrive
 * out of order or, if this instance dies in between, not at all until the topic's next message
 * — the receiving sequencer heals both from history.
 */
export class TopicWriter {
  constructor(
    private readonly link: RedisLink,
    private readonly scripts: PulseScripts,
    private readonly keys: RedisKeys,
    private readonly options: WriterOptions,
    private readonly onError: (err: unknown) => void,
    /** A publish Redis did not take (down, or not answering in time). */
    private readonly onFailure: (err: unknown) => void,
  ) {}

  async publish(topic: string, payload: unknown): Promise<BusMessage> {
    const ts = Date.now();
    const { keys, channels, variants } = this.variantParts(topic);
    const o = this.options;
    let reply: [number, string, string?];
    try {
      reply = await this.scripts.publish(
        [this.keys.meta(topic), this.keys.log(topic), ...keys],
        [
          topic,
          JSON.stringify(payload),
          ts,
          o.historySize,
          o.historyTtlMs,
          o.nonce,
          this.link.publishCommand,
          this.keys.channel(topic),
          INDEX_CAP,
          this.link.sharded ? 1 : 0,
          ...channels,
        ],
      );
    } catch (err) {
      this.onFailure(err);
      throw new RedisUnavailable(`publish failed: ${String(err)}`);
    }
    const [seq, epoch, frame] = reply;
    if (frame !== undefined) this.publishVariants(topic, variants, ts, frame);
    return new BusMessage(topic, seq, epoch, ts, payload);
  }

  /**
   * Applies a lease change of `instance` (this one by default) for `deviceId`, publishing
   * presence when the device's online state flips. Resolves whether that lease still holds.
   */
  async presence(
    deviceId: string,
    op: PresenceOp,
    leaseMs: number,
    instance = this.options.instanceId,
  ): Promise<boolean> {
    const topic = topics.presence(deviceId);
    const { keys, channels, variants } = this.variantParts(topic);
    const o = this.options;
    const [, holdsLease, , , frame] = await this.scripts.presence(
      [this.keys.meta(topic), this.keys.log(topic), this.keys.leases(topic), ...keys],
      [
        topic,
        deviceId,
        instance,
        op,
        leaseMs,
        o.historySize,
        o.historyTtlMs,
        o.nonce,
        this.link.publishCommand,
        this.keys.channel(topic),
        INDEX_CAP,
        this.link.sharded ? 1 : 0,
        ...channels,
      ],
    );
    if (frame !== undefined) this.publishVariants(topic, variants, Date.now(), frame);
    return holdsLease === 1;
  }

  /** Standalone: the variants go into the script. Cluster: they follow it (`publishVariants`). */
  private variantParts(topic: string): { keys: string[]; channels: string[]; variants: string[] } {
    const variants = wildcardVariants(topic);
    if (this.link.sharded) return { keys: [], channels: [], variants };
    return {
      keys: variants.map((v) => this.keys.index(v)),
      channels: variants.map((v) => this.keys.channel(v)),
      variants,
    };
  }

  private publishVariants(topic: string, variants: string[], ts: number, frame: string): void {
    for (const v of variants) {
      this.scripts
        .variant(this.keys.index(v), [
          this.keys.channel(v),
          topic,
          ts,
          this.options.historyTtlMs,
          INDEX_CAP,
          this.link.publishCommand,
          frame,
        ])
        .catch(this.onError);
    }
  }
}
