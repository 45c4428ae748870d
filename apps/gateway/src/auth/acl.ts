import { topicFamily, topicMatches, WILDCARD } from '@pulse/protocol';
import type { Principal } from './claims.js';

/**
 * Who may do what, in one place. Every refusal is reported with code `FORBIDDEN` (an `error`
 * frame on a socket, HTTP 403 elsewhere).
 * - operator: reads (subscribes), publishes nothing.
 * - device: publishes only `device.<its subject>.*`; may read.
 * - feed: publishes `price.*`; may read.
 * - admin: publishes device and price topics, reads, and reads `/metrics`.
 * `alarm.*` and `presence.*` are written by the gateway only. A token with a `topics` claim
 * reaches only the topics its allow-list covers, whatever its role.
 */
export function canPublish(who: Principal, topic: string): boolean {
  if (who.topics && !who.topics.some((allowed) => topicMatches(allowed, topic))) return false;
  const family = topicFamily(topic);
  switch (who.role) {
    case 'operator':
      return false;
    case 'device':
      return family === 'device' && topic.startsWith(`device.${who.subject}.`);
    case 'feed':
      return family === 'price';
    case 'admin':
      return family === 'device' || family === 'price';
  }
}

/** Every role reads; an allow-list must cover the whole pattern, not just part of it. */
export function canSubscribe(who: Principal, pattern: string): boolean {
  return !who.topics || who.topics.some((allowed) => covers(allowed, pattern));
}

/** Prometheus metrics tell a lot about the fleet: admins only (or the METRICS_TOKEN). */
export function canReadMetrics(who: Principal): boolean {
  return who.role === 'admin';
}

/**
 * Whether every topic `pattern` matches is matched by `allowed`: segment by segment, `allowed`
 * has a `*` or the same segment (a `*` in `pattern` needs a `*` in `allowed`).
 */
export function covers(allowed: string, pattern: string): boolean {
  if (allowed === pattern) return true;
  const a = allowed.split('.');
  const p = pattern.split('.');
  return a.length === p.length && a.every((seg, i) => seg === WILDCARD || seg === p[i]);
}
