import { Module } from '@nestjs/common';
import { BusModule } from '../bus/bus.module.js';
import { PresenceService } from './presence.service.js';

@Module({ imports: [BusModule], providers: [PresenceService], exports: [PresenceService] })
export class PresenceModule {}
