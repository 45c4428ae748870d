import { Module } from '@nestjs/common';
import { DevTokenController } from './dev-token.controller.js';
import { TokenService } from './token.service.js';
import { UpgradeGuard } from './upgrade-guard.js';

@Module({
  controllers: [DevTokenController],
  providers: [TokenService, UpgradeGuard],
  exports: [TokenService, UpgradeGuard],
})
export class AuthModule {}
