import * as v from 'valibot';
import { parseDuration } from './duration.js';
import { parseOrigins, type OriginList } from './origins.js';
import { proxyTrust } from './proxy-trust.js';
import { DEFAULT_ALARM_RULES, parseAlarmRules, type AlarmRule } from './alarm-rules.js';
import {
  parseBucket,
  parseBucketMap,
  parseTopicPolicies,
  PUBLISHING_ROLES,
  type BucketSpec,
  type ParseResult,
  type TopicPolicy,
} from './flow-settings.js';

/** A string variable parsed by `parse`, whose error message becomes the issue. */
const parsed = <T>(fallback: string, parse: (s: string) => ParseResult<T>) =>
  v.optional(
    v.pipe(
      v.string(),
      v.rawTransform<string, T>(({ dataset, addIssue, NEVER }) => {
        const r = parse(dataset.value);
        if (r.ok) return r.value;
        addIssue({ message: r.message });
        return NEVER;
      }),
    ),
    fallback,
  );

const int = (min: number, max: number, fallback: number) =>
  v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.regex(/^\d+$/, `must be a whole number from ${min} to ${max}`),
      v.transform(Number),
      v.number(),
      v.minValue(min, `must be at least ${min}`),
      v.maxValue(max, `must be at most ${max}`),
    ),
    String(fallback),
  );

/** Addresses, CIDRs, or proxy-addr's names (loopback, linklocal, uniquelocal), comma-separated. */
const addressList = (fallback: string) =>
  v.optional(
    v.pipe(
      v.string(),
      v.rawTransform<string, string[]>(({ dataset, addIssue, NEVER }) => {
        const list = dataset.value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        try {
          proxyTrust(list);
          return list;
        } catch (err) {
          addIssue({ message: err instanceof Error ? err.message : String(err) });
          return NEVER;
        }
      }),
    ),
    fallback,
  );

const bool = v.pipe(
  v.picklist(['true', 'false', '1', '0'], 'must be true, false, 1 or 0'),
  v.transform((s) => s === 'true' || s === '1'),
);

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const DEFAULT_PUBLISH_LIMITS_TEXT = 'device=50/100,feed=5000/10000,admin=5000/10000';
const defaults = parseBucketMap(DEFAULT_PUBLISH_LIMITS_TEXT, PUBLISHING_ROLES);
export const DEFAULT_PUBLISH_LIMITS: ReadonlyMap<string, BucketSpec> = defaults.ok
  ? defaults.value
  : new Map();

