import type { IncomingMessage } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ErrorCode, type Publish } from '@pulse/protocol';
import { WebSocketServer, type WebSocket } from 'ws';
import { Admission } from '../auth/admission.js';
import type { Principal } from '../auth/claims.js';
import { resolveClientAddress } from '../auth/client-address.js';
import { originAllowed } from '../auth/origin-policy.js';
import { TokenService } from '../auth/token.service.js';
import { ConfigError } from '../config/load-config.js';
import { CONFIG } from '../config/config.module.js';
import type { GatewayConfig } from '../config/config.schema.js';
import { proxyTrust } from '../config/proxy-trust.js';
import { IngestGate } from '../ingest/ingest-gate.js';
import { Publisher, type PublishOutcome } from '../ingest/publisher.js';
import { Stats } from '../metrics/stats.js';
import {
  MqttConnection,
  type ConnectDecision,
  type MqttServices,
  type MqttSubscriber,
  type MqttTransport,
} from './mqtt-connection.js';
import { MqttPeers } from './mqtt-peers.js';

/** Where MQTT over WebSocket is served on the HTTP port. */
export const MQTT_WS_PATH = '/mqtt';

/** Time a closing connection gets to flush its last packet before it is cut. */
const LINGER_MS = 1000;

/**
 * The embedded MQTT broker: a TCP listener on `MQTT_PORT` (bound to `HOST`, like HTTP) and a
 * WebSocket endpoint at `/mqtt` (mounted by `PulseWsAdapter`). Both hand their bytes to
 * `MqttConnection`, which authenticates with the same `TokenService` and connect limits as the
 * WebSocket path and publishes through the same `Publisher` and `IngestGate`; as a subscriber
 * it is an `MqttPeer` of the same fan-out and outflow (`MqttPeers`).
 */
