import { topicFamily } from '@pulse/protocol';
import type { Principal } from './claims.js';

/**
 * Topic access rules, in one place.
 * - operator: reads everything, publishes nothing.
 * - device: publishes only `device.<its subject>.*`.
 * - feed: publishes `price.*`.
 * - admin: publishes device and price topics.
 * `alarm.*` and `presence.*` are written by the gateway only. Every role may subscribe.
 */
export function canPublish(who: Principal, topic: string): boolean {
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

export function canSubscribe(_who: Principal, _pattern: string): boolean {
  return true;
}
