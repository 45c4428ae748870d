import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { CONFIG } from '../config/config.module.js';
import type { GatewayConfig } from '../config/config.schema.js';
import { BUS, type Bus } from './bus.js';
import { MemoryBus } from './memory-bus.js';

@Module({
  providers: [
    {
      provide: BUS,
      inject: [CONFIG],
      useFactory: (config: GatewayConfig): Bus => new MemoryBus(config.historySize),
    },
  ],
  exports: [BUS],
})
export class BusModule implements OnApplicationShutdown {
  constructor(@Inject(BUS) private readonly bus: Bus) {}

  async onApplicationShutdown(): Promise<void> {
    await this.bus.close();
  }
}
