import {
  BadRequestException,
  Controller,
  Get,
  Inject,
  NotFoundException,
  Query,
} from '@nestjs/common';
import * as v from 'valibot';
import { CONFIG } from '../config/config.module.js';
import type { GatewayConfig } from '../config/config.schema.js';
import { ClaimsSchema } from './claims.js';
import { TokenService } from './token.service.js';

const DevTokenQuery = v.object({
  role: ClaimsSchema.entries.role,
  sub: ClaimsSchema.entries.sub,
});

/**
 * Development only: hands out tokens so the demo's dashboard and simulator need no secret.
 * Answers 404 when `DEV_TOKENS` is off (always in production).
 */
@Controller('auth')
export class DevTokenController {
  constructor(
    @Inject(CONFIG) private readonly config: GatewayConfig,
    @Inject(TokenService) private readonly tokens: TokenService,
  ) {}

  @Get('dev-token')
  async devToken(@Query() query: Record<string, unknown>): Promise<{ token: string }> {
    if (!this.config.devTokens) throw new NotFoundException();
    const parsed = v.safeParse(DevTokenQuery, query);
    if (!parsed.success) throw new BadRequestException(parsed.issues[0]?.message ?? 'bad query');
    return { token: await this.tokens.sign(parsed.output, 24 * 3600) };
  }
}
