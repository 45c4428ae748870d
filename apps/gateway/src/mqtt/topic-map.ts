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