/** Every environment variable the gateway reads, with defaults and allowed values. */
export const EnvSchema = v.object({
  NODE_ENV: v.optional(
    v.picklist(['development', 'production', 'test'], 'must be development, production or test'),
    'development',
  ),
  PORT: int(0, 65535, 8080),
  /** The embedded MQTT broker's TCP port; `off` disables the listener (MQTT over /mqtt stays). */
  MQTT_PORT: v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.regex(/^(\d+|off)$/, 'must be a whole number from 0 to 65535, or off'),
      v.transform((s) => (s === 'off' ? undefined : Number(s))),
      v.union([v.undefined(), v.pipe(v.number(), v.maxValue(65535, 'must be at most 65535'))]),
    ),
    '1883',
  ),
  /** Defaults to 127.0.0.1: reachable from other machines only when set on purpose. */
  HOST: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1))),
  SERVER_ID: v.optional(
    v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 of [A-Za-z0-9_.-]')),
  ),
  JWT_SECRET: v.optional(v.pipe(v.string(), v.minLength(32, 'must be at least 32 characters'))),
  /** Defaults to on outside production. */
  DEV_TOKENS: v.optional(bool),
  /** Longest token lifetime accepted (`exp` − `iat`, or `exp` − now without `iat`). */
  TOKEN_MAX_TTL: parsed('24h', parseDuration),
  HEARTBEAT_MS: int(100, 300_000, 15_000),
  HISTORY_SIZE: int(1, 100_000, 1000),
  /**
   * The embedded bus's history, all topics together (estimated bytes); the oldest messages of
   * any topic go first, a topic's latest value never. With Redis, history lives in Redis.
   */
  HISTORY_MEMORY_MAX_BYTES: int(2 ** 20, 2 ** 40, 64 * 2 ** 20),
  /** A publish retried with the same `key` within this long gets the original ack (ADR 0002). */
  IDEMPOTENCY_WINDOW_MS: int(1000, 86_400_000, 120_000),
  MAX_FRAME_BYTES: int(256, 16 * 1024 * 1024, 64 * 1024),
  MAX_SUBSCRIPTIONS: int(1, 100_000, 1000),
  MAX_INVALID_FRAMES: int(1, 10_000, 10),
  TOPIC_POLICIES: parsed('price.*=20:conflate;device.*.*=5:aggregate', parseTopicPolicies),
  BATCH_WINDOW_MS: int(0, 1000, 5),
  SLOW_SOFT_BYTES: int(1024, 1 << 30, 256 * 1024),
  SLOW_HARD_BYTES: int(1024, 1 << 30, 1024 * 1024),
  SLOW_MAX_MS: int(10, 600_000, 5000),
  PUBLISH_LIMITS: parsed(DEFAULT_PUBLISH_LIMITS_TEXT, (s) => parseBucketMap(s, PUBLISHING_ROLES)),
  PUBLISH_LIMIT_OVERRIDES: parsed('', (s) => parseBucketMap(s)),
  CONTROL_LIMIT: parsed('50/100', parseBucket),
  RATE_LIMIT_ABUSE: int(1, 1_000_000, 200),
  CONNECT_RATE_PER_IP: int(1, 1_000_000, 50),
  /**
   * Proxies (addresses, CIDRs, or loopback / linklocal / uniquelocal) whose X-Forwarded-For
   * names the client for per-address limits and logs. Empty: the socket's peer is the client.
   */
  TRUSTED_PROXIES: addressList(''),
  /**
   * Client addresses that may fetch development tokens (same syntax as TRUSTED_PROXIES). The
   * default, loopback, keeps the demo's convenience on this machine.
   */
  DEV_TOKEN_CLIENTS: addressList('loopback'),
  INGEST_HIGH_WATER: int(1, 10_000_000, 10_000),
  INGEST_LOW_WATER: int(0, 10_000_000, 5000),
  LOG_LEVEL: v.optional(v.picklist(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`), 'info'),
  /** Defaults to `*` in development, to same-origin pages only otherwise. */
  ALLOWED_ORIGINS: v.optional(
    v.pipe(
      v.string(),
      v.rawTransform<string, OriginList>(({ dataset, addIssue, NEVER }) => {
        const r = parseOrigins(dataset.value);
        if (r.ok) return r.value;
        addIssue({ message: r.message });
        return NEVER;
      }),
    ),
  ),
  MAX_CONNECTIONS: int(1, 10_000_000, 50_000),
  MAX_CONNECTIONS_PER_IP: int(1, 10_000_000, 1000),
  AUTH_TIMEOUT_MS: int(100, 120_000, 10_000),
  TOKEN_EXPIRY_NOTICE_MS: int(0, 86_400_000, 60_000),
  METRICS_TOKEN: v.optional(v.pipe(v.string(), v.minLength(16, 'must be at least 16 characters'))),
  METRICS_PORT: v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.regex(/^\d+$/, 'must be a whole number from 0 to 65535'),
      v.transform(Number),
      v.number(),
      v.maxValue(65535, 'must be at most 65535'),
    ),
  ),
  /** Selects the Redis bus (many instances on one Redis); without it the in-memory bus runs. */
  REDIS_URL: v.optional(v.pipe(v.string(), v.url('must be a URL such as redis://127.0.0.1:6379'))),

  // Redis scaling (docs/scaling.md).
  /** Redis Cluster seed nodes, `host:port,host:port`: sharded pub/sub instead of REDIS_URL. */
  REDIS_CLUSTER_NODES: v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.regex(/^[^\s,:]+:\d{1,5}(,[^\s,:]+:\d{1,5})*$/, 'must be host:port[,host:port...]'),
    ),
  ),
  /** Prefix of every Redis key and channel, so deployments can share one Redis. */
  REDIS_KEY_PREFIX: v.optional(
    v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1-64 of [A-Za-z0-9_.:-]')),
    'pulse',
  ),
  /** A topic's history and latest value expire this long after its last publish. */
  REDIS_HISTORY_TTL_S: int(1, 365 * 86_400, 86_400),
  /** A Redis command unanswered this long fails (publishers get OUTCOME_UNKNOWN). */
  REDIS_COMMAND_TIMEOUT_MS: int(50, 60_000, 1000),
  /** How long the gateway waits for Redis at start before serving (not ready) anyway. */
  REDIS_CONNECT_WAIT_MS: int(0, 600_000, 5000),
  /** A device on a dead instance goes offline this long after that instance's last refresh. */
  PRESENCE_TTL_MS: int(300, 600_000, 15_000),
  /** Threshold alarms on device readings: `temperature>30:10s;battery<15:0s`, or `none`. */
  ALARM_RULES: parsed(DEFAULT_ALARM_RULES, parseAlarmRules),
  /** An external broker to consume device traffic from (protocol §25.7); off when unset. */
  MQTT_BRIDGE_URL: v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.regex(/^mqtts?:\/\/[^/\s]+(:\d+)?\/?$/, 'must be mqtt://host:port or mqtts://host:port'),
    ),
  ),
  /** The shared-subscription group: gateways in one group split the stream. */
  MQTT_BRIDGE_SHARE_GROUP: v.optional(
    v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 of [A-Za-z0-9_-]')),
    'pulse',
  ),
  /** Stable per instance, so a restarted gateway resumes its broker session (redeliveries). */
  MQTT_BRIDGE_CLIENT_ID: v.optional(
    v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 of [A-Za-z0-9_.-]')),
  ),
  MQTT_BRIDGE_USERNAME: v.optional(v.string()),
  MQTT_BRIDGE_PASSWORD: v.optional(v.string()),
  /** How long the broker keeps this gateway's session (unacked messages) while it is away. */
  MQTT_BRIDGE_SESSION_EXPIRY_S: int(0, 7 * 86_400, 3600),

  // Durable history (protocol.md §26, ADR 0005).
  /** `off` stores nothing durably and answers `GET /history` with 404. */
  HISTORY: v.optional(v.picklist(['on', 'off'], 'must be on or off'), 'on'),
  /** PostgreSQL for history (`postgres://…`); without it the embedded engine (PGlite) runs. */
  DATABASE_URL: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^postgres(ql)?:\/\//, 'must be a URL such as postgres://127.0.0.1:5432/pulse'),
    ),
  ),
  /** The embedded engine's files (relative to the working directory); one gateway per dir. */
  DATA_DIR: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1)), '.pulse/data'),
  HISTORY_RAW_RETENTION: parsed('48h', parseDuration),
  HISTORY_1M_RETENTION: parsed('30d', parseDuration),
  HISTORY_1H_RETENTION: parsed('365d', parseDuration),
  /** Points held in memory while the store is slow or down; beyond it the oldest are dropped. */
  HISTORY_BUFFER_MAX: int(1, 10_000_000, 200_000),
  HISTORY_BATCH_MAX: int(1, 100_000, 5000),
  HISTORY_FLUSH_MS: int(10, 60_000, 500),
});
export type Env = v.InferOutput<typeof EnvSchema>;

