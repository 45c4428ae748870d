/**
 * Topic grammar (protocol v1).
 *
 *   device.<deviceId>.<metric>   sensor readings, published by the device itself
 *   price.<symbol>               price ticks, published by feeds
 *   alarm.<deviceId>.<metric>    reserved: published by the gateway only
 *   presence.<deviceId>          reserved: published by the gateway only
 *
 * A segment is 1–64 of [A-Za-z0-9_-]. A subscription pattern may replace exactly one
 * non-family segment with `*`, which matches exactly one segment (`device.*.temperature`).
 */
export const TOPIC_FAMILIES = ['device', 'price', 'alarm', 'presence'] as const;
export type TopicFamily = (typeof TOPIC_FAMILIES)[number];

/** Families that clients may publish to; the others are written by the gateway itself. */
export const PUBLISHABLE_FAMILIES: readonly TopicFamily[] = ['device', 'price'];

const SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;
export const MAX_TOPIC_LENGTH = 200;
export const WILDCARD = '*';

const SEGMENT_COUNT: Record<TopicFamily, number> = {
  device: 3,
  price: 2,
  alarm: 3,
  presence: 2,
};

export interface ParsedTopic {
  readonly family: TopicFamily;
  readonly segments: readonly string[];
  /** Index of the `*` segment, or -1 for a concrete topic. */
  readonly wildcardAt: number;
}

function isFamily(s: string | undefined): s is TopicFamily {
  return s === 'device' || s === 'price' || s === 'alarm' || s === 'presence';
}

/** Parses a topic or pattern; returns a reason string when it is not valid. */
export function parseTopicPattern(input: string): ParsedTopic | string {
  if (input.length === 0 || input.length > MAX_TOPIC_LENGTH) {
    return `topic must be 1-${MAX_TOPIC_LENGTH} characters`;
  }
  const segments = input.split('.');
  const family = segments[0];
  if (!isFamily(family)) return `unknown topic family "${family ?? ''}"`;
  if (segments.length !== SEGMENT_COUNT[family]) {
    return `${family} topics have ${SEGMENT_COUNT[family]} segments`;
  }
  let wildcardAt = -1;
  for (let i = 1; i < segments.length; i++) {
    const seg = segments[i]!;
    if (seg === WILDCARD) {
      if (wildcardAt !== -1) return 'at most one wildcard segment';
      wildcardAt = i;
    } else if (!SEGMENT.test(seg)) {
      return `invalid segment "${seg.slice(0, 64)}"`;
    }
  }
  return { family, segments, wildcardAt };
}

/** True when `input` is a concrete topic (no wildcard). */
export function isTopic(input: string): boolean {
  const p = parseTopicPattern(input);
  return typeof p !== 'string' && p.wildcardAt === -1;
}

/** True when `input` is a valid subscription pattern (concrete or with one `*`). */
export function isTopicPattern(input: string): boolean {
  return typeof parseTopicPattern(input) !== 'string';
}

/** Whether concrete `topic` matches `pattern` (both assumed valid). */
export function topicMatches(pattern: string, topic: string): boolean {
  if (pattern === topic) return true;
  const star = pattern.indexOf(WILDCARD);
  if (star === -1) return false;
  const prefix = pattern.slice(0, star);
  const suffix = pattern.slice(star + 1);
  if (topic.length <= prefix.length + suffix.length) return false;
  if (!topic.startsWith(prefix) || !topic.endsWith(suffix)) return false;
  const middle = topic.slice(prefix.length, topic.length - suffix.length);
  return middle.length > 0 && !middle.includes('.');
}

/** The family of a valid topic, read without a full parse. */
export function topicFamily(topic: string): TopicFamily | undefined {
  const dot = topic.indexOf('.');
  const head = dot === -1 ? topic : topic.slice(0, dot);
  return isFamily(head) ? head : undefined;
}

export const topics = {
  device: (deviceId: string, metric: string) => `device.${deviceId}.${metric}`,
  price: (symbol: string) => `price.${symbol}`,
  alarm: (deviceId: string, metric: string) => `alarm.${deviceId}.${metric}`,
  presence: (deviceId: string) => `presence.${deviceId}`,
} as const;
