import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { ErrorCode, type ResumePosition, type Subscribe, type Unsubscribe } from '@pulse/protocol';
import { canSubscribe } from '../auth/acl.js';
import { BUS, type Bus, type RecoverRequest } from '../bus/bus.js';
import { CONFIG } from '../config/config.module.js';
import type { GatewayConfig } from '../config/config.schema.js';
import { policyFor } from '../config/flow-settings.js';
import { Stats } from '../metrics/stats.js';
import type { Client } from '../client/client.js';
import { SubscriberRegistry } from './registry.js';
import { Subscription } from './subscription.js';
import { Timeline } from './throttle/timeline.js';

/** Delivers bus messages to local subscriptions and runs the subscribe/resume handshake. */
@Injectable()
export class FanoutService implements OnModuleDestroy {
  private readonly timeline = new Timeline();
  private readonly registry: SubscriberRegistry;
  /** Bus interest per locally subscribed pattern; later subscribers wait on the same promise. */
  private readonly watching = new Map<string, Promise<void>>();

  constructor(
    @Inject(BUS) private readonly bus: Bus,
    @Inject(CONFIG) private readonly config: GatewayConfig,
    @Inject(Stats) stats: Stats,
  ) {
    this.registry = new SubscriberRegistry(this.timeline, stats);
    bus.onMessage((message) => this.registry.dispatch(message, Date.now()));
    bus.onLoss((loss) => {
      for (const sub of this.registry.matching(loss.topic)) sub.lost(loss);
    });
  }

  async subscribe(conn: Client, req: Subscribe): Promise<void> {
    const { id, topic } = req;
    const refuse = (code: ErrorCode, message: string) =>
      conn.send({ type: 'error', code, message, ref: id, topic });
    if (!canSubscribe(conn.principal, topic))
      return refuse(ErrorCode.FORBIDDEN, `may not subscribe to ${topic}`);
    if (conn.subscriptions.has(topic))
      return refuse(ErrorCode.ALREADY_SUBSCRIBED, `already subscribed to ${topic}`);
    if (conn.subscriptions.size >= this.config.maxSubscriptions) {
      return refuse(
        ErrorCode.TOO_MANY_SUBSCRIPTIONS,
        `at most ${this.config.maxSubscriptions} subscriptions per connection`,
      );
    }
    // The topic policy caps the rate; the client may only ask for less.
    const policy = policyFor(this.config.topicPolicies, topic);
    const cap = policy && policy.rate > 0 ? policy.rate : Infinity;
    const rate = Math.min(cap, req.maxRate ?? Infinity);
    const intervalMs = rate === Infinity ? 0 : 1000 / rate;
    // Register first so live messages published while history is read are held, not lost.
    const sub = new Subscription(conn, topic, id, intervalMs, policy?.mode ?? 'conflate');
    conn.subscriptions.set(topic, sub);
    if (this.registry.add(sub)) this.watching.set(topic, this.bus.watch(topic));

    let recovery;
    try {
      await this.watching.get(topic);
      recovery = await this.bus.recover(topic, recoverRequest(req));
    } catch {
      this.remove(sub);
      return conn.send({
        type: 'error',
        code: ErrorCode.UNAVAILABLE,
        message: 'history unavailable, retry',
        ref: id,
        topic,
        retryAfterMs: 1000,
      });
    }
    if (conn.subscriptions.get(topic) !== sub) return; // unsubscribed or closed meanwhile
    conn.send({
      type: 'subscribed',
      id,
      topic,
      ...(recovery.state ? { epoch: recovery.state.epoch, seq: recovery.state.seq } : {}),
      ...(recovery.recovered === undefined ? {} : { recovered: recovery.recovered }),
      ...(rate === Infinity ? {} : { maxRate: rate }),
    });
    sub.goLive(recovery.messages);
  }

  unsubscribe(conn: Client, req: Unsubscribe): void {
    const sub = conn.subscriptions.get(req.topic);
    if (!(sub instanceof Subscription)) {
      return conn.send({
        type: 'error',
        code: ErrorCode.NOT_SUBSCRIBED,
        message: `not subscribed to ${req.topic}`,
        ref: req.id,
        topic: req.topic,
      });
    }
    this.remove(sub);
    conn.send({ type: 'unsubscribed', id: req.id, topic: req.topic });
  }

  /** Forgets every subscription of a closed connection. */
  dropConnection(conn: Client): void {
    for (const sub of [...conn.subscriptions.values()])
      if (sub instanceof Subscription) this.remove(sub);
    conn.outbox.clear();
  }

  onModuleDestroy(): void {
    this.timeline.stop();
  }

  private remove(sub: Subscription): void {
    if (sub.client.subscriptions.get(sub.pattern) === sub)
      sub.client.subscriptions.delete(sub.pattern);
    if (this.registry.remove(sub)) {
      this.watching.delete(sub.pattern);
      this.bus.unwatch(sub.pattern);
    }
  }
}

function recoverRequest(req: Subscribe): RecoverRequest {
  const positions = new Map<string, ResumePosition>();
  if (req.since !== undefined && req.epoch !== undefined)
    positions.set(req.topic, { seq: req.since, epoch: req.epoch });
  if (req.positions)
    for (const [topic, p] of Object.entries(req.positions)) positions.set(topic, p);
  return { positions, history: req.history ?? 1 };
}
