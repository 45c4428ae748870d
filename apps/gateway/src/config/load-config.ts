import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import * as v from 'valibot';
import { DEFAULT_PUBLISH_LIMITS, EnvSchema, type GatewayConfig } from './config.schema.js';

/** Thrown when the environment is invalid; the message names each bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads and checks the environment once at start; a bad value stops the start. */
export function loadConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  const known = Object.fromEntries(
    Object.keys(EnvSchema.entries)
      .filter((k) => env[k] !== undefined && env[k] !== '')
      .map((k) => [k, env[k]]),
  );
  const result = v.safeParse(EnvSchema, known);
  if (!result.success) {
    const lines = result.issues.map((i) => {
      const key = v.getDotPath(i) ?? '(environment)';
      return `  ${key}=${JSON.stringify(String(known[key] ?? '')).slice(0, 80)}: ${i.message}`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = result.output;
  if (e.NODE_ENV === 'production' && !e.JWT_SECRET) {
    throw new ConfigError(
      'invalid configuration:\n  JWT_SECRET: required when NODE_ENV=production (at least 32 characters)',
    );
  }
  if (e.NODE_ENV === 'production' && e.DEV_TOKENS) {
    throw new ConfigError(
      'invalid configuration:\n  DEV_TOKENS: must not be enabled when NODE_ENV=production',
    );
  }
  if (e.SLOW_SOFT_BYTES >= e.SLOW_HARD_BYTES) {
    throw new ConfigError(
      'invalid configuration:\n  SLOW_SOFT_BYTES: must be below SLOW_HARD_BYTES',
    );
  }
  if (e.INGEST_LOW_WATER >= e.INGEST_HIGH_WATER) {
    throw new ConfigError(
      'invalid configuration:\n  INGEST_LOW_WATER: must be below INGEST_HIGH_WATER',
    );
  }
  const generated = !e.JWT_SECRET;
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    serverId: e.SERVER_ID ?? `gw-${hostname().slice(0, 40)}-${process.pid}`,
    jwtSecret: new TextEncoder().encode(e.JWT_SECRET ?? randomBytes(32).toString('base64url')),
    jwtSecretGenerated: generated,
    devTokens: e.DEV_TOKENS ?? e.NODE_ENV !== 'production',
    heartbeatMs: e.HEARTBEAT_MS,
    historySize: e.HISTORY_SIZE,
    maxFrameBytes: e.MAX_FRAME_BYTES,
    maxSubscriptions: e.MAX_SUBSCRIPTIONS,
    maxInvalidFrames: e.MAX_INVALID_FRAMES,
    ...(e.REDIS_URL ? { redisUrl: e.REDIS_URL } : {}),
    topicPolicies: e.TOPIC_POLICIES,
    batchWindowMs: e.BATCH_WINDOW_MS,
    slowConsumer: {
      softBytes: e.SLOW_SOFT_BYTES,
      hardBytes: e.SLOW_HARD_BYTES,
      maxMs: e.SLOW_MAX_MS,
    },
    // Roles left out of PUBLISH_LIMITS keep their default bucket; nobody publishes unlimited.
    publishLimits: new Map([...DEFAULT_PUBLISH_LIMITS, ...e.PUBLISH_LIMITS]),
    publishLimitOverrides: e.PUBLISH_LIMIT_OVERRIDES,
    controlLimit: e.CONTROL_LIMIT,
    rateLimitAbuse: e.RATE_LIMIT_ABUSE,
    connectRatePerIp: e.CONNECT_RATE_PER_IP,
    ingest: { highWater: e.INGEST_HIGH_WATER, lowWater: e.INGEST_LOW_WATER },
    alarmRules: e.ALARM_RULES,
  };
}
