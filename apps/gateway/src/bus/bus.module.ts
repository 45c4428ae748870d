import { Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { CONFIG } from '../config/config.module.js';
import type { GatewayConfig } from '../config/config.schema.js';
import { BusTelemetry } from '../metrics/bus-telemetry.js';
import { BUS, type Bus } from './bus.js';
import { MemoryBus } from './memory-bus.js';
import type { RedisBus } from './redis/redis-bus.js';

/** The Redis bus when Redis is configured, else the embedded one. */
async function createBus(config: GatewayConfig, telemetry: BusTelemetry): Promise<Bus> {
  if (!config.redisUrl && !config.redisClusterNodes)
    return new MemoryBus(
      config.historySize,
      config.idempotencyWindowMs,
      config.historyMemoryMaxBytes,
    );
  // Loaded only here: ioredis and the Redis bus cost an embedded gateway ~1 MB of heap for nothing.
  const { RedisBus } = await import('./redis/redis-bus.js');
  const bus = new RedisBus({
    ...(config.redisUrl ? { url: config.redisUrl } : {}),
    ...(config.redisClusterNodes ? { clusterNodes: config.redisClusterNodes } : {}),
    commandTimeoutMs: config.redisCommandTimeoutMs,
    connectionName: `pulse:${config.serverId}`,
    keyPrefix: config.redisKeyPrefix,
    historySize: config.historySize,
    idempotencyWindowMs: config.idempotencyWindowMs,
    historyTtlMs: config.redisHistoryTtlMs,
    instanceId: config.serverId,
    presenceTtlMs: config.presenceTtlMs,
    telemetry: {
      command: (name, seconds) => telemetry.command(name, seconds),
      reconnected: () => telemetry.reconnected(),
    },
  });
  // Serve either way: until Redis answers, readiness is 503 and publishes get UNAVAILABLE.
  if (!(await bus.start(config.redisConnectWaitMs))) {
    new Logger('Bus').warn(`redis not reachable yet: ${bus.status().reason ?? ''}; retrying`);
  }
  return bus;
}

/** The bus as the Redis bus when it is one; without importing it (it is loaded lazily). */
export function asRedisBus(bus: Bus): RedisBus | undefined {
  return bus.status().kind === 'redis' ? (bus as RedisBus) : undefined;
}

@Module({
  // BusTelemetry comes from the global MetricsModule.
  providers: [{ provide: BUS, inject: [CONFIG, BusTelemetry], useFactory: createBus }],
  exports: [BUS],
})
export class BusModule implements OnApplicationShutdown {
  constructor(@Inject(BUS) private readonly bus: Bus) {}

  async onApplicationShutdown(): Promise<void> {
    await this.bus.close();
  }
}
