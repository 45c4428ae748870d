import { topics } from '@pulse/protocol';
import { BusMessage } from '../bus-message.js';
import { OutcomeUnknown, type Repeat } from '../bus.js';
import { RedisUnavailable } from './interest.js';
import { RedisKeys, wildcardVariants } from './keys.js';
import type { RedisLink } from './redis-link.js';
import { PublishBatch, type TopicGroup } from './publish-batch.js';
import type { PulseScripts } from './scripts.js';

/**
 * Most topics one wildcard index remembers (the most recently published win). A wildcard
 * subscription's snapshot covers at most this many topics; live messages are not limited.
 */
export const INDEX_CAP = 10_000;

/**
 * Whether a failed command is known never to have reached Redis, so nothing was stored: ioredis
 * refused to write it (no connection and no offline queue: "Stream isn't writeable …", on
 * Cluster "… isn't ready …"), or Redis refused it before running the script. Anything else —
 * "Command timed out" (written, unanswered), a connection that closed with it in flight
 * (`MaxRetriesPerRequestError`, "Connection is closed.") or a script error midway — may have
 * been applied.
 */
export function neverSent(err: unknown): boolean {
  const message = err instanceof Error ? err.message : String(err);
  return (
    /enableOfflineQueue options is false/.test(message) ||
    /^(NOSCRIPT|BUSY|LOADING|CLUSTERDOWN|TRYAGAIN|READONLY|MASTERDOWN|NOREPLICAS) /.test(message)
  );
}

/** Most topics whose last acknowledged seq one instance remembers. */
const MAX_FLOORS = 100_000;

export interface WriterOptions {
  readonly historySize: number;
  readonly historyTtlMs: number;
  /** How long a publish key is remembered (`IDEMPOTENCY_WINDOW_MS`). */
  readonly idempotencyWindowMs: number;
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
  private readonly batch: PublishBatch;
  /** Per topic published or watched here: the latest epoch and seq seen (see `remember`). */
  private readonly floors = new Map<string, { epoch: string; seq: number }>();

  constructor(
    private readonly link: RedisLink,
    private readonly scripts: PulseScripts,
    private readonly keys: RedisKeys,
    private readonly options: WriterOptions,
    private readonly onError: (err: unknown) => void,
    /** A publish Redis did not take (down, or not answering in time). */
    private readonly onFailure: (err: unknown) => void,
  ) {
    // Cluster: a script may only touch one slot, so one topic per call.
    this.batch = new PublishBatch((groups) => void this.send(groups), link.sharded ? 1 : Infinity);
  }

  /**
   * Stores `payload` as the next message of `topic`. Publishes made in the same turn of the event
   * loop go to Redis together (see `PublishBatch`); each caller still gets its own seq.
   */
  publish(topic: string, payload: unknown, key = ''): Promise<BusMessage | Repeat> {
    return new Promise((resolve, reject) => {
      this.batch.add(topic, { payload, json: JSON.stringify(payload), key, resolve, reject });
    });
  }

  /** Sends one call's worth of topics (`PUBLISH_BATCH_LUA`) and settles every publish in it. */
  private async send(groups: readonly TopicGroup[]): Promise<void> {
    const o = this.options;
    const ts = Date.now();
    const keys: string[] = [];
    const args: (string | number)[] = [
      ts,
      o.historySize,
      o.historyTtlMs,
      o.nonce,
      this.link.publishCommand,
      INDEX_CAP,
      this.link.sharded ? 1 : 0,
      o.idempotencyWindowMs,
    ];
    const variantsOf: string[][] = [];
    for (const { topic, items } of groups) {
      const parts = this.variantParts(topic);
      variantsOf.push(parts.variants);
      const floor = this.floors.get(topic);
      keys.push(this.keys.meta(topic), this.keys.log(topic), ...parts.keys);
      args.push(topic, this.keys.channel(topic), this.keys.idempotency(topic));
      args.push(floor?.epoch ?? '', floor?.seq ?? 0);
      args.push(parts.channels.length, ...parts.channels);
      args.push(items.length);
      for (const item of items) args.push(item.key, item.json);
    }
    let reply: (number | string | number[])[];
    try {
      reply = await this.scripts.publishBatch(keys, args);
    } catch (err) {
      this.onFailure(err);
      const failure = neverSent(err)
        ? new RedisUnavailable(`publish failed: ${String(err)}`)
        : new OutcomeUnknown(
            `redis did not answer: ${err instanceof Error ? err.message : String(err)}`,
          );
      for (const { items } of groups) for (const item of items) item.reject(failure);
      return;
    }
    const stride = this.link.sharded ? 3 : 2;
    groups.forEach(({ topic, items }, g) => {
      const epoch = String(reply[g * stride]);
      const seqs = reply[g * stride + 1] as number[];
      const stored = seqs.filter((s) => s > 0);
      if (stored.length > 0) this.remember(topic, epoch, stored[stored.length - 1]!);
      if (this.link.sharded && stored.length > 0) {
        const frames = String(reply[g * stride + 2]);
        this.publishVariants(topic, variantsOf[g]!, ts, frames);
      }
      items.forEach((item, i) => {
        const seq = Number(seqs[i]);
        item.resolve(
          seq < 0
            ? { repeat: true, topic, seq: -seq }
            : new BusMessage(topic, seq, epoch, ts, item.payload),
        );
      });
    });
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
    /** The connection's transport; '' (a sweep) keeps the one stored with the leases. */
    transport = '',
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
        transport,
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

  /**
   * Records that `topic` reached `seq` in `epoch` (acknowledged to a publish here, or received
   * from Redis): the floor this instance's next publish to it checks against.
   */
  remember(topic: string, epoch: string, seq: number): void {
    const known = this.floors.get(topic);
    if (known) {
      if (known.epoch === epoch && known.seq >= seq) return;
      known.epoch = epoch;
      known.seq = seq;
      return;
    }
    // A bound on memory: forgetting every floor only skips the check until the next publish.
    if (this.floors.size >= MAX_FLOORS) this.floors.clear();
    this.floors.set(topic, { epoch, seq });
  }

  /** Cluster: a variant's index and channel live in its own slot, so they follow the script. */
  private publishVariants(topic: string, variants: string[], ts: number, frames: string): void {
    for (const v of variants) {
      this.scripts
        .variant(this.keys.index(v), [
          this.keys.channel(v),
          topic,
          ts,
          this.options.historyTtlMs,
          INDEX_CAP,
          this.link.publishCommand,
          frames,
        ])
        .catch(this.onError);
    }
  }
}
