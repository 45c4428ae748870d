import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ErrorCode } from '@pulse/protocol';
import type { Request, Response } from 'express';
import { AccessGate } from '../auth/access-gate.js';
import { addressOf } from '../auth/client-address.js';
import { canSubscribe } from '../auth/acl.js';
import { deny, type Denial } from '../auth/denial.js';
import { CONFIG } from '../config/config.module.js';
import type { GatewayConfig } from '../config/config.schema.js';
import { DenialException } from '../http/denial.exception.js';
import { ConnectionLog } from '../logging/connection-log.js';
import { parseSseRequest } from './sse-query.js';
import { SseStreams } from './sse-streams.js';

/**
 * `GET /sse?topics=price.*,device.d1.*`: server-sent events for read-only consumers and for
 * networks that block WebSocket. Same tokens (header, `token` query, `pulse_token` cookie),
 * origin rules, connection caps, ACL, throttles and slow-consumer rules as a socket;
 * `curl -N` works. Refusals are JSON with a code, before any event is sent.
 */
@Controller('sse')
export class SseController {
  constructor(
    @Inject(CONFIG) private readonly config: GatewayConfig,
    @Inject(AccessGate) private readonly gate: AccessGate,
    @Inject(SseStreams) private readonly streams: SseStreams,
    @Inject(ConnectionLog) private readonly log: ConnectionLog,
  ) {}

  @Get()
  async open(@Req() req: Request, @Res() res: Response): Promise<void> {
    const header = req.headers['last-event-id'];
    const request = parseSseRequest(
      req.url,
      typeof header === 'string' ? header : undefined,
      this.config.maxSubscriptions,
    );
    if ('status' in request) return this.refuse(req, request);
    if (this.streams.draining)
      return this.refuse(
        req,
        deny(503, ErrorCode.UNAVAILABLE, 'server restarting', { retryAfterS: 1 }),
      );
    const admitted = await this.gate.connect(req);
    if (!admitted.ok) return this.refuse(req, admitted.denial, false);
    const forbidden = request.subscribes.find((s) => !canSubscribe(admitted.principal, s.topic));
    if (forbidden) {
      admitted.release();
      return this.refuse(
        req,
        deny(403, ErrorCode.FORBIDDEN, `may not subscribe to ${forbidden.topic}`, {
          topic: forbidden.topic,
        }),
      );
    }
    this.streams.open(req, res, admitted.principal, admitted.release, request);
  }

  private refuse(req: Request, denial: Denial, count = true): never {
    if (count) this.gate.refuse(denial);
    this.log.refused('sse', addressOf(req), denial);
    throw new DenialException(denial);
  }
}
