import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode } from '@pulse/protocol';
import { errors, jwtVerify, SignJWT } from 'jose';
import * as v from 'valibot';
import { CONFIG } from '../config/config.module.js';
import type { GatewayConfig } from '../config/config.schema.js';
import { ClaimsSchema, type MintClaims, type Principal } from './claims.js';

export type VerifyResult =
  | { ok: true; principal: Principal }
  | {
      ok: false;
      code: typeof ErrorCode.UNAUTHORIZED | typeof ErrorCode.TOKEN_EXPIRED;
      reason: string;
    };

/** Seconds a token's remaining lifetime may exceed TOKEN_MAX_TTL (clocks of minting hosts drift). */
const CLOCK_LEEWAY_S = 60;

/** HS256 tokens signed with `JWT_SECRET` (jose). */
@Injectable()
export class TokenService {
  constructor(@Inject(CONFIG) private readonly config: GatewayConfig) {}

  async verify(token: string): Promise<VerifyResult> {
    try {
      const { payload } = await jwtVerify(token, this.config.jwtSecret, { algorithms: ['HS256'] });
      const claims = v.safeParse(ClaimsSchema, payload);
      if (!claims.success) {
        return {
          ok: false,
          code: ErrorCode.UNAUTHORIZED,
          reason: claims.issues[0]?.message ?? 'bad claims',
        };
      }
      const { sub, role, exp, topics } = claims.output;
      const lifetime = this.checkLifetime(exp, payload.iat);
      if (lifetime) return { ok: false, code: ErrorCode.UNAUTHORIZED, reason: lifetime };
      return {
        ok: true,
        principal: {
          subject: sub,
          role,
          ...(exp === undefined ? {} : { expiresAt: exp * 1000 }),
          ...(topics === undefined ? {} : { topics }),
        },
      };
    } catch (err) {
      if (err instanceof errors.JWTExpired)
        return { ok: false, code: ErrorCode.TOKEN_EXPIRED, reason: 'token expired' };
      if (err instanceof errors.JOSEError)
        return { ok: false, code: ErrorCode.UNAUTHORIZED, reason: 'invalid token' };
      throw err;
    }
  }

  /**
   * A token that never expires cannot be revoked by waiting, so `exp` is required, and no
   * token may live longer than `TOKEN_MAX_TTL`: measured from `iat` when present, and always
   * from now (so a future `iat` buys nothing), with a minute's leeway for clock skew.
   */
  private checkLifetime(exp: number | undefined, iat: number | undefined): string | undefined {
    if (exp === undefined) return 'token has no exp claim: tokens must expire';
    const max = this.config.tokenMaxTtlS;
    const remaining = exp - Date.now() / 1000;
    if ((iat !== undefined && exp - iat > max) || remaining > max + CLOCK_LEEWAY_S)
      return `token lifetime over TOKEN_MAX_TTL (${max} s)`;
    return undefined;
  }

  sign(claims: MintClaims, ttlSeconds: number): Promise<string> {
    return signToken(this.config.jwtSecret, claims, ttlSeconds);
  }
}

/** Mints an HS256 token; shared by the service and the token CLI. */
export function signToken(
  secret: Uint8Array,
  claims: MintClaims,
  ttlSeconds: number,
): Promise<string> {
  return new SignJWT(
    claims.topics ? { role: claims.role, topics: claims.topics } : { role: claims.role },
  )
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(secret);
}
