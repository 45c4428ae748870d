import * as v from 'valibot';
import { DEFAULT_ALARM_RULES, parseAlarmRules, type AlarmRule } from '../alarms/alarm-rules.js';
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

const bool = v.pipe(
  v.picklist(['true', 'false', '1', '0'], 'must be true, false, 1 or 0'),
  v.transform((s) => s === 'true' || s === '1'),
);

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
  HOST: v.optional(v.pipe(v.string(), v.minLength(1)), '0.0.0.0'),
  SERVER_ID: v.optional(
    v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 of [A-Za-z0-9_.-]')),
  ),
  JWT_SECRET: v.optional(v.pipe(v.string(), v.minLength(32, 'must be at least 32 characters'))),
  /** Defaults to on outside production. */
  DEV_TOKENS: v.optional(bool),
  HEARTBEAT_MS: int(100, 300_000, 15_000),
  HISTORY_SIZE: int(1, 100_000, 1000),
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
  INGEST_HIGH_WATER: int(1, 10_000_000, 10_000),
  INGEST_LOW_WATER: int(0, 10_000_000, 5000),
  /** Reserved for the Redis bus; until it lands the gateway warns and uses the memory bus. */
  REDIS_URL: v.optional(v.pipe(v.string(), v.url('must be a URL such as redis://127.0.0.1:6379'))),
  /** Threshold alarms on device readings: `temperature>30:10s;battery<15:0s`, or `none`. */
  ALARM_RULES: parsed(DEFAULT_ALARM_RULES, parseAlarmRules),
});
export type Env = v.InferOutput<typeof EnvSchema>;

export interface GatewayConfig {
  readonly env: 'development' | 'production' | 'test';
  readonly port: number;
  readonly host: string;
  readonly serverId: string;
  readonly jwtSecret: Uint8Array;
  /** True when the secret was generated at start (development only). */
  readonly jwtSecretGenerated: boolean;
  /** Whether `GET /auth/dev-token` mints tokens (never in production). */
  readonly devTokens: boolean;
  readonly heartbeatMs: number;
  readonly historySize: number;
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
  readonly ingest: { readonly highWater: number; readonly lowWater: number };
  /** Threshold rules evaluated on every accepted device reading; changes go out on `alarm.*`. */
  readonly alarmRules: readonly AlarmRule[];
}
