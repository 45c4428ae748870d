import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Role } from '@pulse/protocol';
import { AppModule } from '../src/app.module.js';
import { configureApp } from '../src/app.setup.js';
import { signToken } from '../src/auth/token.service.js';
import { BUS, type Bus } from '../src/bus/bus.js';
import type { GatewayConfig } from '../src/config/config.schema.js';
import { loadConfig } from '../src/config/load-config.js';
import { LOG_DESTINATION } from '../src/logging/logging.module.js';

export const TEST_SECRET = 'test-secret-that-is-long-enough-for-hs256!';

/**
 * Tests of delivery and resume see every update (`TOPIC_POLICIES=none`) with generous publish
 * quotas; flow-control tests set their own policies and limits.
 */
const TEST_ENV = {
  NODE_ENV: 'test',
  PORT: '0',
  JWT_SECRET: TEST_SECRET,
  TOPIC_POLICIES: 'none',
  PUBLISH_LIMITS: 'device=10000/10000,feed=10000/10000,admin=10000/10000',
  CONNECT_RATE_PER_IP: '10000',
  LOG_LEVEL: 'error',
};

export interface GatewayResource extends AsyncDisposable {
  readonly app: INestApplication;
  readonly port: number;
  /** `ws://127.0.0.1:<port>/ws` */
  readonly wsUrl: string;
  readonly httpUrl: string;
  token(role: Role, sub: string, ttlSeconds?: number, topics?: string[]): Promise<string>;
  /** `/metrics` as an admin would scrape it. */
  metrics(): Promise<string>;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Replaces the bus (e.g. one that is slow on purpose) for flow-control tests. */
  bus?: (config: GatewayConfig) => Bus;
  /** Receives the JSON log lines (set LOG_LEVEL too: tests default to `error`). */
  logs?: { write(line: string): void };
}

/** The real gateway (same wiring as main.ts) on a free port, disposed with `await using`. */
export async function startGateway(
  env: Record<string, string> = {},
  options: StartOptions = {},
): Promise<GatewayResource> {
  const config = loadConfig({ ...TEST_ENV, ...env });
  const builder = Test.createTestingModule({ imports: [AppModule.forRoot(config)] });
  if (options.bus) builder.overrideProvider(BUS).useValue(options.bus(config));
  if (options.logs) builder.overrideProvider(LOG_DESTINATION).useValue(options.logs);
  const moduleRef = await builder.compile();
  const app = configureApp(moduleRef.createNestApplication({ logger: ['error'] }));
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await app.close();
  };
  return {
    app,
    port: address.port,
    wsUrl: `ws://127.0.0.1:${address.port}/ws`,
    httpUrl: `http://127.0.0.1:${address.port}`,
    token: (role, sub, ttl = 3600, topics) =>
      signToken(config.jwtSecret, topics ? { role, sub, topics } : { role, sub }, ttl),
    metrics: async () => {
      const token = await signToken(config.jwtSecret, { role: 'admin', sub: 'scraper' }, 60);
      const res = await fetch(`http://127.0.0.1:${address.port}/metrics`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return res.text();
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
