import { Module } from '@nestjs/common';
import { BUS, type Bus } from '../bus/bus.js';
import { asRedisBus, BusModule } from '../bus/bus.module.js';
import { LocalPresenceStore, PRESENCE_STORE, type PresenceStore } from './presence-store.js';
import { PresenceService } from './presence.service.js';

@Module({
  imports: [BusModule],
  providers: [
    {
      provide: PRESENCE_STORE,
      inject: [BUS],
      // Across instances presence needs leases in Redis; alone, every join and leave is a flip.
      useFactory: (bus: Bus): PresenceStore =>
        asRedisBus(bus)?.presence ?? new LocalPresenceStore(bus),
    },
    PresenceService,
  ],
  exports: [PresenceService],
})
export class PresenceModule {}
