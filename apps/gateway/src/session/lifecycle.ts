import { Inject, Injectable } from '@nestjs/common';
import type { ErrorFrame } from '@pulse/protocol';
import type { Client, ErrorObserver } from '../client/client.js';
import { FanoutService } from '../fanout/fanout.service.js';
import { ConnectionLog } from '../logging/connection-log.js';
import { Stats } from '../metrics/stats.js';
import { SessionExpiry } from './session-expiry.js';

/**
 * What happens when any connection (WebSocket or SSE) opens, sends an error, or closes:
 * expiry tracking, metrics and the log line. Transports call it; they need not know the rest.
 */
@Injectable()
export class ConnectionLifecycle {
  constructor(
    @Inject(Stats) private readonly stats: Stats,
    @Inject(ConnectionLog) private readonly log: ConnectionLog,
    @Inject(SessionExpiry) private readonly expiry: SessionExpiry,
    @Inject(FanoutService) private readonly fanout: FanoutService,
  ) {}

  /** Every error frame, whichever module sends it: counted by code, logged (capped). */
  readonly onError: ErrorObserver = (conn: Client, frame: ErrorFrame) => {
    this.stats.error(frame.code);
    this.log.error(conn, frame);
  };

  opened(conn: Client): void {
    this.expiry.track(conn);
    this.log.opened(conn);
  }

  closed(conn: Client, code: number, reason: string): void {
    conn.closed = true;
    this.stats.closed(code);
    this.expiry.untrack(conn);
    this.fanout.dropConnection(conn);
    this.log.closed(conn, code, reason);
  }
}
