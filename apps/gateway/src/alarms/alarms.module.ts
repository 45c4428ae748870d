import { Module } from '@nestjs/common';
import { BusModule } from '../bus/bus.module.js';
import { AlarmsService } from './alarms.service.js';

/** Threshold alarms on device readings, published on `alarm.*` (rules from `ALARM_RULES`). */
@Module({ imports: [BusModule], providers: [AlarmsService], exports: [AlarmsService] })
export class AlarmsModule {}
