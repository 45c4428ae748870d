import { ErrorCode } from '@pulse/protocol';

/** The MQTT 5 reason codes the gateway sends (OASIS MQTT 5.0, §2.4). */
export const Reason = {
  SUCCESS: 0x00,
  /** SUBACK: the subscription is granted at QoS 0 (the only QoS deliveries use). */
  GRANTED_QOS_0: 0x00,
  /** UNSUBACK: there was no such subscription. */
  NO_SUBSCRIPTION_EXISTED: 0x11,
  UNSPECIFIED: 0x80,
  MALFORMED_PACKET: 0x81,
  PROTOCOL_ERROR: 0x82,
  IMPLEMENTATION_SPECIFIC: 0x83,
  BAD_USERNAME_OR_PASSWORD: 0x86,
  NOT_AUTHORIZED: 0x87,
  SERVER_BUSY: 0x89,
  SERVER_SHUTTING_DOWN: 0x8b,
  KEEP_ALIVE_TIMEOUT: 0x8d,
  TOPIC_FILTER_INVALID: 0x8f,
  TOPIC_NAME_INVALID: 0x90,
  PACKET_TOO_LARGE: 0x95,
  QUOTA_EXCEEDED: 0x97,
  PAYLOAD_FORMAT_INVALID: 0x99,
  SHARED_SUBSCRIPTIONS_NOT_SUPPORTED: 0x9e,
  CONNECTION_RATE_EXCEEDED: 0x9f,
} as const;

/** MQTT 3.1.1 SUBACK: the only failure it can say (§3.9.3). */
export const SUBACK_FAILURE_V3 = 0x80;

/** MQTT 3.1.1 CONNACK return codes (§3.2.2.3). */
export const ConnackV3 = {
  ACCEPTED: 0,
  SERVER_UNAVAILABLE: 3,
  NOT_AUTHORIZED: 5,
} as const;

const PUBLISH_REASONS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.FORBIDDEN]: Reason.NOT_AUTHORIZED,
  [ErrorCode.RATE_LIMITED]: Reason.QUOTA_EXCEEDED,
  [ErrorCode.INVALID_PAYLOAD]: Reason.PAYLOAD_FORMAT_INVALID,
  [ErrorCode.INVALID_TOPIC]: Reason.TOPIC_NAME_INVALID,
  [ErrorCode.INVALID_MESSAGE]: Reason.IMPLEMENTATION_SPECIFIC,
};

/**
 * The MQTT 5 reason code that carries a refused publish (PUBACK, PUBREC or DISCONNECT). The
 * Pulse error code and message also travel, as the reason string. UNAVAILABLE and
 * OUTCOME_UNKNOWN (and anything else) are 0x80: "not accepted, retry"; with the `key` user
 * property a retry is stored once (protocol §10.1).
 */
export function publishReason(code: ErrorCode): number {
  return PUBLISH_REASONS[code] ?? Reason.UNSPECIFIED;
}

/** CONNACK refusals by Pulse code: [MQTT 5 reason code, MQTT 3.1.1 return code]. */
const CONNECT_REFUSALS: Partial<Record<ErrorCode, readonly [number, number]>> = {
  [ErrorCode.UNAUTHORIZED]: [Reason.BAD_USERNAME_OR_PASSWORD, ConnackV3.NOT_AUTHORIZED],
  [ErrorCode.TOKEN_EXPIRED]: [Reason.NOT_AUTHORIZED, ConnackV3.NOT_AUTHORIZED],
  [ErrorCode.RATE_LIMITED]: [Reason.CONNECTION_RATE_EXCEEDED, ConnackV3.SERVER_UNAVAILABLE],
  [ErrorCode.TOO_MANY_CONNECTIONS]: [Reason.QUOTA_EXCEEDED, ConnackV3.SERVER_UNAVAILABLE],
};

/** The CONNACK refusal for a connect refused with `code` (token or connect limits). */
export function connectRefusal(code: ErrorCode, v5: boolean): number {
  const [five, three] = CONNECT_REFUSALS[code] ?? [
    Reason.SERVER_BUSY,
    ConnackV3.SERVER_UNAVAILABLE,
  ];
  return v5 ? five : three;
}

const SUBSCRIBE_REASONS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.FORBIDDEN]: Reason.NOT_AUTHORIZED,
  [ErrorCode.TOO_MANY_SUBSCRIPTIONS]: Reason.QUOTA_EXCEEDED,
  [ErrorCode.RATE_LIMITED]: Reason.QUOTA_EXCEEDED,
  [ErrorCode.INVALID_TOPIC]: Reason.TOPIC_FILTER_INVALID,
};

/**
 * The MQTT 5 SUBACK reason code for a subscription the fan-out refused with `code` (ACL,
 * subscription budget, control-message rate); UNAVAILABLE and anything else are 0x80.
 */
export function subscribeReason(code: ErrorCode): number {
  return SUBSCRIBE_REASONS[code] ?? Reason.UNSPECIFIED;
}
