import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { topicMatches, WILDCARD, type ResumePosition } from '@pulse/protocol';
import type { BusMessage } from '../bus-message.js';
import type { Bus, BusLoss, BusStatus, RecoverRequest, Recovery, Repeat } from '../bus.js';
import { recoverTopic } from '../recover.js';
import { messageFromFrame, splitFrames } from './frame-header.js';
import { Interest, RedisUnavailable } from './interest.js';
import { RedisKeys, wildcardVariants } from './keys.js';
import { RedisPresenceStore } from './presence-store.js';
import { createLink, type RedisLink, type RedisLinkOptions } from './redis-link.js';
import { defineScripts, timedScripts, type CommandObserver, type PulseScripts } from './scripts.js';
import { Sequencer } from './sequencer.js';
import { TopicSnapshot } from './topic-snapshot.js';
import { TopicWriter } from './topic-writer.js';

/** How often an idle bus checks that Redis still answers. */
const PING_MS = 1000;

export interface RedisBusOptions extends RedisLinkOptions {
  /** Namespace of every key and channel (several deployments may share one Redis). */
  readonly keyPrefix: string;
  readonly historySize: number;
  /** How long a publish key is remembered: a retry within it gets the original seq. */
  readonly idempotencyWindowMs: number;
  /** History, latest value and indexes of a topic expire this long after its last publish. */
  readonly historyTtlMs: number;
  readonly instanceId: string;
  /** A device whose instance stopped refreshing is offline this long after the last refresh. */
  readonly presenceTtlMs: number;
  /** Script round trips and reconnects, for `/metrics` (`BusTelemetry`). */
  readonly telemetry?: { readonly command: CommandObserver; reconnected(): void };
}

/**
 * The bus shared by every gateway instance: sequencing, history and fan-out live in Redis (see
 * docs/scaling.md). Publishes are one atomic script; each instance subscribes only to the
 * channels of patterns its own clients watch; what arrives is put back into gapless per-topic
 * order by the `Sequencer`. While Redis is unreachable publishes and subscribes fail at once
 * (UNAVAILABLE) rather than queue, readiness says why, and on reconnect interests are restored
 * and gaps healed from history.
 */
export class RedisBus implements Bus {
  readonly presence: RedisPresenceStore;
  private readonly logger = new Logger('RedisBus');
  private readonly keys: RedisKeys;
  private readonly link: RedisLink;
  private readonly scripts: PulseScripts;
  private readonly writer: TopicWriter;
  private readonly interest: Interest;
  private readonly sequencer: Sequencer;
  /** Watched patterns → watch count. */
  private readonly watched = new Map<string, number>();
  private readonly nonce = randomBytes(3).toString('hex');
  private listener: (message: BusMessage) => void = () => {};
  private lossListener: (loss: BusLoss) => void = () => {};
  private connectedOnce = false;
  /** Link sides (commands, subscriber, cluster) that have been up: coming up again is a reconnect. */
  private readonly sidesSeenUp = new Set<string>();
  private closed = false;
  /** Last time Redis failed to answer a command on an open connection (it may hang). */
  private failure: { at: number; reason: string } | undefined;
  private readonly pinger: NodeJS.Timeout;

