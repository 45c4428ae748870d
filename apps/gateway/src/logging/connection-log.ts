import { Inject, Injectable } from '@nestjs/common';
import type { ErrorFrame } from '@pulse/protocol';
import { PinoLogger } from 'nestjs-pino';
import type { Denial } from '../auth/denial.js';
import type { Client } from '../client/client.js';

/** Error frames logged per connection; beyond it they are only counted (the close line says how many). */
export const LOGGED_ERRORS_PER_CONNECTION = 10;

/**
 * One JSON line per connection lifecycle event and per error, each naming the connection, its
 * role and subject. Never a token or a payload: error lines carry the code, request id and
 * topic, not the message text (which can quote what the client sent).
 */
@Injectable()
export class ConnectionLog {
  constructor(@Inject(PinoLogger) private readonly log: PinoLogger) {
    log.setContext('Connections');
  }

  opened(conn: Client): void {
    this.log.info(
      { event: 'connection.open', ...who(conn), ip: conn.remoteAddress },
      'connection opened',
    );
  }

  closed(conn: Client, code: number, reason: string): void {
    this.log.info(
      {
        event: 'connection.close',
        ...who(conn),
        code,
        reason: reason.slice(0, 120),
        durationMs: Date.now() - conn.openedAt,
        errors: conn.errorsSent,
      },
      'connection closed',
    );
  }

  /** An upgrade or SSE request refused before it became a connection. */
  refused(transport: 'ws' | 'sse', ip: string, denial: Denial): void {
    this.log.warn(
      { event: 'connection.refused', transport, ip, status: denial.status, code: denial.code },
      `connection refused: ${denial.message}`,
    );
  }

  error(conn: Client, frame: ErrorFrame): void {
    if (conn.errorsSent > LOGGED_ERRORS_PER_CONNECTION) return;
    const last = conn.errorsSent === LOGGED_ERRORS_PER_CONNECTION;
    this.log.warn(
      {
        event: 'connection.error',
        ...who(conn),
        code: frame.code,
        ...(frame.ref === undefined ? {} : { ref: frame.ref }),
        ...(frame.topic === undefined ? {} : { topic: frame.topic }),
      },
      last ? 'error frame sent (further ones are counted, not logged)' : 'error frame sent',
    );
  }

  tokenRefreshed(conn: Client): void {
    this.log.info(
      { event: 'token.refresh', ...who(conn), expiresAt: conn.principal.expiresAt },
      'token refreshed',
    );
  }

  tokenExpiring(conn: Client, inMs: number): void {
    this.log.info({ event: 'token.expiring', ...who(conn), inMs }, 'token expiring');
  }
}

function who(conn: Client): { conn: string; role: string; sub: string; transport: string } {
  return {
    conn: conn.id,
    role: conn.principal.role,
    sub: conn.principal.subject,
    transport: conn.transport,
  };
}
