import { Controller, Get, Header, Inject } from '@nestjs/common';
import { PrometheusRegistry } from './prometheus.js';

@Controller('metrics')
export class MetricsController {
  constructor(@Inject(PrometheusRegistry) private readonly prometheus: PrometheusRegistry) {}

  /** Prometheus text exposition. */
  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): Promise<string> {
    return this.prometheus.registry.metrics();
  }
}
