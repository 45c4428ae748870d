/**
 * Error codes (carried in `error` frames, and as `code` in the JSON body of every refused HTTP
 * request: `{"type":"error","code":...,"message":...}`) and WebSocket close codes, each
 * defined once.
 *
 * Close code ranges:
 *   1000-1015  standard (RFC 6455). 1009 = frame over `maxFrameBytes`, 1012 = server restarting.
 *   4000-4099  fatal: the client must NOT reconnect automatically (fix the token, version, ...).
 *   4100-4199  transient: reconnect with backoff and resume from the last sequence.
 */

export const ErrorCode = {
  /** The frame could not be decoded with the negotiated codec. */
  BAD_FRAME: 'BAD_FRAME',
  /** Decoded, but not a valid client message (missing field, wrong type, unknown `type`). */
  INVALID_MESSAGE: 'INVALID_MESSAGE',
  /** Topic or pattern does not follow the grammar. */
  INVALID_TOPIC: 'INVALID_TOPIC',
  /** The payload does not match the schema of the topic's family. */
  INVALID_PAYLOAD: 'INVALID_PAYLOAD',
  /** The token's role or subject does not allow this topic. */
  FORBIDDEN: 'FORBIDDEN',
  /** Over a rate limit; retry after `retryAfterMs`. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** The connection already holds `limits.maxSubscriptions`. */
  TOO_MANY_SUBSCRIPTIONS: 'TOO_MANY_SUBSCRIPTIONS',
  /** Subscribe to a pattern the connection already subscribes to. */
  ALREADY_SUBSCRIBED: 'ALREADY_SUBSCRIBED',
  /** Unsubscribe from a pattern the connection does not subscribe to. */
  NOT_SUBSCRIBED: 'NOT_SUBSCRIBED',
  /** The bus cannot take the message now; retry after `retryAfterMs`. Nothing was stored. */
  UNAVAILABLE: 'UNAVAILABLE',
  /**
   * The publish reached the bus but its answer did not come back (timeout, connection lost):
   * it may or may not be stored. Retry with the same `key` to learn which (the original `ack`
   * if it was stored); a retry without a key may store it twice.
   */
  OUTCOME_UNKNOWN: 'OUTCOME_UNKNOWN',
  /** A bug on the server; the request was not applied. */
  INTERNAL: 'INTERNAL',
  /** No token, or one that is malformed, wrongly signed or has unknown claims (HTTP 401). */
  UNAUTHORIZED: 'UNAUTHORIZED',
  /** The token's `exp` has passed (HTTP 401, or an `auth` refresh with an expired token). */
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  /** A browser page from an origin not in `ALLOWED_ORIGINS` (HTTP 403, before the upgrade). */
  ORIGIN_NOT_ALLOWED: 'ORIGIN_NOT_ALLOWED',
  /** This client address holds `MAX_CONNECTIONS_PER_IP` connections already (HTTP 429). */
  TOO_MANY_CONNECTIONS: 'TOO_MANY_CONNECTIONS',
  /** The gateway holds `MAX_CONNECTIONS` connections already; try another instance (HTTP 503). */
  OVER_CAPACITY: 'OVER_CAPACITY',
  /** An HTTP request parameter or body is invalid (HTTP 400). */
  BAD_REQUEST: 'BAD_REQUEST',
  /** No such HTTP route (HTTP 404). */
  NOT_FOUND: 'NOT_FOUND',
  /** An HTTP body over `maxFrameBytes` (HTTP 413). */
  TOO_LARGE: 'TOO_LARGE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ErrorCodeInfo {
  readonly description: string;
  /** Whether sending the same request again later can succeed. */
  readonly retryable: boolean;
}

export const ERROR_CODES: Readonly<Record<ErrorCode, ErrorCodeInfo>> = {
  BAD_FRAME: { description: 'frame could not be decoded', retryable: false },
  INVALID_MESSAGE: { description: 'not a valid client message', retryable: false },
  INVALID_TOPIC: { description: 'topic does not follow the grammar', retryable: false },
  INVALID_PAYLOAD: { description: "payload does not match the topic's schema", retryable: false },
  FORBIDDEN: { description: 'not allowed for this token', retryable: false },
  RATE_LIMITED: { description: 'over a rate limit, retry after retryAfterMs', retryable: true },
  TOO_MANY_SUBSCRIPTIONS: { description: 'subscription limit reached', retryable: false },
  ALREADY_SUBSCRIBED: { description: 'pattern already subscribed', retryable: false },
  NOT_SUBSCRIBED: { description: 'pattern not subscribed', retryable: false },
  UNAVAILABLE: { description: 'bus unavailable, retry after retryAfterMs', retryable: true },
  OUTCOME_UNKNOWN: {
    description: 'may or may not be stored, retry with the same key',
    retryable: true,
  },
  INTERNAL: { description: 'server error', retryable: true },
  UNAUTHORIZED: { description: 'token missing or invalid', retryable: false },
  TOKEN_EXPIRED: { description: 'token expired, get a fresh one', retryable: false },
  ORIGIN_NOT_ALLOWED: { description: 'page origin not allowed', retryable: false },
  TOO_MANY_CONNECTIONS: { description: 'too many connections from this address', retryable: true },
  OVER_CAPACITY: { description: 'gateway full, retry or use another instance', retryable: true },
  BAD_REQUEST: { description: 'invalid HTTP parameter or body', retryable: false },
  NOT_FOUND: { description: 'no such HTTP route', retryable: false },
  TOO_LARGE: { description: 'HTTP body over maxFrameBytes', retryable: false },
};

