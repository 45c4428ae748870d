import { Module } from '@nestjs/common';
import { BusModule } from '../bus/bus.module.js';
import { FanoutService } from './fanout.service.js';

@Module({ imports: [BusModule], providers: [FanoutService], exports: [FanoutService] })
export class FanoutModule {}
