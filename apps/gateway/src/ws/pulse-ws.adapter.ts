import type { IncomingMessage } from 'node:http';
import type { INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import { codecForSubprotocols } from '@pulse/protocol';
import { denialBody, denialHeaders } from '../auth/denial.js';
import type { UpgradeGuard } from '../auth/upgrade-guard.js';
import type { GatewayConfig } from '../config/config.schema.js';

/** Another WebSocket endpoint on the HTTP port (MQTT over WebSocket at `/mqtt`). */
export interface WsMount {
  readonly path: string;
  /** A `ws` server in `noServer` mode. */
  readonly server: object;
}

type VerifyCallback = (
  ok: boolean,
  status?: number,
  message?: string,
  headers?: Record<string, string>,
) => void;

/**
 * Nest's `ws` adapter with Pulse's upgrade rules: the guard authenticates before the upgrade,
 * frames are size-limited, and the subprotocol picks the codec.
 */
export class PulseWsAdapter extends WsAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly guard: UpgradeGuard,
    private readonly config: GatewayConfig,
    private mounts: readonly WsMount[] = [],
  ) {
    super(app);
  }

  override create(port: number, options: Record<string, unknown> = {}): unknown {
    const server = super.create(port, {
      ...options,
      maxPayload: this.config.maxFrameBytes,
      verifyClient: (info: { req: IncomingMessage }, done: VerifyCallback) => {
        this.guard.check(info.req).then(
          (d) =>
            d.ok
              ? done(true)
              : done(
                  false,
                  d.denial.status,
                  JSON.stringify(denialBody(d.denial)),
                  denialHeaders(d.denial),
                ),
          () => done(false, 500, '{"type":"error","code":"INTERNAL","message":"auth failed"}'),
        );
      },
      // Echo a known subprotocol. An unknown one is echoed too, so browsers complete the
      // handshake and then see the documented 4000 close instead of an opaque failure.
      handleProtocols: (offered: Set<string>) =>
        codecForSubprotocols(offered)?.subprotocol ?? offered.values().next().value ?? false,
    });
    // Nest routes the HTTP server's upgrades by path and drops unknown ones: the other
    // endpoints join its routing table beside `/ws`, once.
    const mounts = this.mounts;
    this.mounts = [];
    for (const mount of mounts)
      this.addWsServerToRegistry(mount.server as { path: string }, port, mount.path);
    return server;
  }

  /**
   * Nest's default routes JSON `{event, data}` frames; Pulse frames are decoded once, with the
   * negotiated codec, by the gateway's own message listener (the hot path).
   */
  override bindMessageHandlers(): void {}

  /**
   * Socket errors are the client's doing (oversized frame, invalid UTF-8): `ws` already closed
   * with the right code and the gateway logs one line; Nest's default would log a stack per frame.
   */
  override bindErrorHandler(server: WsServerLike): WsServerLike {
    server.on('connection', (ws: { on(event: 'error', fn: () => void): void }) =>
      ws.on('error', () => {}),
    );
    server.on('error', (err: Error) => this.logger.error(err.message));
    return server;
  }
}

interface WsServerLike {
  on(event: string, fn: (...args: never[]) => void): unknown;
}