export interface GatewayConfig {
  readonly env: 'development' | 'production' | 'test';
  readonly port: number;
  /** Bind address; `hostExplicit` says whether `HOST` chose it (else loopback by default). */
  readonly host: string;
  /** The MQTT listener's port (0 = any free one), on `host`; undefined when MQTT_PORT=off. */
  readonly mqttPort?: number;
  /** MQTT_PORT was set: a taken port stops the start instead of turning the listener off. */
  readonly mqttPortExplicit: boolean;
  readonly hostExplicit: boolean;
  readonly serverId: string;
  readonly jwtSecret: Uint8Array;
  /** True when the secret was generated at start (development only). */
  readonly jwtSecretGenerated: boolean;
  /** Whether `GET /auth/dev-token` mints tokens (never in production). */
  readonly devTokens: boolean;
  /** Who may fetch development tokens (proxy-addr entries; every forwarded hop must match). */
  readonly devTokenClients: readonly string[];
  /** Longest token lifetime accepted, seconds; a token without `exp` is refused. */
  readonly tokenMaxTtlS: number;
  readonly heartbeatMs: number;
  readonly historySize: number;
  readonly historyMemoryMaxBytes: number;
  /** How long a publish key is remembered: a retry within it gets the original ack. */
  readonly idempotencyWindowMs: number;
  readonly maxFrameBytes: number;
  readonly maxSubscriptions: number;
  /** Invalid frames tolerated per 10 s before the connection is closed with 4003. */
  readonly maxInvalidFrames: number;
  readonly redisUrl?: string;
  /** Throttle per topic pattern, first match wins. */
  readonly topicPolicies: readonly TopicPolicy[];
  /** Updates for one connection within this many ms go out as one batch frame (0 = off). */
  readonly batchWindowMs: number;
  readonly slowConsumer: {
    readonly softBytes: number;
    readonly hardBytes: number;
    readonly maxMs: number;
  };
  readonly publishLimits: ReadonlyMap<string, BucketSpec>;
  readonly publishLimitOverrides: ReadonlyMap<string, BucketSpec>;
  readonly controlLimit: BucketSpec;
  /** Rate-limited requests per 10 s after which the connection is closed with 4102. */
  readonly rateLimitAbuse: number;
  readonly connectRatePerIp: number;
  /** See TRUSTED_PROXIES; empty trusts no proxy. */
  readonly trustedProxies: readonly string[];
  readonly ingest: { readonly highWater: number; readonly lowWater: number };
  readonly logLevel: (typeof LOG_LEVELS)[number];
  /** Browser origins allowed to connect (requests without `Origin` are not browsers). */
  readonly allowedOrigins: OriginList;
  /** Open WebSocket connections and SSE streams, in all and per client address. */
  readonly maxConnections: number;
  readonly maxConnectionsPerIp: number;
  /** A TCP connection must have sent its complete request (with the token) within this. */
  readonly authTimeoutMs: number;
  /** How long before a token expires its connection gets the `TOKEN_EXPIRING` notice. */
  readonly tokenExpiryNoticeMs: number;
  /** A static bearer token that may read `/metrics` besides admin tokens. */
  readonly metricsToken?: string;
  /** When set, `/metrics` is served on this port only (0 = any free port). */
  readonly metricsPort?: number;

