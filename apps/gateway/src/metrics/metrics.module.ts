import { Global, Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { BusModule } from '../bus/bus.module.js';
import { BusTelemetry } from './bus-telemetry.js';
import { MetricsAccess } from './metrics-access.js';
import { MetricsServer } from './metrics-server.js';
import { MetricsController } from './metrics.controller.js';
import { PrometheusRegistry } from './prometheus.js';
import { Stats } from './stats.js';

@Global()
@Module({
  imports: [BusModule, AuthModule],
  controllers: [MetricsController],
  providers: [Stats, BusTelemetry, PrometheusRegistry, MetricsAccess, MetricsServer],
  exports: [Stats, BusTelemetry, PrometheusRegistry],
})
export class MetricsModule {}
