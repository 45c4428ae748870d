import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { CloseCode } from '@pulse/protocol';
import { CONFIG } from '../config/config.module.js';
import type { GatewayConfig } from '../config/config.schema.js';
import type { Client } from '../client/client.js';
import { Timeline, type Due } from '../fanout/throttle/timeline.js';
import { ConnectionLog } from '../logging/connection-log.js';

/** A connection's next expiry event: the `TOKEN_EXPIRING` notice, then the close. */
class SessionTimer implements Due {
  dueAt = 0;
  heapIndex = -1;

  constructor(
    readonly conn: Client,
    private readonly expiry: SessionExpiry,
  ) {}

  run(now: number): void {
    this.expiry.due(this, now);
  }
}

/**
 * Enforces token expiry while connected: `TOKEN_EXPIRING` shortly before `exp` (the client may
 * then send `auth` with a fresh token), and a close with 4002 TOKEN_EXPIRED at `exp`. One timer
 * (a heap by due time) for all connections, like the throttles.
 */
@Injectable()
export class SessionExpiry implements OnModuleDestroy {
  private readonly timeline = new Timeline();

  constructor(
    @Inject(CONFIG) private readonly config: GatewayConfig,
    @Inject(ConnectionLog) private readonly log: ConnectionLog,
  ) {}

  /** (Re)arms the connection's timer from its principal's expiry, e.g. after a refresh. */
  track(conn: Client, now = Date.now()): void {
    const expiresAt = conn.principal.expiresAt;
    if (expiresAt === undefined || conn.closed) return this.untrack(conn);
    const timer = (conn.expiryTimer as SessionTimer | undefined) ?? new SessionTimer(conn, this);
    conn.expiryTimer = timer;
    const noticeAt = expiresAt - this.config.tokenExpiryNoticeMs;
    if (now < noticeAt) this.timeline.schedule(timer, noticeAt);
    else this.due(timer, now);
  }

  untrack(conn: Client): void {
    const timer = conn.expiryTimer as SessionTimer | undefined;
    if (!timer) return;
    this.timeline.cancel(timer);
    conn.expiryTimer = undefined;
  }

  /** Called by the timer: warn if the expiry is ahead, close if it has come. */
  due(timer: SessionTimer, now: number): void {
    const conn = timer.conn;
    const expiresAt = conn.principal.expiresAt;
    if (expiresAt === undefined || conn.closed) return;
    if (now >= expiresAt) {
      conn.expiryTimer = undefined;
      conn.close(CloseCode.TOKEN_EXPIRED, 'token expired');
      return;
    }
    const inMs = expiresAt - now;
    this.log.tokenExpiring(conn, inMs);
    conn.send({
      type: 'notice',
      code: 'TOKEN_EXPIRING',
      message: `token expires in ${Math.ceil(inMs / 1000)} s: send auth with a fresh token`,
      retryAfterMs: inMs,
    });
    this.timeline.schedule(timer, expiresAt);
  }

  onModuleDestroy(): void {
    this.timeline.stop();
  }
}
