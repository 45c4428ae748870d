import { ErrorCode } from '@pulse/protocol';

/** The HTTP status an error code travels with, when a request over HTTP is refused. */
export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.UNAUTHORIZED:
    case ErrorCode.TOKEN_EXPIRED:
      return 401;
    case ErrorCode.FORBIDDEN:
    case ErrorCode.ORIGIN_NOT_ALLOWED:
      return 403;
    case ErrorCode.NOT_FOUND:
      return 404;
    case ErrorCode.TOO_LARGE:
      return 413;
    case ErrorCode.RATE_LIMITED:
    case ErrorCode.TOO_MANY_CONNECTIONS:
      return 429;
    case ErrorCode.UNAVAILABLE:
    case ErrorCode.OVER_CAPACITY:
      return 503;
    // The store did not answer in time: a gateway timeout, whatever it did meanwhile.
    case ErrorCode.OUTCOME_UNKNOWN:
      return 504;
    case ErrorCode.INTERNAL:
      return 500;
    case ErrorCode.BAD_FRAME:
    case ErrorCode.INVALID_MESSAGE:
    case ErrorCode.INVALID_TOPIC:
    case ErrorCode.INVALID_PAYLOAD:
    case ErrorCode.TOO_MANY_SUBSCRIPTIONS:
    case ErrorCode.ALREADY_SUBSCRIBED:
    case ErrorCode.NOT_SUBSCRIBED:
    case ErrorCode.BAD_REQUEST:
      return 400;
  }
}
