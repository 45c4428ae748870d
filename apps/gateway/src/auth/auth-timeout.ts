import type { Server } from 'node:http';
import type { Socket } from 'node:net';

const TIMER = Symbol('pulse.authTimer');
type TimedSocket = Socket & { [TIMER]?: NodeJS.Timeout };

/**
 * A TCP connection must complete its first request, the one carrying the token (a WebSocket
 * upgrade, an SSE or HTTP request), within `ms`; otherwise it is dropped. This is the
 * first-message timeout of a gateway that authenticates before the upgrade: it stops idle
 * and slow-header (slowloris) sockets from holding file descriptors, and once a connection is
 * authenticated the heartbeat takes over.
 */
export function limitTimeToAuthenticate(server: Server, ms: number): void {
  server.on('connection', (socket: TimedSocket) => {
    socket[TIMER] = setTimeout(() => socket.destroy(), ms);
    socket.once('close', () => clearTimeout(socket[TIMER]));
  });
  const arrived = (req: { socket: TimedSocket }) => {
    clearTimeout(req.socket[TIMER]);
    req.socket[TIMER] = undefined;
  };
  server.on('request', arrived);
  server.on('upgrade', arrived);
}
