import { isTopicPattern, WILDCARD } from '@pulse/protocol';
import { Reason } from './reason-codes.js';

/**
 * MQTT topic names ⇄ Pulse topics: MQTT levels (`/`) are Pulse segments (`.`), so
 * `device/d1/temperature` is `device.d1.temperature` and `price/BTC-USD` is `price.BTC-USD`.
 * A name that cannot map one to one (a `.` inside a level, MQTT or Pulse wildcards) has no
 * Pulse topic; the rest of the grammar is the protocol's own check (`parseClientMessage`).
 */
export function pulseTopicOf(mqttTopic: string): string | undefined {
  if (/[.+#*]/.test(mqttTopic)) return undefined;
  return mqttTopic.replaceAll('/', '.');
}

export function mqttTopicOf(pulseTopic: string): string {
  return pulseTopic.replaceAll('.', '/');
}

/** A topic filter mapped to a Pulse pattern, or the MQTT 5 reason it cannot be. */
export type FilterMapping = { ok: true; pattern: string } | { ok: false; reason: number };

/**
 * MQTT topic filters → Pulse patterns: levels are segments and `+` is `*`
 * (`device/+/temperature` is `device.*.temperature`). Refused: `#` (Pulse has no multi-level
 * wildcard), `$…` (no `$SYS`; `$share/…` gets its own reason), and anything that is not a
 * pattern of §4.3 once mapped (two `+`, a `+` inside a level, a family wildcard …).
 */
export function pulsePatternOf(filter: string): FilterMapping {
  if (filter.startsWith('$share/')) return { ok: false, reason: SHARED_NOT_SUPPORTED };
  if (filter.startsWith('$') || /[.#*]/.test(filter)) return { ok: false, reason: FILTER_INVALID };
  const pattern = filter.replaceAll('/', '.').replaceAll('+', WILDCARD);
  return isTopicPattern(pattern) ? { ok: true, pattern } : { ok: false, reason: FILTER_INVALID };
}

const FILTER_INVALID = Reason.TOPIC_FILTER_INVALID;
const SHARED_NOT_SUPPORTED = Reason.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED;
