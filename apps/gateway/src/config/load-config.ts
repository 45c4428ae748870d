import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import * as v from 'valibot';
import { DEFAULT_PUBLISH_LIMITS, EnvSchema, type GatewayConfig } from './config.schema.js';

/** Loopback unless `HOST` says otherwise: the development conveniences stay on this machine. */
export const DEFAULT_HOST = '127.0.0.1';

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
  // A generated secret is a development convenience only: anywhere else tokens minted by the
  // token CLI or another instance would not verify, and nobody would notice why.
  if (e.NODE_ENV !== 'development' && !e.JWT_SECRET) {
    throw new ConfigError(
      `invalid configuration:\n  JWT_SECRET: required when NODE_ENV=${e.NODE_ENV} (at least 32 characters)`,
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
  if (e.REDIS_URL && e.REDIS_CLUSTER_NODES) {
    throw new ConfigError(
      'invalid configuration:\n  REDIS_CLUSTER_NODES: set either REDIS_URL or REDIS_CLUSTER_NODES, not both',
    );
  }
  const generated = !e.JWT_SECRET;
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST ?? DEFAULT_HOST,
    hostExplicit: e.HOST !== undefined,
    ...(e.MQTT_PORT === undefined ? {} : { mqttPort: e.MQTT_PORT }),
    mqttPortExplicit: known['MQTT_PORT'] !== undefined,
    serverId: e.SERVER_ID ?? `gw-${hostname().slice(0, 40)}-${process.pid}`,
    jwtSecret: new TextEncoder().encode(e.JWT_SECRET ?? randomBytes(32).toString('base64url')),
    jwtSecretGenerated: generated,
    devTokens: e.DEV_TOKENS ?? e.NODE_ENV !== 'production',
    devTokenClients: e.DEV_TOKEN_CLIENTS,
    tokenMaxTtlS: e.TOKEN_MAX_TTL,
    heartbeatMs: e.HEARTBEAT_MS,
    historySize: e.HISTORY_SIZE,
    historyMemoryMaxBytes: e.HISTORY_MEMORY_MAX_BYTES,
    idempotencyWindowMs: e.IDEMPOTENCY_WINDOW_MS,
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
    trustedProxies: e.TRUSTED_PROXIES,
    ingest: { highWater: e.INGEST_HIGH_WATER, lowWater: e.INGEST_LOW_WATER },
    logLevel: e.LOG_LEVEL,
    allowedOrigins: e.ALLOWED_ORIGINS ??
      // Development trusts pages from this machine (the console on its Vite port), not `*`:
      // a page from anywhere else must not drive the gateway with the operator's access.
      { any: false, loopback: e.NODE_ENV === 'development', origins: new Set() },
    maxConnections: e.MAX_CONNECTIONS,
    maxConnectionsPerIp: e.MAX_CONNECTIONS_PER_IP,
    authTimeoutMs: e.AUTH_TIMEOUT_MS,
    tokenExpiryNoticeMs: e.TOKEN_EXPIRY_NOTICE_MS,
    ...(e.METRICS_TOKEN ? { metricsToken: e.METRICS_TOKEN } : {}),
    ...(e.METRICS_PORT !== undefined ? { metricsPort: e.METRICS_PORT } : {}),
    ...(e.REDIS_CLUSTER_NODES ? { redisClusterNodes: parseNodes(e.REDIS_CLUSTER_NODES) } : {}),
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    redisHistoryTtlMs: e.REDIS_HISTORY_TTL_S * 1000,
    redisCommandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
    redisConnectWaitMs: e.REDIS_CONNECT_WAIT_MS,
    presenceTtlMs: e.PRESENCE_TTL_MS,
    alarmRules: e.ALARM_RULES,
    ...(e.MQTT_BRIDGE_URL
      ? {
          mqttBridge: {
            url: e.MQTT_BRIDGE_URL,
            shareGroup: e.MQTT_BRIDGE_SHARE_GROUP,
            // Stable across restarts by default (host and port), so a gateway that crashed
            // comes back to its broker session and is redelivered what it had not acked.
            clientId:
              e.MQTT_BRIDGE_CLIENT_ID ??
              (e.SERVER_ID
                ? `pulse-${e.SERVER_ID}`
                : `pulse-${hostname().slice(0, 40)}-${e.PORT || process.pid}`),
            ...(e.MQTT_BRIDGE_USERNAME === undefined ? {} : { username: e.MQTT_BRIDGE_USERNAME }),
            ...(e.MQTT_BRIDGE_PASSWORD === undefined ? {} : { password: e.MQTT_BRIDGE_PASSWORD }),
            sessionExpiryS: e.MQTT_BRIDGE_SESSION_EXPIRY_S,
          },
        }
      : {}),
    history: {
      enabled: e.HISTORY === 'on',
      ...(e.DATABASE_URL ? { databaseUrl: e.DATABASE_URL } : {}),
      dataDir: e.DATA_DIR,
      rawRetentionMs: e.HISTORY_RAW_RETENTION * 1000,
      minuteRetentionMs: e.HISTORY_1M_RETENTION * 1000,
      hourRetentionMs: e.HISTORY_1H_RETENTION * 1000,
      bufferMax: e.HISTORY_BUFFER_MAX,
      batchMax: e.HISTORY_BATCH_MAX,
      flushMs: e.HISTORY_FLUSH_MS,
    },
  };
}

function parseNodes(list: string): { host: string; port: number }[] {
  return list.split(',').map((node) => {
    const colon = node.lastIndexOf(':');
    return { host: node.slice(0, colon), port: Number(node.slice(colon + 1)) };
  });
}
