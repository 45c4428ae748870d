import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { CloseCode, jsonCodec } from '@pulse/protocol';
import { addressOf } from '../auth/client-address.js';
import type { Release } from '../auth/admission.js';
import type { Principal } from '../auth/claims.js';
import { CONFIG } from '../config/config.module.js';
import type { GatewayConfig } from '../config/config.schema.js';
import { FanoutService } from '../fanout/fanout.service.js';
import { Outflow } from '../outflow/outflow.js';
import { TokenBucket } from '../client/token-bucket.js';
import { PrometheusRegistry } from '../metrics/prometheus.js';
import { ConnectionLifecycle } from '../session/lifecycle.js';
import { Connections } from '../ws/connections.js';
import { SseConnection } from './sse-connection.js';
import type { SseRequest } from './sse-query.js';
import { SseSink } from './sse-sink.js';
import { welcomeFrame } from '../session/welcome.js';

/** How long shutdown waits for streams to end after telling them to reconnect elsewhere. */
const DRAIN_TIMEOUT_MS = 3000;

const HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  // A stream ends only to be reopened (EventSource always does): do not keep the socket.
  Connection: 'close',
  // nginx and friends buffer responses unless told not to.
  'X-Accel-Buffering': 'no',
};

/**
 * The open SSE streams: each becomes an `SseConnection` subscribed through the same fan-out
 * as sockets, gets the `welcome` frame, then `subscribed` and the messages; a comment every
 * heartbeat interval keeps proxies from closing an idle stream. Shutdown drains them like
 * sockets (DRAINING notice, then `close` 1012).
 */
@Injectable()
export class SseStreams implements OnModuleInit, OnModuleDestroy, BeforeApplicationShutdown {
  readonly all = new Set<SseConnection>();
  private readonly logger = new Logger('Sse');
  private keepalive: NodeJS.Timeout | undefined;
  private seq = 0;
  private emptied: (() => void) | undefined;

  constructor(
    @Inject(CONFIG) private readonly config: GatewayConfig,
    @Inject(FanoutService) private readonly fanout: FanoutService,
    @Inject(Outflow) private readonly outflow: Outflow,
    @Inject(ConnectionLifecycle) private readonly lifecycle: ConnectionLifecycle,
    @Inject(Connections) private readonly connections: Connections,
    @Inject(PrometheusRegistry) private readonly prometheus: PrometheusRegistry,
  ) {}

  /** True while shutting down: new streams are refused (503). */
  get draining(): boolean {
    return this.connections.draining;
  }

  onModuleInit(): void {
    this.prometheus.openConnections.set('sse', () => this.all);
    this.keepalive = setInterval(() => this.ping(Date.now()), this.config.heartbeatMs);
    this.keepalive.unref();
  }

  open(
    req: IncomingMessage,
    res: ServerResponse,
    principal: Principal,
    release: Release,
    request: SseRequest,
  ): void {
    res.writeHead(200, HEADERS);
    req.socket.setNoDelay(true);
    req.socket.setKeepAlive(true, 30_000);
    const sink = new SseSink(res);
    this.seq += 1;
    const conn = this.outflow.attach(
      new SseConnection(
        `${this.config.serverId}:sse${this.seq.toString(36)}`,
        sink,
        jsonCodec,
        principal,
        addressOf(req),
        new TokenBucket(this.config.controlLimit),
        this.lifecycle.onError,
      ),
    );
    conn.resumeFrom(request.resume);
    this.all.add(conn);
    res.once('close', () => {
      this.all.delete(conn);
      release();
      this.lifecycle.closed(
        conn,
        sink.closeCode ?? CloseCode.GOING_AWAY,
        sink.closeReason || 'client went away',
      );
      if (this.all.size === 0) this.emptied?.();
    });
    // A retry hint for EventSource, and bytes on the wire so proxies pass the headers on now.
    res.write('retry: 1000\n\n');
    conn.send(welcomeFrame(this.config, conn.id, principal));
    this.lifecycle.opened(conn);
    for (const subscribe of request.subscribes) {
      this.fanout.subscribe(conn, subscribe).catch((err: unknown) => {
        this.logger.error(`subscribe on ${conn.id} failed: ${String(err)}`);
      });
    }
  }

  ping(now: number): void {
    for (const conn of this.all) (conn.sink as SseSink).comment(`ping ${now}`);
  }

  onModuleDestroy(): void {
    clearInterval(this.keepalive);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.connections.draining = true;
    if (this.all.size === 0) return;
    for (const conn of this.all) {
      conn.send({ type: 'notice', code: 'DRAINING', message: 'server restarting, reconnect' });
      conn.close(CloseCode.SERVICE_RESTART, 'server restarting');
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, DRAIN_TIMEOUT_MS);
      this.emptied = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
