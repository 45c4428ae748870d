import { ROLES, type Role } from '@pulse/protocol';

/** Throttle for topics matching `pattern`: at most `rate` updates/s per subscriber (0 = unlimited). */
export interface TopicPolicy {
  readonly pattern: string;
  readonly rate: number;
  readonly mode: ThrottleMode;
}
export type ThrottleMode = 'conflate' | 'aggregate';

/** A token bucket: `rate` tokens per second, holding at most `burst`. */
export interface BucketSpec {
  readonly rate: number;
  readonly burst: number;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; message: string };

const POLICY = /^([A-Za-z0-9_*-]+(?:\.[A-Za-z0-9_*-]+)*)=(\d+(?:\.\d+)?):(conflate|aggregate)$/;

/** `price.*=20:conflate;device.*.*=5:aggregate` — first match wins; `none` turns throttling off. */
export function parseTopicPolicies(text: string): ParseResult<TopicPolicy[]> {
  const out: TopicPolicy[] = [];
  if (text.trim() === 'none') return { ok: true, value: out };
  for (const part of text
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = POLICY.exec(part);
    if (!m)
      return {
        ok: false,
        message: `"${part}" is not pattern=rate:conflate|aggregate (e.g. price.*=20:conflate)`,
      };
    out.push({ pattern: m[1]!, rate: Number(m[2]), mode: m[3] as ThrottleMode });
  }
  return { ok: true, value: out };
}

/**
 * The policy for a topic or subscription pattern: the first whose segments each equal the
 * pattern's or are `*`. A subscription pattern's own `*` only matches a policy `*`.
 */
export function policyFor(
  policies: readonly TopicPolicy[],
  pattern: string,
): TopicPolicy | undefined {
  const segs = pattern.split('.');
  return policies.find((p) => {
    const ps = p.pattern.split('.');
    return ps.length === segs.length && ps.every((s, i) => s === '*' || s === segs[i]);
  });
}

const RATE_BURST = /^(\d+(?:\.\d+)?)\/(\d+)$/;

export function parseBucket(text: string): ParseResult<BucketSpec> {
  const m = RATE_BURST.exec(text.trim());
  if (!m || Number(m[1]) <= 0 || Number(m[2]) < 1)
    return { ok: false, message: `"${text}" is not rate/burst (e.g. 50/100)` };
  return { ok: true, value: { rate: Number(m[1]), burst: Number(m[2]) } };
}

/** `key=rate/burst,key=rate/burst`; `allowedKeys` restricts the keys (roles). */
export function parseBucketMap(
  text: string,
  allowedKeys?: readonly string[],
): ParseResult<Map<string, BucketSpec>> {
  const out = new Map<string, BucketSpec>();
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq);
    if (eq <= 0 || (allowedKeys && !allowedKeys.includes(key))) {
      return {
        ok: false,
        message: `"${part}" must be ${allowedKeys ? `one of ${allowedKeys.join('|')}` : 'subject'}=rate/burst`,
      };
    }
    const bucket = parseBucket(part.slice(eq + 1));
    if (!bucket.ok) return bucket;
    out.set(key, bucket.value);
  }
  return { ok: true, value: out };
}

export const PUBLISHING_ROLES: readonly Role[] = ROLES.filter((r) => r !== 'operator');
