import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode } from '@pulse/protocol';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { CONFIG } from '../config/config.module.js';
import type { GatewayConfig } from '../config/config.schema.js';
import { Stats } from '../metrics/stats.js';
import { deny, type Denial } from './denial.js';

/** Gives the slot back; calling it again does nothing. */
export type Release = () => void;

/**
 * Connect-time limits, for WebSocket upgrades and SSE streams alike: attempts per second per
 * client address (429 + Retry-After), open connections per address (429) and in all (503).
 * A slot is taken before the token is checked, so a flood of bad tokens cannot sneak past the
 * caps, and is given back when the connection ends (or the attempt fails).
 */
@Injectable()
export class Admission {
  private readonly attempts: RateLimiterMemory;
  private readonly byAddress = new Map<string, number>();
  private open = 0;

  constructor(
    @Inject(CONFIG) private readonly config: GatewayConfig,
    @Inject(Stats) private readonly stats: Stats,
  ) {
    this.attempts = new RateLimiterMemory({ points: config.connectRatePerIp, duration: 1 });
  }

  /** Connections (and SSE streams) holding a slot now. */
  get size(): number {
    return this.open;
  }

  async admit(address: string): Promise<Release | Denial> {
    try {
      await this.attempts.consume(address);
    } catch (res) {
      if (!(res instanceof RateLimiterRes)) throw res;
      this.stats.rateLimited.connect += 1;
      return deny(429, ErrorCode.RATE_LIMITED, 'too many connection attempts', {
        retryAfterS: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
      });
    }
    if (this.open >= this.config.maxConnections) {
      return deny(503, ErrorCode.OVER_CAPACITY, 'gateway at its connection limit', {
        retryAfterS: 5,
      });
    }
    const mine = this.byAddress.get(address) ?? 0;
    if (mine >= this.config.maxConnectionsPerIp) {
      return deny(429, ErrorCode.TOO_MANY_CONNECTIONS, 'too many connections from this address', {
        retryAfterS: 5,
      });
    }
    this.open += 1;
    this.byAddress.set(address, mine + 1);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.open -= 1;
      const left = (this.byAddress.get(address) ?? 1) - 1;
      if (left > 0) this.byAddress.set(address, left);
      else this.byAddress.delete(address);
    };
  }
}
