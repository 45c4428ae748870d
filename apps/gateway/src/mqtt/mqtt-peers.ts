import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { CloseCode } from '@pulse/protocol';
import { TokenBucket } from '../client/token-bucket.js';
import { CONFIG } from '../config/config.module.js';
import type { GatewayConfig } from '../config/config.schema.js';
import { FanoutService } from '../fanout/fanout.service.js';
import { PrometheusRegistry } from '../metrics/prometheus.js';
import { Stats } from '../metrics/stats.js';
import { Outflow } from '../outflow/outflow.js';
import { PresenceService } from '../presence/presence.service.js';
import { ConnectionLifecycle } from '../session/lifecycle.js';
import type { MqttConnection, MqttSubscriber } from './mqtt-connection.js';
import { MqttPeer } from './mqtt-peer.js';
import type { MqttSink } from './mqtt-sink.js';
import { MqttSubscriptions } from './mqtt-subscriptions.js';

/**
 * The open MQTT connections as clients: each gets an outbox, a subscription handler and a
 * presence (online on CONNECT, offline when it ends, whichever way), through the same lifecycle
 * as a WebSocket or an SSE stream (token expiry, logs, metrics).
 */
@Injectable()
export class MqttPeers implements OnModuleInit {
  readonly all = new Set<MqttPeer>();
  private readonly byConnection = new Map<MqttConnection, MqttPeer>();
  private seq = 0;

  constructor(
    @Inject(CONFIG) private readonly config: GatewayConfig,
    @Inject(Outflow) private readonly outflow: Outflow,
    @Inject(FanoutService) private readonly fanout: FanoutService,
    @Inject(ConnectionLifecycle) private readonly lifecycle: ConnectionLifecycle,
    @Inject(PresenceService) private readonly presence: PresenceService,
    @Inject(Stats) private readonly stats: Stats,
    @Inject(PrometheusRegistry) private readonly prometheus: PrometheusRegistry,
  ) {}

  onModuleInit(): void {
    this.prometheus.openConnections.set('mqtt', () => this.all);
  }

  open(conn: MqttConnection): MqttSubscriber {
    this.seq += 1;
    const peer = this.outflow
      .attach(
        new MqttPeer(
          `${this.config.serverId}:mqtt${this.seq.toString(36)}`,
          conn,
          conn.principal,
          new TokenBucket(this.config.controlLimit),
          this.lifecycle.onError,
        ),
      )
      .markReplays();
    this.all.add(peer);
    this.byConnection.set(conn, peer);
    this.lifecycle.opened(peer);
    this.presence.connected(peer);
    return new MqttSubscriptions(conn, peer, this.fanout, this.config.rateLimitAbuse, () => {
      this.stats.rateLimited.control += 1;
    });
  }

  closed(conn: MqttConnection): void {
    const peer = this.byConnection.get(conn);
    if (!peer) return;
    this.byConnection.delete(conn);
    this.all.delete(peer);
    const sink = peer.sink as MqttSink;
    this.lifecycle.closed(
      peer,
      sink.closeCode ?? CloseCode.GOING_AWAY,
      sink.closeReason || 'connection ended',
    );
    this.presence.disconnected(peer);
  }
}
