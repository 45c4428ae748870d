import { Inject, Injectable, Logger } from '@nestjs/common';
import { CloseCode, ErrorCode, parseClientMessage, type ClientMessage } from '@pulse/protocol';
import { CONFIG } from '../config/config.module.js';
import type { GatewayConfig } from '../config/config.schema.js';
import type { Client } from '../client/client.js';
import { FanoutService } from '../fanout/fanout.service.js';
import { Stats } from '../metrics/stats.js';
import { TokenRefresh } from '../session/token-refresh.js';
import { Publisher } from '../ingest/publisher.js';

/**
 * The edge where bytes become messages: decode with the negotiated codec, check the schema
 * once, route. Inside, handlers trust the types.
 */
@Injectable()
export class FrameDispatcher {
  private readonly logger = new Logger('Dispatch');

  constructor(
    @Inject(CONFIG) private readonly config: GatewayConfig,
    @Inject(FanoutService) private readonly fanout: FanoutService,
    @Inject(Publisher) private readonly publisher: Publisher,
    @Inject(Stats) private readonly stats: Stats,
    @Inject(TokenRefresh) private readonly refresh: TokenRefresh,
  ) {}

  handle(conn: Client, data: Buffer, isBinary: boolean): void {
    conn.lastSeenAt = Date.now();
    this.stats.bytesIn += data.length;
    if (isBinary !== conn.codec.binary) {
      const kind = isBinary ? 'binary' : 'text';
      return this.reject(
        conn,
        ErrorCode.BAD_FRAME,
        `${kind} frame on a ${conn.codec.name} connection`,
      );
    }
    let decoded: unknown;
    try {
      decoded = conn.codec.decode(isBinary ? data : data.toString('utf8'));
    } catch {
      return this.reject(conn, ErrorCode.BAD_FRAME, `frame is not valid ${conn.codec.name}`);
    }
    const parsed = parseClientMessage(decoded);
    if (!parsed.ok) return this.reject(conn, parsed.code, parsed.reason, parsed.ref);
    // Not async: a publish that is answered at once (or stored by an in-memory bus) should not
    // pay for promises it does not need, on the path every message takes.
    let pending: Promise<void> | void;
    try {
      pending = this.route(conn, parsed.message);
    } catch (err) {
      return this.failed(conn, err);
    }
    pending?.catch((err: unknown) => this.failed(conn, err));
  }

  private failed(conn: Client, err: unknown): void {
    this.logger.error(`handler failed on ${conn.id}: ${String(err)}`);
    conn.send({ type: 'error', code: ErrorCode.INTERNAL, message: 'internal error' });
  }

  private route(conn: Client, message: ClientMessage): Promise<void> | void {
    if (
      message.type !== 'publish' &&
      message.type !== 'pong' &&
      !this.withinControlBudget(conn, message)
    )
      return;
    switch (message.type) {
      case 'publish':
        return this.publisher.publish(conn, message);
      case 'subscribe':
        return this.fanout.subscribe(conn, message);
      case 'unsubscribe':
        return this.fanout.unsubscribe(conn, message);
      case 'ping':
        return conn.send(
          message.ts === undefined ? { type: 'pong' } : { type: 'pong', ts: message.ts },
        );
      case 'pong':
        return; // liveness is recorded for every frame above
      case 'auth':
        return this.refresh.refresh(conn, message);
      default:
        return assertNever(message);
    }
  }

  /** Subscribe/unsubscribe/ping/auth storms are refused with RATE_LIMITED, then closed as abuse. */
  private withinControlBudget(conn: Client, message: ClientMessage): boolean {
    const wait = conn.controlBucket.take();
    if (wait === 0) return true;
    this.stats.rateLimited.control += 1;
    const ref = 'id' in message && message.id !== undefined ? { ref: message.id } : {};
    conn.send({
      type: 'error',
      code: ErrorCode.RATE_LIMITED,
      message: `too many ${message.type} requests`,
      retryAfterMs: wait,
      ...ref,
    });
    if (conn.rateLimited.hit() >= this.config.rateLimitAbuse)
      conn.close(CloseCode.RATE_LIMIT_ABUSE, 'persistently over control-message limit');
    return false;
  }

  private reject(conn: Client, code: ErrorCode, message: string, ref?: number): void {
    this.stats.invalidFrames += 1;
    conn.send(
      ref === undefined ? { type: 'error', code, message } : { type: 'error', code, message, ref },
    );
    if (conn.invalidFrames.hit() >= this.config.maxInvalidFrames) {
      conn.close(CloseCode.PROTOCOL_VIOLATION, 'too many invalid frames');
    }
  }
}

function assertNever(x: never): never {
  throw new Error(`unhandled message ${JSON.stringify(x)}`);
}