  constructor(private readonly options: RedisBusOptions) {
    this.keys = new RedisKeys(options.keyPrefix);
    const onError = (err: unknown) => this.logger.warn(String(err));
    // Only failures on an open connection: a closed one already shows in the link's state.
    const onFailure = (err: unknown) => {
      if (!this.link.commandsReady()) return;
      this.failure = { at: Date.now(), reason: err instanceof Error ? err.message : String(err) };
    };
    this.link = createLink(options, {
      frame: (frame) => this.onFrame(frame),
      subscriberUp: () => void this.restore(),
      subscriberDown: () => this.interest.lost(),
      state: (up, detail) => {
        if (this.closed) return; // our own quit
        if (up) {
          this.logger.log(`redis ${detail} connected`);
          if (this.sidesSeenUp.has(detail)) options.telemetry?.reconnected();
          this.sidesSeenUp.add(detail);
        } else this.logger.warn(`redis ${detail}: ${this.link.lastError ?? 'connection closed'}`);
      },
    });
    const scripts = defineScripts(this.link.commands);
    this.scripts = options.telemetry ? timedScripts(scripts, options.telemetry.command) : scripts;
    this.interest = new Interest(this.link, onError);
    this.sequencer = new Sequencer(
      (topic, from) => this.read(topic, from, options.historySize, false),
      (message) => this.listener(message),
      (topic) => this.isWatched(topic),
      (loss) => this.lossListener(loss),
    );
    this.writer = new TopicWriter(
      this.link,
      this.scripts,
      this.keys,
      {
        historySize: options.historySize,
        historyTtlMs: options.historyTtlMs,
        idempotencyWindowMs: options.idempotencyWindowMs,
        nonce: this.nonce,
        instanceId: options.instanceId,
      },
      onError,
      onFailure,
    );
    this.presence = new RedisPresenceStore(
      this.writer,
      this.link,
      this.keys,
      options.instanceId,
      options.presenceTtlMs,
      onError,
    );
    // A hung Redis keeps its connections open; a ping that times out tells readiness anyway.
    this.pinger = setInterval(() => {
      if (this.link.commandsReady()) this.link.commands.ping().catch(onFailure);
    }, PING_MS);
    this.pinger.unref();
  }

  /** The command connection, for other shared state (publish quotas across instances). */
  get commands(): RedisLink['commands'] {
    return this.link.commands;
  }

  get keyPrefix(): string {
    return this.options.keyPrefix;
  }

