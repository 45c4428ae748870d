import { Global, Module } from '@nestjs/common';
import { BusModule } from '../bus/bus.module.js';
import { BusTelemetry } from './bus-telemetry.js';
import { MetricsController } from './metrics.controller.js';
import { PrometheusRegistry } from './prometheus.js';
import { Stats } from './stats.js';

@Global()
@Module({
  imports: [BusModule],
  controllers: [MetricsController],
  providers: [Stats, BusTelemetry, PrometheusRegistry],
  exports: [Stats, BusTelemetry, PrometheusRegistry],
})
export class MetricsModule {}
