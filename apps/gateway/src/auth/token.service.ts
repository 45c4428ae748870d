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
