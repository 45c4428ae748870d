import { Module } from '@nestjs/common';
import { BusModule } from '../bus/bus.module.js';
import { FanoutModule } from '../fanout/fanout.module.js';
import { SessionModule } from '../session/session.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { InboundRouter } from './inbound-router.js';
import { PublishController } from './publish.controller.js';
import { IngestGate } from './ingest-gate.js';
import { PublishLimiter } from './publish-limiter.js';
import { Publisher } from './publisher.js';

@Module({
  imports: [BusModule, FanoutModule, SessionModule, AuthModule],
  controllers: [PublishController],
  providers: [Publisher, PublishLimiter, IngestGate, InboundRouter],
  exports: [InboundRouter, IngestGate, Publisher],
})
export class IngestModule {}
