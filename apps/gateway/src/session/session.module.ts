import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { FanoutModule } from '../fanout/fanout.module.js';
import { ConnectionLifecycle } from './lifecycle.js';
import { SessionExpiry } from './session-expiry.js';
import { TokenRefresh } from './token-refresh.js';

/** A connection between open and close, whatever its transport: expiry, refresh, lifecycle. */
@Module({
  imports: [AuthModule, FanoutModule],
  providers: [SessionExpiry, TokenRefresh, ConnectionLifecycle],
  exports: [SessionExpiry, TokenRefresh, ConnectionLifecycle],
})
export class SessionModule {}
