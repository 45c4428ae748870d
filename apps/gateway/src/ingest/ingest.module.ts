import { Module } from '@nestjs/common';
import { BusModule } from '../bus/bus.module.js';
import { FanoutModule } from '../fanout/fanout.module.js';
import { InboundRouter } from './inbound-router.js';
import { Publisher } from './publisher.js';

@Module({
  imports: [BusModule, FanoutModule],
  providers: [Publisher, InboundRouter],
  exports: [InboundRouter],
})
export class IngestModule {}
