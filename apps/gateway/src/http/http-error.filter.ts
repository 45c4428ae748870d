import {
  Catch,
  HttpException,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { ErrorCode } from '@pulse/protocol';
import type { Request, Response } from 'express';
import { denialBody, denialHeaders, type Denial } from '../auth/denial.js';
import { DenialException } from './denial.exception.js';

/**
 * Every HTTP error leaves as the protocol's `error` frame (`{"type":"error","code",...}`) with
 * a 4xx/5xx status: our denials as decided, Nest's and body-parser's by status, anything else
 * as 500 INTERNAL. The body never carries a stack trace; the log line does.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    sendDenial(res, this.toDenial(exception, req));
  }

  private toDenial(exception: unknown, req: Request): Denial {
    if (exception instanceof DenialException) return exception.denial;
    const status =
      exception instanceof HttpException ? exception.getStatus() : (statusOf(exception) ?? 500);
    if (status >= 500) {
      this.logger.error(
        `${req.method} ${req.path} failed: ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`,
      );
      return { status, code: ErrorCode.INTERNAL, message: 'internal error' };
    }
    return { status, code: codeFor(status), message: messageOf(exception, status) };
  }
}

/** Writes a denial as JSON, unless a stream (SSE) has already started. */
export function sendDenial(res: Response, denial: Denial): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res
    .status(denial.status)
    .set(denialHeaders(denial))
    .send(JSON.stringify(denialBody(denial)));
}

function codeFor(status: number): ErrorCode {
  switch (status) {
    case 401:
      return ErrorCode.UNAUTHORIZED;
    case 403:
      return ErrorCode.FORBIDDEN;
    case 404:
      return ErrorCode.NOT_FOUND;
    case 413:
      return ErrorCode.TOO_LARGE;
    case 429:
      return ErrorCode.RATE_LIMITED;
    default:
      return ErrorCode.BAD_REQUEST;
  }
}

/** body-parser and http-errors carry `status`/`statusCode`; anything else is ours (500). */
function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const s =
    (err as { status?: unknown; statusCode?: unknown }).status ??
    (err as { statusCode?: unknown }).statusCode;
  return typeof s === 'number' && s >= 400 && s < 600 ? s : undefined;
}

function messageOf(err: unknown, status: number): string {
  if (status === 413) return 'body too large';
  if (err instanceof HttpException) {
    const body = err.getResponse();
    const m =
      typeof body === 'object' && body !== null ? (body as { message?: unknown }).message : body;
    return (Array.isArray(m) ? m.join('; ') : String(m ?? err.message)).slice(0, 200);
  }
  // body-parser: "Unexpected token } in JSON at position 12" and the like; short and ours.
  return err instanceof SyntaxError ? 'body is not valid JSON' : 'bad request';
}
