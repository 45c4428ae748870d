import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode } from '@pulse/protocol';
import { AccessGate } from '../auth/access-gate.js';
import { canReadMetrics } from '../auth/acl.js';
import { deny, type Denial } from '../auth/denial.js';
import { bearerToken } from '../auth/token-source.js';
import { CONFIG } from '../config/config.module.js';
import type { GatewayConfig } from '../config/config.schema.js';

/** Who may scrape: `Authorization: Bearer <METRICS_TOKEN>`, or any admin token. */
@Injectable()
export class MetricsAccess {
  constructor(
    @Inject(CONFIG) private readonly config: GatewayConfig,
    @Inject(AccessGate) private readonly gate: AccessGate,
  ) {}

  /** Undefined when allowed. */
  async check(req: IncomingMessage): Promise<Denial | undefined> {
    if (this.matchesMetricsToken(req)) return undefined;
    const who = await this.gate.authenticate(req);
    if (!who.ok) return who.denial;
    if (canReadMetrics(who.principal)) return undefined;
    return this.gate.refuse(deny(403, ErrorCode.FORBIDDEN, 'metrics are for admin tokens')).denial;
  }

  /** The separate metrics port asks only for the METRICS_TOKEN, when one is set. */
  checkStatic(req: IncomingMessage): boolean {
    return this.config.metricsToken === undefined || this.matchesMetricsToken(req);
  }

  private matchesMetricsToken(req: IncomingMessage): boolean {
    const expected = this.config.metricsToken;
    const given = bearerToken(req);
    if (expected === undefined || given === undefined) return false;
    const a = Buffer.from(given);
    const b = Buffer.from(expected);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