  /** Resolves true once connected and subscribed, false if Redis did not answer in `timeoutMs`. */
  async start(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const live = this.interest.untilLive().then(() => this.link.untilReady(timeoutMs));
    try {
      return await Promise.race([live, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  publish(topic: string, payload: unknown): Promise<BusMessage>;
  publish(topic: string, payload: unknown, key: string | undefined): Promise<BusMessage | Repeat>;
  publish(topic: string, payload: unknown, key?: string): Promise<BusMessage | Repeat> {
    if (this.closed) return Promise.reject(new RedisUnavailable('bus closed'));
    return this.writer.publish(topic, payload, key);
  }

  onMessage(listener: (message: BusMessage) => void): void {
    this.listener = listener;
  }

  onLoss(listener: (loss: BusLoss) => void): void {
    this.lossListener = listener;
  }

  watch(pattern: string): Promise<void> {
    this.watched.set(pattern, (this.watched.get(pattern) ?? 0) + 1);
    return this.interest.add(this.keys.channel(pattern));
  }

  unwatch(pattern: string): void {
    if (this.closed) return;
    const n = (this.watched.get(pattern) ?? 0) - 1;
    if (n > 0) return void this.watched.set(pattern, n);
    if (n < 0) return;
    this.watched.delete(pattern);
    this.interest.remove(this.keys.channel(pattern));
    this.sequencer.forgetUnwatched();
  }

  async recover(pattern: string, request: RecoverRequest): Promise<Recovery> {
    if (!this.interest.isLive || !this.link.commandsReady()) {
      throw new RedisUnavailable('redis not connected');
    }
    // At least the latest: a resume that cannot be served falls back to it.
    const count = Math.max(1, request.history);
    const resuming = request.positions.size > 0;
    if (!pattern.includes(WILDCARD)) {
      const position = request.positions.get(pattern);
      const snapshot = (await this.read(pattern, position, count, true))!;
      this.sequencer.baseline(pattern, snapshot.epoch, snapshot.lastSeq);
      const r = recoverTopic(snapshot, position, request.history);
      return {
        messages: r.messages,
        ...(resuming ? { recovered: r.recovered } : {}),
        state: { epoch: snapshot.epoch, seq: snapshot.lastSeq },
      };
    }
    const indexed = new Set(await this.link.commands.zrange(this.keys.index(pattern), '0', '-1'));
    for (const topic of request.positions.keys())
      if (topicMatches(pattern, topic)) indexed.add(topic);
    const topics = [...indexed];
    const snapshots = await Promise.all(
      topics.map((t) => this.read(t, request.positions.get(t), count, false)),
    );
    const messages: BusMessage[] = [];
    let recovered = true;
    for (const snapshot of snapshots) {
      if (!snapshot) continue;
      this.sequencer.baseline(snapshot.topic, snapshot.epoch, snapshot.lastSeq);
      const r = recoverTopic(snapshot, request.positions.get(snapshot.topic), request.history);
      messages.push(...r.messages);
      recovered &&= r.recovered;
    }
    // A position for a topic Redis no longer knows: its epoch (and history) is gone.
    if (snapshots.some((s, i) => !s && request.positions.has(topics[i]!))) recovered = false;
    return { messages, ...(resuming ? { recovered } : {}) };
  }

  status(): BusStatus {
    if (this.closed) return { ready: false, kind: 'redis', reason: 'redis bus closed' };
    const f = this.failure;
    if (f && Date.now() - f.at < Math.max(2 * PING_MS, 2 * this.options.commandTimeoutMs)) {
      return { ready: false, kind: 'redis', reason: `redis not answering (${f.reason})` };
    }
    if (this.link.commandsReady() && this.interest.isLive) return { ready: true, kind: 'redis' };
    return {
      ready: false,
      kind: 'redis',
      reason: `redis unavailable${this.link.lastError ? ` (${this.link.lastError})` : ''}`,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.pinger);
    // Leaves of the connections that just drained still go out before the connections close.
    await this.presence.stop();
    await this.link.quit();
  }

  /**
   * Drops the Redis connections at once, releasing nothing — what a crash does: presence leases
   * stay until they expire. Tests use it to play a dead instance.
   */
  disconnect(): void {
    this.closed = true;
    clearInterval(this.pinger);
    void this.presence.stop();
    this.link.disconnect();
  }

  private onFrame(joined: Buffer): void {
    for (const frame of splitFrames(joined)) {
      const message = messageFromFrame(frame);
      if (message) {
        this.writer.remember(message.topic, message.epoch, message.seq);
        this.sequencer.accept(message);
      } else this.logger.warn(`unreadable frame on pub/sub: ${frame.toString('utf8', 0, 80)}`);
    }
  }

  private isWatched(topic: string): boolean {
    if (this.watched.has(topic)) return true;
    return wildcardVariants(topic).some((v) => this.watched.has(v));
  }

  /** Subscriber (re)connected: restore interests; after a reconnect, heal what was missed. */
  private async restore(): Promise<void> {
    try {
      await this.interest.restore();
    } catch (err) {
      this.logger.warn(`resubscribe failed: ${String(err)}`);
      return; // the connection is going down again; its next ready event retries
    }
    if (this.connectedOnce) this.resync();
    this.connectedOnce = true;
  }

  private resync(): void {
    this.sequencer.resync();
    // Topics first published while the subscriber was away are not known here yet.
    for (const pattern of this.watched.keys()) {
      if (!pattern.includes(WILDCARD)) continue;
      this.link.commands.zrange(this.keys.index(pattern), '0', '-1').then(
        (topics) => topics.forEach((t) => this.sequencer.discover(t)),
        (err: unknown) => this.logger.warn(`resync of ${pattern}: ${String(err)}`),
      );
    }
  }

  private async read(
    topic: string,
    from: ResumePosition | undefined,
    count: number,
    create: boolean,
  ): Promise<TopicSnapshot | undefined> {
    const reply = await this.scripts.read(this.keys.meta(topic), this.keys.log(topic), [
      from ? from.seq : '',
      from ? from.epoch : '',
      count,
      create ? 1 : 0,
      this.nonce,
      this.options.historyTtlMs,
    ]);
    return TopicSnapshot.fromReply(topic, reply);
  }
}