  // Redis scaling (docs/scaling.md).
  /** Set for Redis Cluster (sharded pub/sub); exclusive with `redisUrl`. */
  readonly redisClusterNodes?: readonly { readonly host: string; readonly port: number }[];
  readonly redisKeyPrefix: string;
  readonly redisHistoryTtlMs: number;
  readonly redisCommandTimeoutMs: number;
  readonly redisConnectWaitMs: number;
  readonly presenceTtlMs: number;
  /** Threshold rules evaluated on every accepted device reading; changes go out on `alarm.*`. */
  readonly alarmRules: readonly AlarmRule[];
  /** The external-broker bridge (protocol §25.7), when MQTT_BRIDGE_URL is set. */
  readonly mqttBridge?: MqttBridgeConfig;

  // Durable history (protocol.md §26).
  readonly history: HistorySettings;
}

export interface MqttBridgeConfig {
  readonly url: string;
  readonly shareGroup: string;
  readonly clientId: string;
  readonly username?: string;
  readonly password?: string;
  readonly sessionExpiryS: number;
}

export interface HistorySettings {
  readonly enabled: boolean;
  /** PostgreSQL when set, else the embedded engine in `dataDir`. */
  readonly databaseUrl?: string;
  readonly dataDir: string;
  readonly rawRetentionMs: number;
  readonly minuteRetentionMs: number;
  readonly hourRetentionMs: number;
  readonly bufferMax: number;
  readonly batchMax: number;
  readonly flushMs: number;
}
