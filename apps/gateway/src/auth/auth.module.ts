import { Module } from '@nestjs/common';
import { AccessGate } from './access-gate.js';
import { Admission } from './admission.js';
import { AuthTimeout } from './auth-timeout.js';
import { DevTokenController } from './dev-token.controller.js';
import { TokenService } from './token.service.js';
import { UpgradeGuard } from './upgrade-guard.js';

@Module({
  controllers: [DevTokenController],
  providers: [TokenService, Admission, AccessGate, UpgradeGuard, AuthTimeout],
  exports: [TokenService, Admission, AccessGate, UpgradeGuard, AuthTimeout],
})
export class AuthModule {}
