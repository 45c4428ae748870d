import { Inject, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { CONFIG } from '../config/config.module.js';
import type { GatewayConfig } from '../config/config.schema.js';
import { PrometheusRegistry } from '../metrics/prometheus.js';
import { HistoryController } from './history.controller.js';
import { HistoryService } from './history.service.js';

/** The durable history store behind the live path (ADR 0005, protocol.md §26). */
@Module({
  imports: [AuthModule],
  controllers: [HistoryController],
  providers: [
    {
      provide: HistoryService,
      inject: [CONFIG],
      useFactory: (config: GatewayConfig) => HistoryService.open(config.history),
    },
  ],
  exports: [HistoryService],
})
export class HistoryModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(HistoryService) private readonly history: HistoryService,
    // From the global MetricsModule.
    @Inject(PrometheusRegistry) private readonly prometheus: PrometheusRegistry,
  ) {}

  onModuleInit(): void {
    for (const metric of this.history.writer.telemetry.metrics)
      this.prometheus.registry.registerMetric(metric);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.history.close();
  }
}
