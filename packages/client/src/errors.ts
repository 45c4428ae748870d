import type { ErrorCode, ErrorFrame } from '@pulse/protocol';

/**
 * Codes a `PulseError` can carry: the server's error codes plus the client's own
 * `DISCONNECTED` (the connection dropped or was closed before the reply), `TIMEOUT` (no reply in
 * `requestTimeoutMs`) and `QUEUE_FULL` (the offline publish queue is at its bound).
 */
export type PulseErrorCode = ErrorCode | 'DISCONNECTED' | 'TIMEOUT' | 'QUEUE_FULL';

/** The rejection of a client call (`publish` with ack, `ping`). */
export class PulseError extends Error {
  override readonly name = 'PulseError';
  readonly code: PulseErrorCode;
  /** When the server says when to try again (`RATE_LIMITED`, `UNAVAILABLE`). */
  declare readonly retryAfterMs?: number;
  declare readonly topic?: string;

  constructor(
    code: PulseErrorCode,
    message: string,
    extra: { retryAfterMs?: number; topic?: string } = {},
  ) {
    super(message);
    this.code = code;
    if (extra.retryAfterMs !== undefined) this.retryAfterMs = extra.retryAfterMs;
    if (extra.topic !== undefined) this.topic = extra.topic;
  }

  /** The error a server `error` frame stands for. */
  static fromFrame(frame: ErrorFrame): PulseError {
    return new PulseError(frame.code, frame.message, {
      ...(frame.retryAfterMs !== undefined && { retryAfterMs: frame.retryAfterMs }),
      ...(frame.topic !== undefined && { topic: frame.topic }),
    });
  }
}

/** The message of anything thrown or passed to an error handler (ws and DOM error events too). */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'message' in error) {
    if (typeof error.message === 'string') return error.message;
  }
  return typeof error === 'string' ? error : 'unknown error';
}
