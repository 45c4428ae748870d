import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, type Auth } from '@pulse/protocol';
import type { Principal } from '../auth/claims.js';
import { TokenService } from '../auth/token.service.js';
import type { Client } from '../client/client.js';
import { ConnectionLog } from '../logging/connection-log.js';
import { Stats } from '../metrics/stats.js';
import { SessionExpiry } from './session-expiry.js';

/**
 * `auth`: swaps a connection's token without a reconnect. The new token must be valid and name
 * the same subject, role and topic allow-list: a refresh extends a session, it does not change
 * who it is (subscriptions were authorised for that identity).
 */
@Injectable()
export class TokenRefresh {
  constructor(
    @Inject(TokenService) private readonly tokens: TokenService,
    @Inject(SessionExpiry) private readonly expiry: SessionExpiry,
    @Inject(ConnectionLog) private readonly log: ConnectionLog,
    @Inject(Stats) private readonly stats: Stats,
  ) {}

  async refresh(conn: Client, req: Auth): Promise<void> {
    const result = await this.tokens.verify(req.token);
    if (!result.ok) {
      return conn.send({ type: 'error', code: result.code, message: result.reason, ref: req.id });
    }
    if (!sameIdentity(conn.principal, result.principal)) {
      return conn.send({
        type: 'error',
        code: ErrorCode.FORBIDDEN,
        message: 'a refreshed token must keep the subject, role and topics; reconnect instead',
        ref: req.id,
      });
    }
    conn.principal = result.principal;
    this.expiry.track(conn);
    this.stats.tokenRefreshes += 1;
    this.log.tokenRefreshed(conn);
    const expiresAt = result.principal.expiresAt;
    conn.send(
      expiresAt === undefined
        ? { type: 'authenticated', id: req.id }
        : { type: 'authenticated', id: req.id, expiresAt },
    );
  }
}

function sameIdentity(a: Principal, b: Principal): boolean {
  return a.subject === b.subject && a.role === b.role && sameSet(a.topics ?? [], b.topics ?? []);
}

/** An allow-list is a set: the same topics in another order (or repeated) are the same grant. */
function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((t) => y.has(t));
}
