import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Test } from '@nestjs/testing';
import type { Role } from '@pulse/protocol';
import { afterAll, beforeAll } from 'vitest';
import { AppModule } from '../src/app.module.js';
import { configureApp } from '../src/app.setup.js';
import { signToken } from '../src/auth/token.service.js';
import { BUS, type Bus } from '../src/bus/bus.js';
import { RedisBus } from '../src/bus/redis/redis-bus.js';
import type { GatewayConfig } from '../src/config/config.schema.js';
import { loadConfig } from '../src/config/load-config.js';
import { MqttServer } from '../src/mqtt/mqtt-server.js';
import { LOG_DESTINATION } from '../src/logging/logging.module.js';
import { Connections } from '../src/ws/connections.js';
import {
  startRedis,
  startRedisCluster,
  type RedisCluster,
  type RedisServer,
} from './redis/redis-server.js';

export const TEST_SECRET = 'test-secret-that-is-long-enough-for-hs256!';

/**
 * Tests of delivery and resume see every update (`TOPIC_POLICIES=none`) with generous publish
 * quotas; flow-control tests set their own policies and limits.
 */
const TEST_ENV = {
  NODE_ENV: 'test',
  PORT: '0',
  // Any free port: 1883 may be another broker's (this machine runs one).
  MQTT_PORT: '0',
  JWT_SECRET: TEST_SECRET,
  TOPIC_POLICIES: 'none',
  PUBLISH_LIMITS: 'device=10000/10000,feed=10000/10000,admin=10000/10000',
  CONNECT_RATE_PER_IP: '10000',
  // PULSE_TEST_LOG=1 shows the gateway's own logs when a test needs explaining.
  LOG_LEVEL: process.env.PULSE_TEST_LOG ? 'info' : 'error',
  // No durable history unless a test asks (history tests set HISTORY=on and their own store).
  HISTORY: 'off',
};

export interface GatewayResource extends AsyncDisposable {
  readonly app: INestApplication;
  readonly port: number;
  /** `ws://127.0.0.1:<port>/ws` (or the `host` it was started on) */
  readonly wsUrl: string;
  readonly httpUrl: string;
  /** The embedded MQTT broker's TCP port (undefined with MQTT_PORT=off). */
  readonly mqttPort: number | undefined;
  /** `mqtt://127.0.0.1:<mqttPort>` */
  readonly mqttUrl: string;
  token(role: Role, sub: string, ttlSeconds?: number, topics?: string[]): Promise<string>;
  /** `/metrics` as an admin would scrape it. */
  metrics(): Promise<string>;
  close(): Promise<void>;
  /**
   * Dies like a killed process: Redis connections dropped without releasing anything (presence
   * leases run out on their own), client sockets cut without a close frame.
   */
  crash(): Promise<void>;
}

export interface StartOptions {
  /** Replaces the bus (e.g. one that is slow on purpose) for flow-control tests. */
  bus?: (config: GatewayConfig) => Bus;
  /** Receives the JSON log lines (set LOG_LEVEL too: tests default to `error`). */
  logs?: { write(line: string): void };
  /** Listen address (default 127.0.0.1); a local non-loopback one tests what the network sees. */
  host?: string;
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
  const app = configureApp(
    moduleRef.createNestApplication({
      forceCloseConnections: true, // as main.ts
      // PULSE_TEST_LOG=1 shows the gateway's own logs when a test needs explaining.
      logger: process.env.PULSE_TEST_LOG ? ['log', 'warn', 'error'] : ['error'],
    }),
  );
  const host = options.host ?? '127.0.0.1';
  await app.listen(0, host);
  const address = app.getHttpServer().address() as { port: number };
  const base = `${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  const mqttPort = app.get(MqttServer).port;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await app.close();
  };
  const crash = async () => {
    const bus = app.get<Bus>(BUS);
    if (bus instanceof RedisBus) bus.disconnect();
    for (const conn of app.get(Connections).all) conn.sink.terminate();
    await close();
  };
  return {
    app,
    port: address.port,
    wsUrl: `ws://${base}/ws`,
    httpUrl: `http://${base}`,
    mqttPort,
    mqttUrl: `mqtt://${host.includes(':') ? `[${host}]` : host}:${mqttPort ?? 0}`,
    token: (role, sub, ttl = 3600, topics) =>
      signToken(config.jwtSecret, topics ? { role, sub, topics } : { role, sub }, ttl),
    metrics: async () => {
      const token = await signToken(config.jwtSecret, { role: 'admin', sub: 'scraper' }, 60);
      const res = await fetch(`http://${base}/metrics`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return res.text();
    },
    close,
    crash,
    [Symbol.asyncDispose]: close,
  };
}

/** Buses the end-to-end behaviours run on. */
export type BusKind = 'memory' | 'redis' | 'cluster';
export const BUSES = ['memory', 'redis'] as const satisfies readonly BusKind[];

/** A fresh key namespace, so gateways on one Redis see only each other's topics. */
export function freshPrefix(): string {
  return `t-${randomBytes(4).toString('hex')}`;
}

/** What `gatewaysOn` gives a describe block. */
export interface Gateways {
  /** Starts a gateway on the block's bus (its own key namespace unless `REDIS_KEY_PREFIX` is given). */
  (env?: Record<string, string>): Promise<GatewayResource>;
  /** The block's Redis (undefined on the memory bus). */
  readonly redis: () => RedisServer | undefined;
  readonly cluster: () => RedisCluster | undefined;
}

/**
 * `startGateway` for a describe block that runs on `bus`. For Redis one redis-server (or a
 * 3-master cluster) is started for the block and stopped after it; every gateway gets a fresh
 * key prefix unless the test passes `REDIS_KEY_PREFIX` to put several on one namespace.
 */
export function gatewaysOn(bus: BusKind): Gateways {
  let redis: RedisServer | undefined;
  let cluster: RedisCluster | undefined;
  if (bus === 'redis') {
    beforeAll(async () => {
      redis = await startRedis();
    });
    afterAll(() => redis?.stop());
  } else if (bus === 'cluster') {
    beforeAll(async () => {
      cluster = await startRedisCluster();
    }, 30_000);
    afterAll(() => cluster?.stop());
  }
  const start = (env: Record<string, string> = {}) => {
    if (bus === 'memory') return startGateway(env);
    const where: Record<string, string> = redis
      ? { REDIS_URL: redis.url }
      : { REDIS_CLUSTER_NODES: cluster!.seeds };
    return startGateway({ ...where, REDIS_KEY_PREFIX: freshPrefix(), ...env });
  };
  return Object.assign(start, { redis: () => redis, cluster: () => cluster });
}
