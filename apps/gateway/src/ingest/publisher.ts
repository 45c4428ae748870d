import { Inject, Injectable } from '@nestjs/common';
import {
  CloseCode,
  ErrorCode,
  type AnyPayload,
  topicFamily,
  validatePayload,
  type ErrorFrame,
  type Publish,
} from '@pulse/protocol';
import { AlarmsService } from '../alarms/alarms.service.js';
import { canPublish } from '../auth/acl.js';
import type { Principal } from '../auth/claims.js';
import type { BusMessage } from '../bus/bus-message.js';
import { BUS, OutcomeUnknown, type Bus, type Repeat } from '../bus/bus.js';
import { CONFIG } from '../config/config.module.js';
import type { GatewayConfig } from '../config/config.schema.js';
import type { Client } from '../client/client.js';
import { HistoryService } from '../history/history.service.js';
import { Stats } from '../metrics/stats.js';
import { IngestGate } from './ingest-gate.js';
import { PublishLimiter } from './publish-limiter.js';

/** The stored seq, or the error frame that answers the publish (with `ref` when it had an id). */
export type PublishOutcome = number | ErrorFrame;

/**
 * Checks a publish (ACL, quota, payload schema), then hands it to the bus through the gate.
 * The same rules serve WebSocket frames and `POST /publish`.
 */
@Injectable()
export class Publisher {
  constructor(
    @Inject(BUS) private readonly bus: Bus,
    @Inject(CONFIG) private readonly config: GatewayConfig,
    @Inject(PublishLimiter) private readonly limiter: PublishLimiter,
    @Inject(IngestGate) private readonly gate: IngestGate,
    @Inject(Stats) private readonly stats: Stats,
    @Inject(AlarmsService) private readonly alarms: AlarmsService,
    @Inject(HistoryService) private readonly history: HistoryService,
  ) {}

  /** A publish frame from a connection: answered on it, and abuse of the quota closes it. */
  publish(conn: Client, req: Publish): Promise<void> | void {
    const outcome = this.accept(conn.principal, req);
    if (outcome instanceof Promise) return outcome.then((o) => this.answer(conn, req, o));
    this.answer(conn, req, outcome);
  }

  private answer(conn: Client, req: Publish, outcome: PublishOutcome): void {
    if (typeof outcome === 'number') {
      if (req.id !== undefined)
        conn.send({ type: 'ack', id: req.id, topic: req.topic, seq: outcome });
      return;
    }
    conn.send(outcome);
    if (
      outcome.code === ErrorCode.RATE_LIMITED &&
      conn.rateLimited.hit() >= this.config.rateLimitAbuse
    )
      conn.close(CloseCode.RATE_LIMIT_ABUSE, 'persistently over publish quota');
  }

  /**
   * Decides and stores one publish by `who`: a refusal at once, else once the bus has it. Not
   * async, so a refusal costs no promise (see `FrameDispatcher.handle`).
   */
  accept(who: Principal, req: Publish): PublishOutcome | Promise<PublishOutcome> {
    const { id, topic, key } = req;
    const ref = id === undefined ? {} : { ref: id };
    if (!canPublish(who, topic)) {
      return {
        type: 'error',
        code: ErrorCode.FORBIDDEN,
        message: `${who.role} ${who.subject} may not publish to ${topic}`,
        topic,
        ...ref,
      };
    }
    const wait = this.limiter.take(who);
    if (wait > 0) {
      this.stats.rateLimited.publish += 1;
      return {
        type: 'error',
        code: ErrorCode.RATE_LIMITED,
        message: 'publish rate over quota',
        topic,
        retryAfterMs: wait,
        ...ref,
      };
    }
    const payload = validatePayload(topic, req.payload);
    if (!payload.ok) {
      return {
        type: 'error',
        code: ErrorCode.INVALID_PAYLOAD,
        message: payload.reason,
        topic,
        ...ref,
      };
    }
    // Not stored (or not known to be): the publisher is told, so nothing accepted is lost
    // silently, and a retry is never told "not stored" about a publish that was.
    const failed = (err: unknown): ErrorFrame => {
      this.gate.leave();
      const unknown = err instanceof OutcomeUnknown;
      return {
        type: 'error',
        code: unknown ? ErrorCode.OUTCOME_UNKNOWN : ErrorCode.UNAVAILABLE,
        message: unknown
          ? `outcome unknown (${err.message}): retry with the same key`
          : 'bus unavailable, not stored',
        topic,
        retryAfterMs: 1000,
        ...ref,
      };
    };
    this.gate.enter();
    // Scoped to the token's subject, so two publishers cannot collide or probe each other.
    // A key has no ':', so the last ':' separates them unambiguously.
    const scoped = key && `${who.subject}:${key}`;
    if (this.bus.store) {
      // An in-process bus has stored it when `store` returns: answered in this turn, no promise.
      let stored: BusMessage | Repeat;
      try {
        stored = this.bus.store(topic, payload.value, scoped);
      } catch (err) {
        return failed(err);
      }
      return this.stored(topic, payload.value, stored);
    }
    let storing: Promise<BusMessage | Repeat>;
    try {
      storing = this.bus.publish(topic, payload.value, scoped);
    } catch (err) {
      return failed(err);
    }
    return storing.then((stored) => this.stored(topic, payload.value, stored), failed);
  }

  /** After the bus has it: the seq to acknowledge, and what follows a new message. */
  private stored(topic: string, payload: AnyPayload, stored: BusMessage | Repeat): number {
    this.gate.leave();
    if ('repeat' in stored) {
      this.stats.publishRepeats += 1;
      return stored.seq; // stored before: the original ack, again
    }
    // Alarms are checked here rather than on the bus listener: each accepted reading is seen
    // once across instances, whereas a bus listener only hears what its own clients watch.
    this.alarms.observe(topic, payload, stored.ts);
    // Durable history, written behind the ack: recorded by the instance that stored it (so
    // once across instances), buffered, never blocking or failing this publish.
    this.history.writer.record(stored);
    const family = topicFamily(topic);
    if (family) this.stats.published[family] = (this.stats.published[family] ?? 0) + 1;
    return stored.seq;
  }
}
