import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { CONFIG } from '../config/config.module.js';
import type { GatewayConfig } from '../config/config.schema.js';

/**
 * A TCP connection must complete its first request, the one carrying the token (a WebSocket
 * upgrade, an SSE or HTTP request), within `AUTH_TIMEOUT_MS`; otherwise it is dropped. This is
 * the first-message timeout of a gateway that authenticates before the upgrade: idle and
 * slow-header (slowloris) sockets cannot hold file descriptors, and once a connection is
 * authenticated the heartbeat takes over. At shutdown such sockets are dropped at once, or
 * the server's close would wait for them.
 */
@Injectable()
export class AuthTimeout implements BeforeApplicationShutdown {
  private readonly waiting = new Map<Socket, NodeJS.Timeout>();

  constructor(@Inject(CONFIG) private readonly config: GatewayConfig) {}

  attach(server: Server): void {
    server.on('connection', (socket: Socket) => {
      this.waiting.set(
        socket,
        setTimeout(() => socket.destroy(), this.config.authTimeoutMs),
      );
      socket.once('close', () => this.arrived(socket));
    });
    server.on('request', (req: { socket: Socket }) => this.arrived(req.socket));
    server.on('upgrade', (req: { socket: Socket }) => this.arrived(req.socket));
  }

  beforeApplicationShutdown(): void {
    for (const socket of this.waiting.keys()) socket.destroy();
  }

  private arrived(socket: Socket): void {
    const timer = this.waiting.get(socket);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.waiting.delete(socket);
  }
}
