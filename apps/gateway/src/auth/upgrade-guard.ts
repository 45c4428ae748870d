import type { IncomingMessage } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { CONFIG } from '../config/config.module.js';
import type { GatewayConfig } from '../config/config.schema.js';
import { Stats } from '../metrics/stats.js';
import { TokenService } from './token.service.js';
import type { Principal } from './claims.js';

/** Where the guard leaves the principal for the connection handler. */
const PRINCIPAL = Symbol('pulse.principal');
type AuthedRequest = IncomingMessage & { [PRINCIPAL]?: Principal };

export function principalOf(req: IncomingMessage): Principal | undefined {
  return (req as AuthedRequest)[PRINCIPAL];
}

export type UpgradeDecision =
  { ok: true } | { ok: false; status: number; message: string; headers?: Record<string, string> };

/**
 * Authenticates a WebSocket upgrade before it happens: a token from `Authorization: Bearer`
 * or the `token` query parameter (browsers cannot set headers on a WebSocket).
 */
@Injectable()
export class UpgradeGuard {
  /** Connection attempts per client address per second (rate-limiter-flexible). */
  private readonly connectLimiter: RateLimiterMemory;

  constructor(
    @Inject(TokenService) private readonly tokens: TokenService,
    @Inject(CONFIG) config: GatewayConfig,
    @Inject(Stats) private readonly stats: Stats,
  ) {
    this.connectLimiter = new RateLimiterMemory({ points: config.connectRatePerIp, duration: 1 });
  }

  async check(req: IncomingMessage): Promise<UpgradeDecision> {
    const address = req.socket.remoteAddress ?? 'unknown';
    try {
      await this.connectLimiter.consume(address);
    } catch (res) {
      if (!(res instanceof RateLimiterRes)) throw res;
      this.stats.rateLimited.connect += 1;
      const retryAfter = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
      return {
        ok: false,
        status: 429,
        message: 'too many connection attempts',
        headers: { 'Retry-After': String(retryAfter) },
      };
    }
    const token = tokenFrom(req);
    if (!token) return { ok: false, status: 401, message: 'missing token' };
    const result = await this.tokens.verify(token);
    if (!result.ok) return { ok: false, status: 401, message: result.reason };
    (req as AuthedRequest)[PRINCIPAL] = result.principal;
    return { ok: true };
  }
}

function tokenFrom(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim() || undefined;
  const url = req.url ?? '';
  const q = url.indexOf('?');
  if (q === -1) return undefined;
  return new URLSearchParams(url.slice(q + 1)).get('token') ?? undefined;
}