@Injectable()
export class MqttServer implements MqttServices, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Mqtt');
  private readonly connections = new Set<MqttConnection>();
  private server?: Server;
  /** `noServer`: the HTTP server's upgrade routing hands it `/mqtt` requests. */
  readonly webSocket: WebSocketServer;
  readonly maxPacketBytes: number;
  readonly connectTimeoutMs: number;
  readonly rateLimitAbuse: number;

  constructor(
    @Inject(CONFIG) private readonly config: GatewayConfig,
    @Inject(TokenService) private readonly tokens: TokenService,
    @Inject(Admission) private readonly admission: Admission,
    @Inject(Publisher) private readonly publisher: Publisher,
    @Inject(IngestGate) private readonly gate: IngestGate,
    @Inject(Stats) private readonly stats: Stats,
    @Inject(MqttPeers) private readonly peers: MqttPeers,
  ) {
    this.maxPacketBytes = config.maxFrameBytes;
    this.connectTimeoutMs = config.authTimeoutMs;
    this.rateLimitAbuse = config.rateLimitAbuse;
    const trust = proxyTrust(config.trustedProxies);
    this.webSocket = new WebSocketServer({
      noServer: true,
      // A WebSocket frame may carry one whole MQTT packet and its framing.
      maxPayload: config.maxFrameBytes + 16,
      handleProtocols: (offered: Set<string>) =>
        ['mqtt', 'mqttv3.1'].find((p) => offered.has(p)) ?? false,
      verifyClient: (info: { req: IncomingMessage }) =>
        originAllowed(config.allowedOrigins, info.req),
    });
    this.webSocket.on('connection', (ws: WebSocket, req: IncomingMessage) =>
      this.acceptWebSocket(ws, resolveClientAddress(req, trust)),
    );
  }

  /** The TCP port bound, once listening (undefined with MQTT_PORT=off). */
  get port(): number | undefined {
    return this.address?.port;
  }

  get address(): AddressInfo | undefined {
    const address = this.server?.address();
    return typeof address === 'object' && address ? address : undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.mqttPort === undefined) return;
    const server = createServer((socket) => this.acceptSocket(socket));
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.config.mqttPort, this.config.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      const taken = `MQTT port ${this.config.mqttPort} on ${this.config.host} is taken (another broker?)`;
      // The default port is often held by a Mosquitto already: run without the TCP listener
      // (MQTT over WebSocket at /mqtt still works) rather than refuse to start.
      if (!this.config.mqttPortExplicit) {
        this.logger.warn(
          `${taken}: the MQTT TCP listener is off; set MQTT_PORT to a free port (0 = any)`,
        );
        return;
      }
      throw new ConfigError(`${taken}: set MQTT_PORT to a free port, 0 for any, or off`);
    }
    server.on('error', (err) => this.logger.error(err.message));
    this.server = server;
  }

  async beforeApplicationShutdown(): Promise<void> {
    for (const conn of this.connections) conn.shutdown();
    for (const ws of this.webSocket.clients) ws.terminate();
    this.webSocket.close();
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async authenticate(address: string, token: string | undefined): Promise<ConnectDecision> {
    const slot = await this.admission.admit(address);
    if (typeof slot !== 'function') return { ok: false, code: slot.code, reason: slot.message };
    if (!token) {
      slot();
      return { ok: false, code: ErrorCode.UNAUTHORIZED, reason: 'missing token (the password)' };
    }
    const result = await this.tokens.verify(token);
    if (!result.ok) {
      slot();
      return { ok: false, code: result.code, reason: result.reason };
    }
    return { ok: true, principal: result.principal, release: slot };
  }

  publish(who: Principal, req: Publish): PublishOutcome | Promise<PublishOutcome> {
    return this.publisher.accept(who, req);
  }

  opened(conn: MqttConnection): MqttSubscriber {
    this.connections.add(conn);
    this.gate.register(conn);
    return this.peers.open(conn);
  }

  closed(conn: MqttConnection): void {
    this.connections.delete(conn);
    this.gate.unregister(conn);
    this.peers.closed(conn);
  }

  refused(code: ErrorCode): void {
    this.stats.error(code);
  }

  private acceptSocket(socket: Socket): void {
    socket.setNoDelay(true);
    // Packets written in one turn of the event loop (the PUBACKs of every PUBLISH one read
    // brought in, as the bus stores them) leave in one writev at the end of the turn rather than
    // one write syscall each: that syscall was a fifth of the gateway's CPU under QoS 1 load.
    let corked = false;
    const uncork = () => {
      corked = false;
      socket.uncork();
    };
    const transport: MqttTransport = {
      remoteAddress: socket.remoteAddress ?? 'unknown',
      get open() {
        return !socket.destroyed && socket.writable;
      },
      get bufferedAmount() {
        return socket.writableLength;
      },
      write: (bytes) => {
        if (!corked) {
          corked = true;
          socket.cork();
          setImmediate(uncork);
        }
        socket.write(bytes);
      },
      end: () => {
        // end() sends what is corked, then the FIN.
        socket.end();
        setTimeout(() => socket.destroy(), LINGER_MS).unref();
      },
      pause: () => socket.pause(),
      resume: () => socket.resume(),
    };
    const conn = new MqttConnection(transport, this);
    socket.on('data', (bytes: Buffer) => conn.feed(bytes));
    socket.on('close', () => conn.gone());
    socket.on('error', () => socket.destroy());
  }

  private acceptWebSocket(ws: WebSocket, address: string): void {
    const transport: MqttTransport = {
      remoteAddress: address,
      get open() {
        return ws.readyState === ws.OPEN;
      },
      get bufferedAmount() {
        return ws.bufferedAmount;
      },
      write: (bytes) => ws.send(bytes),
      end: () => {
        ws.close();
        setTimeout(() => ws.terminate(), LINGER_MS).unref();
      },
      pause: () => ws.pause(),
      resume: () => ws.resume(),
    };
    const conn = new MqttConnection(transport, this);
    ws.on('message', (bytes: Buffer) => conn.feed(bytes));
    ws.on('close', () => conn.gone());
    ws.on('error', () => ws.terminate());
  }
}
