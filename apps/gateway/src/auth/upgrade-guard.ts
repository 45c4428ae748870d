import type { IncomingMessage } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { ConnectionLog } from '../logging/connection-log.js';
import { AccessGate } from './access-gate.js';
import { addressOf } from './client-address.js';
import type { Principal } from './claims.js';
import type { Denial } from './denial.js';

/** Where the guard leaves the principal for the connection handler. */
const PRINCIPAL = Symbol('pulse.principal');
type AuthedRequest = IncomingMessage & { [PRINCIPAL]?: Principal };

export function principalOf(req: IncomingMessage): Principal | undefined {
  return (req as AuthedRequest)[PRINCIPAL];
}

export type UpgradeDecision = { ok: true } | { ok: false; denial: Denial };

/**
 * Decides a WebSocket upgrade before it happens (origin, connect limits, token; see
 * `AccessGate`). The connection slot is held until the TCP socket closes, whether or not the
 * upgrade then completes.
 */
@Injectable()
export class UpgradeGuard {
  constructor(
    @Inject(AccessGate) private readonly gate: AccessGate,
    @Inject(ConnectionLog) private readonly log: ConnectionLog,
  ) {}

  async check(req: IncomingMessage): Promise<UpgradeDecision> {
    const result = await this.gate.connect(req);
    if (!result.ok) {
      this.log.refused('ws', addressOf(req), result.denial);
      return result;
    }
    if (req.socket.destroyed) result.release();
    else req.socket.once('close', result.release);
    (req as AuthedRequest)[PRINCIPAL] = result.principal;
    return { ok: true };
  }
}