export const CloseCode = {
  /** Normal closure (client or server said goodbye). */
  NORMAL: 1000,
  /** The endpoint is going away (browser tab closed). */
  GOING_AWAY: 1001,
  /** A WebSocket framing error (unmasked client frame, reserved bits, bad opcode), from `ws`. */
  PROTOCOL_ERROR: 1002,
  /** A text frame that is not valid UTF-8, from `ws`. */
  INVALID_FRAME_PAYLOAD: 1007,
  /** The frame exceeded `limits.maxFrameBytes`. */
  MESSAGE_TOO_BIG: 1009,
  /** Unexpected server error. */
  INTERNAL_ERROR: 1011,
  /** Server is restarting or draining: reconnect at once (to another instance). */
  SERVICE_RESTART: 1012,
  /** No or unknown subprotocol: the client speaks a protocol version this server does not. */
  UNSUPPORTED_PROTOCOL: 4000,
  /** The token is invalid or its role may not use this endpoint. */
  UNAUTHORIZED: 4001,
  /**
   * The token expired while connected (a `TOKEN_EXPIRING` notice came first; an `auth` message
   * with a fresh token would have kept the connection). Reconnect only with a fresh token.
   */
  TOKEN_EXPIRED: 4002,
  /** The connection kept sending undecodable or invalid frames. */
  PROTOCOL_VIOLATION: 4003,
  /** The client could not keep up with its updates (send buffer over its bound). */
  SLOW_CONSUMER: 4100,
  /** No heartbeat answer in time; the connection is presumed dead. */
  HEARTBEAT_TIMEOUT: 4101,
  /** Persistently over rate limits; reconnect after a pause. */
  RATE_LIMIT_ABUSE: 4102,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

export interface CloseCodeInfo {
  readonly name: keyof typeof CloseCode;
  readonly description: string;
  /** Whether a client should reconnect on its own (with backoff). */
  readonly reconnect: boolean;
}

export const CLOSE_CODES: Readonly<Record<CloseCode, CloseCodeInfo>> = {
  1000: { name: 'NORMAL', description: 'normal closure', reconnect: false },
  1001: { name: 'GOING_AWAY', description: 'endpoint going away', reconnect: true },
  // Like 1009: one bad frame ends the connection; a fresh one starts clean.
  1002: { name: 'PROTOCOL_ERROR', description: 'WebSocket framing error', reconnect: true },
  1007: { name: 'INVALID_FRAME_PAYLOAD', description: 'text frame not UTF-8', reconnect: true },
  1009: { name: 'MESSAGE_TOO_BIG', description: 'frame over maxFrameBytes', reconnect: true },
  1011: { name: 'INTERNAL_ERROR', description: 'server error', reconnect: true },
  1012: { name: 'SERVICE_RESTART', description: 'server restarting, reconnect', reconnect: true },
  4000: { name: 'UNSUPPORTED_PROTOCOL', description: 'unknown protocol version', reconnect: false },
  4001: {
    name: 'UNAUTHORIZED',
    description: 'token invalid or role not allowed',
    reconnect: false,
  },
  4002: { name: 'TOKEN_EXPIRED', description: 'token expired while connected', reconnect: false },
  4003: { name: 'PROTOCOL_VIOLATION', description: 'repeated invalid frames', reconnect: false },
  4100: { name: 'SLOW_CONSUMER', description: 'client could not keep up', reconnect: true },
  4101: { name: 'HEARTBEAT_TIMEOUT', description: 'no heartbeat in time', reconnect: true },
  4102: { name: 'RATE_LIMIT_ABUSE', description: 'persistently over limits', reconnect: true },
};

/**
 * Whether a client should reconnect after a close with `code`. Codes not in the table
 * (1006 abnormal closure, proxies' codes) are treated as transient.
 */
export function shouldReconnect(code: number): boolean {
  const info = (CLOSE_CODES as Record<number, CloseCodeInfo | undefined>)[code];
  if (info) return info.reconnect;
  return !(code >= 4000 && code <= 4099);
}
