import type { WebSocket } from 'ws';

/**
 * Remembers the close code and reason the gateway sent on a socket. `ws` reports the close
 * frame it received, so a peer that never answers (a stalled slow consumer, dropped a second
 * after its 4100) would be counted and logged as 1006, hiding why the gateway let it go.
 */
export function rememberCloseSent(
  ws: WebSocket,
): () => { code: number; reason: string } | undefined {
  let sent: { code: number; reason: string } | undefined;
  const close = ws.close;
  ws.close = function (code?: number, reason?: string | Buffer) {
    // `ws` also calls close() to echo a peer's close frame: that is the peer's code, kept too.
    if (sent === undefined && code !== undefined && ws.readyState === ws.OPEN)
      sent = { code, reason: reason?.toString() ?? '' };
    close.call(ws, code, reason);
  };
  return () => sent;
}
