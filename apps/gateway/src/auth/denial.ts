import type { ErrorCode, ErrorFrame } from '@pulse/protocol';

/** Why a request is refused before it becomes a connection or a publish. Every one has a code. */
export interface Denial {
  readonly status: number;
  readonly code: ErrorCode;
  readonly message: string;
  /** Seconds, sent as `Retry-After`. */
  readonly retryAfterS?: number;
  readonly topic?: string;
  /** The request id, when the refused request carried one (HTTP publish). */
  readonly ref?: number;
}

export const deny = (
  status: number,
  code: ErrorCode,
  message: string,
  extra: { retryAfterS?: number; topic?: string; ref?: number } = {},
): Denial => ({ status, code, message, ...extra });

/** The JSON body of a refused HTTP request: the protocol's `error` frame. */
export function denialBody(d: Denial): ErrorFrame {
  return {
    type: 'error',
    code: d.code,
    message: d.message,
    ...(d.ref === undefined ? {} : { ref: d.ref }),
    ...(d.topic === undefined ? {} : { topic: d.topic }),
    ...(d.retryAfterS === undefined ? {} : { retryAfterMs: d.retryAfterS * 1000 }),
  };
}

/** Response headers of a denial. */
export function denialHeaders(d: Denial): Record<string, string> {
  return d.retryAfterS === undefined
    ? { 'Content-Type': 'application/json' }
    : { 'Content-Type': 'application/json', 'Retry-After': String(d.retryAfterS) };
}
