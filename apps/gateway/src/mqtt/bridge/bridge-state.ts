/** What readiness reports about the bridge (`mqttBridge` in GET /health/ready). */
export type BridgeState =
  | { readonly state: 'connecting' | 'reconnecting'; readonly reason?: string }
  | { readonly state: 'connected'; readonly since: number }
  | { readonly state: 'closed' };

/**
 * How a bridged message was handled, the `outcome` label of pulse_mqtt_bridge_messages_total:
 * - `stored`: the bus has it (or had it: a repeated `key`); acked to the broker.
 * - `refused`: it can never be stored (ACL, schema, topic); acked to the broker and dropped,
 *   also counted in pulse_errors_total{code}.
 * - `throttled`: over its publish quota; held (the broker's stream with it) and tried again.
 * - `unavailable`: the bus did not store it (or cannot say); left unacked, and the bridge
 *   reconnects so the broker delivers it again.
 */
export type BridgeOutcome = 'stored' | 'refused' | 'throttled' | 'unavailable';
