import { Module } from '@nestjs/common';
import { AlarmsModule } from '../alarms/alarms.module.js';
import { BusModule } from '../bus/bus.module.js';
import { FanoutModule } from '../fanout/fanout.module.js';
import { InboundRouter } from './inbound-router.js';
import { IngestGate } from './ingest-gate.js';
import { PublishLimiter } from './publish-limiter.js';
import { Publisher } from './publisher.js';

@Module({
  imports: [BusModule, FanoutModule, AlarmsModule],
  providers: [Publisher, PublishLimiter, IngestGate, InboundRouter],
  exports: [InboundRouter, IngestGate],
})
export class IngestModule {}
