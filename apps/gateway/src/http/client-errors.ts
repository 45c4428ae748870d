import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { ErrorCode } from '@pulse/protocol';

/** What Node's HTTP parser rejects, as the documented error: status, code, message. */
function answerFor(code: string | undefined): [number, ErrorCode, string] | undefined {
  if (code === 'HPE_HEADER_OVERFLOW')
    return [431, ErrorCode.TOO_LARGE, 'request headers too large'];
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return [408, ErrorCode.BAD_REQUEST, 'request not completed in time'];
  if (code?.startsWith('HPE_')) return [400, ErrorCode.BAD_REQUEST, 'malformed HTTP request'];
  return undefined; // ECONNRESET and the like: nobody left to answer
}

/**
 * Node answers a request its parser rejects (headers over 16 KB, garbage, a bad chunk) with a
 * bare `400`/`431` before Express or Nest see it. This gives those answers the same JSON
 * `error` body as every other HTTP error, so a client has one shape to read.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const answer = answerFor(err.code);
    // Node's own rule: never write into a response already under way on this socket.
    const pending = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (!answer || !socket.writable || pending?.headersSent) {
      socket.destroy();
      return;
    }
    const [status, code, message] = answer;
    const body = JSON.stringify({ type: 'error', code, message });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        'Content-Type: application/json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  });
}
