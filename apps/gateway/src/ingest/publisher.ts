import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, validatePayload, type Publish } from '@pulse/protocol';
import { canPublish } from '../auth/acl.js';
import { BUS, type Bus } from '../bus/bus.js';
import type { Connection } from '../fanout/connection.js';

/** Checks a publish against the ACL and its topic's payload schema, then hands it to the bus. */
@Injectable()
export class Publisher {
  constructor(@Inject(BUS) private readonly bus: Bus) {}

  async publish(conn: Connection, req: Publish): Promise<void> {
    const { id, topic } = req;
    const ref = id === undefined ? {} : { ref: id };
    if (!canPublish(conn.principal, topic)) {
      return conn.send({
        type: 'error',
        code: ErrorCode.FORBIDDEN,
        message: `${conn.principal.role} ${conn.principal.subject} may not publish to ${topic}`,
        topic,
        ...ref,
      });
    }
    const payload = validatePayload(topic, req.payload);
    if (!payload.ok) {
      return conn.send({
        type: 'error',
        code: ErrorCode.INVALID_PAYLOAD,
        message: payload.reason,
        topic,
        ...ref,
      });
    }
    let seq: number;
    try {
      seq = (await this.bus.publish(topic, payload.value)).seq;
    } catch {
      // Not stored: the publisher is told, so nothing accepted is lost silently.
      return conn.send({
        type: 'error',
        code: ErrorCode.UNAVAILABLE,
        message: 'bus unavailable, not stored',
        topic,
        retryAfterMs: 1000,
        ...ref,
      });
    }
    if (id !== undefined) conn.send({ type: 'ack', id, topic, seq });
  }
}
