import type { IncomingMessage } from 'node:http';
import {
  BadRequestException,
  Controller,
  Get,
  Header,
  Inject,
  NotFoundException,
  Query,
  Req,
} from '@nestjs/common';
import * as v from 'valibot';
import { CONFIG } from '../config/config.module.js';
import type { GatewayConfig } from '../config/config.schema.js';
import { DenialException } from '../http/denial.exception.js';
import { ClaimsSchema } from './claims.js';
import { DevTokenPolicy } from './dev-token-policy.js';
import { TokenService } from './token.service.js';

const DevTokenQuery = v.object({
  role: ClaimsSchema.entries.role,
  sub: ClaimsSchema.entries.sub,
});

/** The demo's tokens live a day, or less when TOKEN_MAX_TTL says so. */
const DEV_TOKEN_TTL_S = 24 * 3600;

/**
 * Development only: hands out tokens so the demo's dashboard and simulator need no secret.
 * Answers 404 when `DEV_TOKENS` is off (always in production), 403 to anyone but a client on
 * this machine asking from its own origin (see `DevTokenPolicy`).
 */
@Controller('auth')
export class DevTokenController {
  private readonly policy: DevTokenPolicy;

  constructor(
    @Inject(CONFIG) private readonly config: GatewayConfig,
    @Inject(TokenService) private readonly tokens: TokenService,
  ) {
    this.policy = new DevTokenPolicy(config.devTokenClients);
  }

  @Get('dev-token')
  @Header('Cache-Control', 'no-store')
  async devToken(
    @Req() req: IncomingMessage,
    @Query() query: Record<string, unknown>,
  ): Promise<{ token: string }> {
    if (!this.config.devTokens) throw new NotFoundException();
    const refusal = this.policy.refusal(req);
    if (refusal) throw new DenialException(refusal);
    const parsed = v.safeParse(DevTokenQuery, query);
    if (!parsed.success) throw new BadRequestException(parsed.issues[0]?.message ?? 'bad query');
    const ttl = Math.min(DEV_TOKEN_TTL_S, this.config.tokenMaxTtlS);
    return { token: await this.tokens.sign(parsed.output, ttl) };
  }
}
