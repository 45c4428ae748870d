import type { IncomingMessage } from 'node:http';
import { Inject, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection, type OnGatewayInit } from '@nestjs/websockets';
import { CloseCode, codecForSubprotocols, SUBPROTOCOL } from '@pulse/protocol';
import type { WebSocket } from 'ws';
import { addressOf } from '../auth/client-address.js';
import { principalOf } from '../auth/upgrade-guard.js';
import { CONFIG } from '../config/config.module.js';
import type { GatewayConfig } from '../config/config.schema.js';
import { Client } from '../client/client.js';
import { Outflow } from '../outflow/outflow.js';
import { IngestGate } from '../ingest/ingest-gate.js';
import { TokenBucket } from '../client/token-bucket.js';
import { PrometheusRegistry } from '../metrics/prometheus.js';
import { FrameDispatcher } from '../dispatch/frame-dispatcher.js';
import { PresenceService } from '../presence/presence.service.js';
import { ConnectionLifecycle } from '../session/lifecycle.js';
import { rememberCloseSent } from './close-sent.js';
import { Connections } from './connections.js';
import { Heartbeat } from './heartbeat.js';
import { welcomeFrame } from '../session/welcome.js';

/** How long shutdown waits for clients to leave after telling them to reconnect elsewhere. */
const DRAIN_TIMEOUT_MS = 3000;

/**
 * `/ws`: the upgrade was authenticated by the adapter's guard; here a socket becomes a
 * `Client`, is welcomed, and its frames go to the frame dispatcher.
 */
@WebSocketGateway({ path: '/ws' })
export class PulseGateway implements OnGatewayInit, OnGatewayConnection, BeforeApplicationShutdown {
  private readonly logger = new Logger('Gateway');

  constructor(
    @Inject(CONFIG) private readonly config: GatewayConfig,
    @Inject(Connections) private readonly connections: Connections,
    @Inject(FrameDispatcher) private readonly inbound: FrameDispatcher,
    @Inject(PresenceService) private readonly presence: PresenceService,
    @Inject(Heartbeat) private readonly heartbeat: Heartbeat,
    @Inject(Outflow) private readonly outflow: Outflow,
    @Inject(IngestGate) private readonly gate: IngestGate,
    @Inject(PrometheusRegistry) private readonly prometheus: PrometheusRegistry,
    @Inject(ConnectionLifecycle) private readonly lifecycle: ConnectionLifecycle,
  ) {}

  afterInit(): void {
    this.heartbeat.start();
    this.prometheus.openConnections.set('ws', () => this.connections.all);
    this.prometheus.ingestPending = () => this.gate.pending;
  }

  handleConnection(ws: WebSocket, req: IncomingMessage): void {
    const codec = codecForSubprotocols([ws.protocol]);
    if (!codec) {
      ws.close(
        CloseCode.UNSUPPORTED_PROTOCOL,
        `offer ${SUBPROTOCOL.json} or ${SUBPROTOCOL.msgpack}`,
      );
      return;
    }
    const principal = principalOf(req);
    if (!principal || this.connections.draining) {
      ws.close(
        principal ? CloseCode.SERVICE_RESTART : CloseCode.UNAUTHORIZED,
        principal ? 'draining' : 'unauthenticated',
      );
      return;
    }
    const id = this.connections.nextId(this.config.serverId);
    const conn = this.outflow.attach(
      new Client(
        id,
        ws,
        codec,
        principal,
        addressOf(req),
        new TokenBucket(this.config.controlLimit),
        this.lifecycle.onError,
      ),
      req.socket,
    );
    this.connections.add(conn);
    this.gate.register(conn);
    ws.on('message', (data, isBinary) => this.inbound.handle(conn, data as Buffer, isBinary));
    ws.on('error', (err) => this.logger.debug(`socket ${id}: ${err.message}`));
    const sent = rememberCloseSent(ws);
    ws.once('close', (code, reason) => {
      const ours = sent();
      this.lifecycle.closed(conn, ours?.code ?? code, ours?.reason ?? reason.toString());
      this.gate.unregister(conn);
      this.connections.delete(conn);
      this.presence.disconnected(conn);
    });
    conn.send(welcomeFrame(this.config, id, principal));
    this.lifecycle.opened(conn);
    this.presence.connected(conn);
  }

  /** Tells every client to reconnect elsewhere (1012), then waits briefly for them to go. */
  async beforeApplicationShutdown(): Promise<void> {
    this.connections.draining = true;
    for (const conn of this.connections.all) {
      conn.send({ type: 'notice', code: 'DRAINING', message: 'server restarting, reconnect' });
      conn.close(CloseCode.SERVICE_RESTART, 'server restarting');
    }
    await this.connections.drained(DRAIN_TIMEOUT_MS);
  }
}
