import { Module } from '@nestjs/common';
import { BusModule } from '../bus/bus.module.js';
import { OutflowModule } from '../outflow/outflow.module.js';
import { FanoutService } from './fanout.service.js';

@Module({
  imports: [BusModule, OutflowModule],
  providers: [FanoutService],
  exports: [FanoutService, OutflowModule],
})
export class FanoutModule {}
