import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { CONFIG } from '../config/config.module.js';
import { answerClientErrors } from '../http/client-errors.js';
import type { GatewayConfig } from '../config/config.schema.js';
import { MetricsAccess } from './metrics-access.js';
import { PrometheusRegistry } from './prometheus.js';

/**
 * `/metrics` on its own port (`METRICS_PORT`), for deployments that keep scraping on an
 * internal network: nothing else is served there, and only METRICS_TOKEN (if set) is asked.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private server: Server | undefined;

  constructor(
    @Inject(CONFIG) private readonly config: GatewayConfig,
    @Inject(PrometheusRegistry) private readonly prometheus: PrometheusRegistry,
    @Inject(MetricsAccess) private readonly access: MetricsAccess,
  ) {}

  /** The port it listens on (undefined when metrics share the main port). */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.metricsPort === undefined) return;
    const registry = this.prometheus.registry;
    const server = createServer((req, res) => {
      const json = (status: number, code: string, message: string) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ type: 'error', code, message }));
      };
      if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics')
        return json(404, 'NOT_FOUND', 'only GET /metrics here');
      if (!this.access.checkStatic(req)) return json(401, 'UNAUTHORIZED', 'METRICS_TOKEN required');
      registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'Content-Type': registry.contentType });
          res.end(text);
        },
        () => json(500, 'INTERNAL', 'metrics failed'),
      );
    });
    answerClientErrors(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.metricsPort, this.config.host, resolve);
    });
    this.server = server;
    new Logger('Metrics').log(`metrics on http://${this.config.host}:${this.port}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}
