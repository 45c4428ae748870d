import type { IncomingMessage } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode } from '@pulse/protocol';
import { CONFIG } from '../config/config.module.js';
import type { GatewayConfig } from '../config/config.schema.js';
import { Stats } from '../metrics/stats.js';
import { Admission, type Release } from './admission.js';
import { proxyTrust, type ProxyTrust } from '../config/proxy-trust.js';
import { resolveClientAddress } from './client-address.js';
import type { Principal } from './claims.js';
import { deny, type Denial } from './denial.js';
import { originAllowed } from './origin-policy.js';
import { tokenFrom } from './token-source.js';
import { TokenService } from './token.service.js';

export type Admitted = { ok: true; principal: Principal; release: Release };
export type Authenticated = { ok: true; principal: Principal };
export type Refused = { ok: false; denial: Denial };

/**
 * The checks every way in shares (WebSocket upgrade, SSE stream, HTTP publish, metrics), in
 * order of cost: page origin (403), then for connections the connect limits (429/503), then
 * the token (401). Each refusal is counted by code.
 */
@Injectable()
export class AccessGate {
  private readonly trust: ProxyTrust;

  constructor(
    @Inject(CONFIG) private readonly config: GatewayConfig,
    @Inject(TokenService) private readonly tokens: TokenService,
    @Inject(Admission) private readonly admission: Admission,
    @Inject(Stats) private readonly stats: Stats,
  ) {
    this.trust = proxyTrust(config.trustedProxies);
  }

  /** For a request that stays open: on success the caller must call `release` when it ends. */
  async connect(req: IncomingMessage): Promise<Admitted | Refused> {
    const origin = this.checkOrigin(req);
    if (origin) return this.refuse(origin);
    const slot = await this.admission.admit(resolveClientAddress(req, this.trust));
    if (typeof slot !== 'function') return this.refuse(slot);
    const who = await this.authenticateToken(req);
    if (!who.ok) {
      slot();
      return who;
    }
    return { ok: true, principal: who.principal, release: slot };
  }

  /** For a one-off request (publish, metrics): origin and token. */
  async authenticate(req: IncomingMessage): Promise<Authenticated | Refused> {
    resolveClientAddress(req, this.trust);
    const origin = this.checkOrigin(req);
    if (origin) return this.refuse(origin);
    return this.authenticateToken(req);
  }

  /** Counts a refusal decided elsewhere (ACL, bad parameters) alongside the gate's own. */
  refuse(denial: Denial): Refused {
    this.stats.refused[denial.code] = (this.stats.refused[denial.code] ?? 0) + 1;
    return { ok: false, denial };
  }

  private checkOrigin(req: IncomingMessage): Denial | undefined {
    if (originAllowed(this.config.allowedOrigins, req)) return undefined;
    return deny(403, ErrorCode.ORIGIN_NOT_ALLOWED, 'origin not allowed');
  }

  private async authenticateToken(req: IncomingMessage): Promise<Authenticated | Refused> {
    const token = tokenFrom(req);
    if (!token) return this.refuse(deny(401, ErrorCode.UNAUTHORIZED, 'missing token'));
    const result = await this.tokens.verify(token);
    if (!result.ok) return this.refuse(deny(401, result.code, result.reason));
    return { ok: true, principal: result.principal };
  }
}
