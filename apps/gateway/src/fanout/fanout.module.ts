import { Module } from '@nestjs/common';
import { BusModule } from '../bus/bus.module.js';
import { FanoutService } from './fanout.service.js';
import { Outflow } from './outflow.js';

@Module({
  imports: [BusModule],
  providers: [FanoutService, Outflow],
  exports: [FanoutService, Outflow],
})
export class FanoutModule {}
