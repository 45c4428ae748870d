import { Body, Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ErrorCode, parseClientMessage, type Ack, type ErrorFrame } from '@pulse/protocol';
import type { Request } from 'express';
import { AccessGate } from '../auth/access-gate.js';
import { deny } from '../auth/denial.js';
import { DenialException } from '../http/denial.exception.js';
import { httpStatusOf } from '../http/status.js';
import { Stats } from '../metrics/stats.js';
import { IngestGate } from './ingest-gate.js';
import { Publisher } from './publisher.js';

/**
 * `POST /publish` with one `publish` message as JSON (`type` may be left out): for publishers
 * that cannot hold a WebSocket (the client's SSE fallback, scripts, webhooks). Same token,
 * ACL, quota and payload rules as a socket; answers `ack` (200, `id` 0 when none was given)
 * or the `error` frame with its HTTP status (`Retry-After` when over quota). The idempotency
 * key may come as the body's `key` or as an `Idempotency-Key` header (the HTTP convention);
 * both at once must agree.
 */
@Controller('publish')
export class PublishController {
  constructor(
    @Inject(AccessGate) private readonly access: AccessGate,
    @Inject(Publisher) private readonly publisher: Publisher,
    @Inject(IngestGate) private readonly ingest: IngestGate,
    @Inject(Stats) private readonly stats: Stats,
  ) {}

  @Post()
  @HttpCode(200)
  async publish(@Req() req: Request, @Body() body: unknown): Promise<Ack> {
    const who = await this.access.authenticate(req);
    if (!who.ok) throw new DenialException(who.denial);
    const header = req.get('idempotency-key');
    const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
    if (header !== undefined && isObject && 'key' in body && body.key !== header) {
      throw this.fail({
        type: 'error',
        code: ErrorCode.INVALID_MESSAGE,
        message: 'Idempotency-Key header and body key differ',
      });
    }
    const message = isObject
      ? {
          ...('type' in body ? {} : { type: 'publish' }),
          ...body,
          ...(header === undefined ? {} : { key: header }),
        }
      : body;
    const parsed = parseClientMessage(message);
    if (!parsed.ok || parsed.message.type !== 'publish') {
      const code = parsed.ok ? ErrorCode.INVALID_MESSAGE : parsed.code;
      const reason = parsed.ok ? 'only publish messages here' : parsed.reason;
      throw this.fail({
        type: 'error',
        code,
        message: reason,
        ...(parsed.ok || parsed.ref === undefined ? {} : { ref: parsed.ref }),
      });
    }
    const publish = parsed.message;
    // A socket would be paused here; an HTTP publisher is asked to come back.
    if (this.ingest.isPaused) {
      throw this.fail({
        type: 'error',
        code: ErrorCode.UNAVAILABLE,
        message: 'ingest is saturated, retry',
        topic: publish.topic,
        retryAfterMs: 1000,
        ...(publish.id === undefined ? {} : { ref: publish.id }),
      });
    }
    const outcome = await this.publisher.accept(who.principal, publish);
    if (typeof outcome !== 'number') throw this.fail(outcome);
    return { type: 'ack', id: publish.id ?? 0, topic: publish.topic, seq: outcome };
  }

  private fail(frame: ErrorFrame): DenialException {
    this.stats.error(frame.code);
    return new DenialException(
      deny(httpStatusOf(frame.code), frame.code, frame.message, {
        ...(frame.topic === undefined ? {} : { topic: frame.topic }),
        ...(frame.ref === undefined ? {} : { ref: frame.ref }),
        ...(frame.retryAfterMs === undefined
          ? {}
          : { retryAfterS: Math.max(1, Math.ceil(frame.retryAfterMs / 1000)) }),
      }),
    );
  }
}
