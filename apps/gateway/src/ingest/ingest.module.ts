import { Module } from '@nestjs/common';
import { AlarmsModule } from '../alarms/alarms.module.js';
import { BUS, type Bus } from '../bus/bus.js';
import { asRedisBus, BusModule } from '../bus/bus.module.js';
import { FanoutModule } from '../fanout/fanout.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { HistoryModule } from '../history/history.module.js';
import { PublishController } from './publish.controller.js';
import { IngestGate } from './ingest-gate.js';
import { PublishLimiter } from './publish-limiter.js';
import { Publisher } from './publisher.js';
import { RedisQuota } from './redis-quota.js';
import { LocalQuota, SHARED_QUOTA, type SharedQuota } from './shared-quota.js';

@Module({
  imports: [BusModule, FanoutModule, AuthModule, AlarmsModule, HistoryModule],
  controllers: [PublishController],
  providers: [
    {
      provide: SHARED_QUOTA,
      inject: [BUS],
      // Quotas must hold across instances only when there are several: with Redis.
      useFactory: (bus: Bus): SharedQuota => {
        const redis = asRedisBus(bus);
        return redis ? new RedisQuota(redis.commands, redis.keyPrefix) : new LocalQuota();
      },
    },
    Publisher,
    PublishLimiter,
    IngestGate,
  ],
  exports: [IngestGate, Publisher],
})
export class IngestModule {}
