import { Inject, Injectable } from '@nestjs/common';
import { CloseCode, ErrorCode, topicFamily, validatePayload, type Publish } from '@pulse/protocol';
import { AlarmsService } from '../alarms/alarms.service.js';
import { canPublish } from '../auth/acl.js';
import type { BusMessage } from '../bus/bus-message.js';
import { BUS, type Bus } from '../bus/bus.js';
import { CONFIG } from '../config/config.module.js';
import type { GatewayConfig } from '../config/config.schema.js';
import type { Connection } from '../fanout/connection.js';
import { Stats } from '../metrics/stats.js';
import { countRateLimited } from './abuse.js';
import { IngestGate } from './ingest-gate.js';
import { PublishLimiter } from './publish-limiter.js';

/** Checks a publish (ACL, quota, payload schema), then hands it to the bus through the gate. */
@Injectable()
export class Publisher {
  constructor(
    @Inject(BUS) private readonly bus: Bus,
    @Inject(CONFIG) private readonly config: GatewayConfig,
    @Inject(PublishLimiter) private readonly limiter: PublishLimiter,
    @Inject(IngestGate) private readonly gate: IngestGate,
    @Inject(Stats) private readonly stats: Stats,
    @Inject(AlarmsService) private readonly alarms: AlarmsService,
  ) {}

  async publish(conn: Connection, req: Publish): Promise<void> {
    const { id, topic } = req;
    const ref = id === undefined ? {} : { ref: id };
    if (!canPublish(conn.principal, topic)) {
      this.stats.error(ErrorCode.FORBIDDEN);
      return conn.send({
        type: 'error',
        code: ErrorCode.FORBIDDEN,
        message: `${conn.principal.role} ${conn.principal.subject} may not publish to ${topic}`,
        topic,
        ...ref,
      });
    }
    const wait = this.limiter.take(conn.principal);
    if (wait > 0) {
      this.stats.rateLimited.publish += 1;
      this.stats.error(ErrorCode.RATE_LIMITED);
      conn.send({
        type: 'error',
        code: ErrorCode.RATE_LIMITED,
        message: 'publish rate over quota',
        topic,
        retryAfterMs: wait,
        ...ref,
      });
      if (countRateLimited(conn, this.config.rateLimitAbuse))
        conn.close(CloseCode.RATE_LIMIT_ABUSE, 'persistently over publish quota');
      return;
    }
    const payload = validatePayload(topic, req.payload);
    if (!payload.ok) {
      this.stats.error(ErrorCode.INVALID_PAYLOAD);
      return conn.send({
        type: 'error',
        code: ErrorCode.INVALID_PAYLOAD,
        message: payload.reason,
        topic,
        ...ref,
      });
    }
    let stored: BusMessage;
    this.gate.enter();
    try {
      stored = await this.bus.publish(topic, payload.value);
    } catch {
      // Not stored: the publisher is told, so nothing accepted is lost silently.
      this.stats.error(ErrorCode.UNAVAILABLE);
      return conn.send({
        type: 'error',
        code: ErrorCode.UNAVAILABLE,
        message: 'bus unavailable, not stored',
        topic,
        retryAfterMs: 1000,
        ...ref,
      });
    } finally {
      this.gate.leave();
    }
    // Alarms are checked here rather than on the bus listener: each accepted reading is seen
    // once across instances, whereas a bus listener only hears what its own clients watch.
    this.alarms.observe(topic, payload.value, stored.ts);
    const seq = stored.seq;
    const family = topicFamily(topic);
    if (family) this.stats.published[family] = (this.stats.published[family] ?? 0) + 1;
    if (id !== undefined) conn.send({ type: 'ack', id, topic, seq });
  }
}
