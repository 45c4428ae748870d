import { Controller, Get, Inject, Logger, Query, Req } from '@nestjs/common';
import { ErrorCode, type HistoryResponse } from '@pulse/protocol';
import type { Request } from 'express';
import { AccessGate } from '../auth/access-gate.js';
import { canSubscribe } from '../auth/acl.js';
import { deny, type Denial } from '../auth/denial.js';
import { DenialException } from '../http/denial.exception.js';
import { parseHistoryRequest } from './history-request.js';
import { HistoryService } from './history.service.js';

/**
 * `GET /history?topic=device.d1.temp&from=<ms>&to=<ms>&step=auto` (protocol.md §26): one
 * topic's durable history, downsampled. Same tokens and ACL as subscribing to the topic;
 * every refusal is JSON with a code.
 */
@Controller('history')
export class HistoryController {
  private readonly log = new Logger('History');

  constructor(
    @Inject(AccessGate) private readonly access: AccessGate,
    @Inject(HistoryService) private readonly history: HistoryService,
  ) {}

  @Get()
  async get(
    @Req() req: Request,
    @Query() query: Record<string, unknown>,
  ): Promise<HistoryResponse> {
    const who = await this.access.authenticate(req);
    if (!who.ok) throw new DenialException(who.denial);
    const request = parseHistoryRequest(query, Date.now());
    if ('status' in request) throw this.refuse(request);
    if (!canSubscribe(who.principal, request.topic))
      throw this.refuse(
        deny(403, ErrorCode.FORBIDDEN, `may not read ${request.topic}`, { topic: request.topic }),
      );
    if (!this.history.store)
      throw this.refuse(
        deny(404, ErrorCode.NOT_FOUND, 'history is off on this gateway (HISTORY=off)'),
      );
    try {
      return await this.history.query(request);
    } catch (err) {
      // The cause (an address, a driver message) goes to the log, not to the client.
      this.log.warn(`history query failed: ${String(err)}`);
      throw this.refuse(
        deny(503, ErrorCode.UNAVAILABLE, 'history store unavailable, retry', {
          retryAfterS: 1,
          topic: request.topic,
        }),
      );
    }
  }

  private refuse(denial: Denial): DenialException {
    this.access.refuse(denial);
    return new DenialException(denial);
  }
}
