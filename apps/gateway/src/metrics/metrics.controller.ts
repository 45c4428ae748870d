import { Controller, Get, Inject, NotFoundException, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CONFIG } from '../config/config.module.js';
import type { GatewayConfig } from '../config/config.schema.js';
import { DenialException } from '../http/denial.exception.js';
import { MetricsAccess } from './metrics-access.js';
import { PrometheusRegistry } from './prometheus.js';

@Controller('metrics')
export class MetricsController {
  constructor(
    @Inject(CONFIG) private readonly config: GatewayConfig,
    @Inject(PrometheusRegistry) private readonly prometheus: PrometheusRegistry,
    @Inject(MetricsAccess) private readonly access: MetricsAccess,
  ) {}

  /** Prometheus text exposition, for admin tokens or METRICS_TOKEN (404 when on METRICS_PORT). */
  @Get()
  async metrics(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<string> {
    if (this.config.metricsPort !== undefined) throw new NotFoundException();
    const denial = await this.access.check(req);
    if (denial) throw new DenialException(denial);
    res.setHeader('Content-Type', this.prometheus.registry.contentType);
    return this.prometheus.registry.metrics();
  }
}
