import { topicFamily } from '@pulse/protocol';
import type { Principal } from '../../auth/claims.js';

/** The subject bridged price publishes share (one feed quota for all of them). */
export const BRIDGE_FEED_SUBJECT = 'mqtt-bridge';

/**
 * Who a bridged publish counts as. The external broker authenticated the device, and MQTT
 * does not tell a subscriber who published, so Pulse takes the topic's word: `device/<id>/…`
 * publishes as device `<id>` (its own quota, and the device ACL holds by construction), and
 * `price/<symbol>` as one feed. Any other topic gets a principal that may publish nothing, so
 * the usual ACL refuses it.
 */
export function bridgedPrincipal(topic: string): Principal {
  const family = topicFamily(topic);
  if (family === 'device') return { subject: topic.split('.')[1] ?? '', role: 'device' };
  if (family === 'price') return { subject: BRIDGE_FEED_SUBJECT, role: 'feed' };
  return { subject: BRIDGE_FEED_SUBJECT, role: 'operator' };
}
