import type { IncomingMessage } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { TokenService } from './token.service.js';
import type { Principal } from './claims.js';

/** Where the guard leaves the principal for the connection handler. */
const PRINCIPAL = Symbol('pulse.principal');
type AuthedRequest = IncomingMessage & { [PRINCIPAL]?: Principal };

export function principalOf(req: IncomingMessage): Principal | undefined {
  return (req as AuthedRequest)[PRINCIPAL];
}

export type UpgradeDecision = { ok: true } | { ok: false; status: number; message: string };

/**
 * Authenticates a WebSocket upgrade before it happens: a token from `Authorization: Bearer`
 * or the `token` query parameter (browsers cannot set headers on a WebSocket).
 */
@Injectable()
export class UpgradeGuard {
  constructor(@Inject(TokenService) private readonly tokens: TokenService) {}

  async check(req: IncomingMessage): Promise<UpgradeDecision> {
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
