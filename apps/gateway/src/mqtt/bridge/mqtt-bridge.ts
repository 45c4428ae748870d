import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ErrorCode, type ErrorFrame } from '@pulse/protocol';
import type { IPublishPacket, MqttClient } from 'mqtt';
import { CONFIG } from '../../config/config.module.js';
import type { GatewayConfig, MqttBridgeConfig } from '../../config/config.schema.js';
import { Publisher, type PublishOutcome } from '../../ingest/publisher.js';
import { Stats } from '../../metrics/stats.js';
import { publishRequestOf } from '../publish-request.js';
import { bridgedPrincipal } from './bridged-principal.js';
import type { BridgeOutcome, BridgeState } from './bridge-state.js';

/** Reconnect delays: full jitter from 0–250 ms up to a 10 s cap. */
const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 10_000;
/** Longest a throttled message waits before its next try (whatever the quota says). */
const MAX_THROTTLE_WAIT_MS = 5_000;

/** Refused messages are logged at most this often (all are counted). */
const DROP_LOG_EVERY_MS = 10_000;

/** The MQTT filters the bridge consumes, under the shared-subscription group. */
export function bridgeFilters(shareGroup: string): string[] {
  return [`$share/${shareGroup}/device/+/+`, `$share/${shareGroup}/price/+`];
}

/**
 * Consumes device and price traffic from an external MQTT broker (protocol §25.7): a shared
 * subscription, so N gateways split the stream, and each message goes through the same publish
 * path as an embedded-broker PUBLISH (`publishRequestOf`, then `Publisher.accept`).
 *
 * mqtt.js hands incoming packets to `handleMessage` one at a time and sends the PUBACK only
 * when it calls back, so the PUBACK leaves after the bus stored the message, in the broker's
 * order. A message the bus did not store stays unacked, and the bridge reconnects: the broker
 * keeps the session (clean start off, a session expiry) and delivers it again.
 */
@Injectable()
export class MqttBridge implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('MqttBridge');
  private client?: MqttClient;
  private current: BridgeState = { state: 'connecting' };
  private attempt = 0;
  private retry?: NodeJS.Timeout;
  private stopping = false;
  private lastDropLogAt = -Infinity;
  private unloggedDrops = 0;
  /** The message being handled (mqtt.js hands over one at a time). */
  private handling: Promise<void> = Promise.resolve();
  /** Wakes a throttled message's wait when the gateway shuts down. */
  private wake?: () => void;
  /** mqtt.js, imported only when a bridge is configured (~1.5 MB of heap otherwise unused). */
  private connect?: typeof import('mqtt').connect;

  constructor(
    @Inject(CONFIG) private readonly config: GatewayConfig,
    @Inject(Publisher) private readonly publisher: Publisher,
    @Inject(Stats) private readonly stats: Stats,
  ) {}

  /** Undefined when no bridge is configured (MQTT_BRIDGE_URL unset). */
  get status(): BridgeState | undefined {
    return this.config.mqttBridge ? this.current : undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    const bridge = this.config.mqttBridge;
    if (!bridge) return;
    this.connect = (await import('mqtt')).connect;
    // Not awaited: a broker that is down must not stop the gateway; readiness says so.
    this.client = this.open(bridge);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.retry);
    this.wake?.();
    this.current = { state: 'closed' };
    // The message being stored finishes and is acked (a rolling restart then stores nothing
    // twice); those behind it stay unacked in the broker session, for the next start or for
    // the other gateways of the group.
    await this.handling;
    const client = this.client;
    if (client) await new Promise<void>((resolve) => client.end(false, {}, () => resolve()));
  }

  private open(bridge: MqttBridgeConfig): MqttClient {
    const client = this.connect!(bridge.url, {
      protocolVersion: 5,
      clientId: bridge.clientId,
      clean: false,
      properties: {
        sessionExpiryInterval: bridge.sessionExpiryS,
        // The same limit as every other way in; MQTT 5 has the broker discard larger messages.
        maximumPacketSize: this.config.maxFrameBytes,
      },
      ...(bridge.username === undefined ? {} : { username: bridge.username }),
      ...(bridge.password === undefined ? {} : { password: bridge.password }),
      // Reconnects are ours (`reconnectLater`): full jitter, not mqtt.js's fixed period.
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      resubscribe: false,
    });
    client.handleMessage = (packet, done) => {
      const handled = this.ingest(client, packet).then(
        (acked) => (acked ? done() : done(new Error('not stored'))),
        (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
      );
      this.handling = handled;
    };
    client.on('connect', () => this.subscribe(client));
    client.on('error', (err) => this.note(err.message));
    client.on('close', () => this.closed());
    client.on('disconnect', (packet) =>
      this.note(`broker disconnected: ${packet.properties?.reasonString ?? packet.reasonCode}`),
    );
    return client;
  }

  private subscribe(client: MqttClient): void {
    const bridge = this.config.mqttBridge!;
    client.subscribe(bridgeFilters(bridge.shareGroup), { qos: 1 }, (err, granted) => {
      const refused = granted?.filter((g) => g.qos > 2) ?? [];
      if (err || refused.length > 0) {
        const why = err?.message ?? `refused ${refused.map((g) => g.topic).join(', ')}`;
        this.logger.error(`subscribing on ${bridge.url}: ${why}`);
        this.current = { state: 'reconnecting', reason: `subscribe failed: ${why}` };
        client.end(true);
        return;
      }
      this.attempt = 0;
      this.current = { state: 'connected', since: Date.now() };
      this.logger.log(`consuming ${bridgeFilters(bridge.shareGroup).join(' ')} from ${bridge.url}`);
    });
  }

  /** Whether the message may be acked: stored, or never storable. */
  private async ingest(client: MqttClient, packet: IPublishPacket): Promise<boolean> {
    const req = publishRequestOf(packet);
    if (req.type === 'error') return this.refused(req);
    const who = bridgedPrincipal(req.topic);
    for (;;) {
      if (this.stopping || this.client !== client) return false;
      const outcome: PublishOutcome = await this.publisher.accept(who, req);
      if (typeof outcome === 'number') {
        this.count('stored');
        return true;
      }
      if (outcome.code === ErrorCode.RATE_LIMITED) {
        // The broker already acknowledged the device: a quota can only slow the stream here.
        this.count('throttled');
        await this.pause(Math.min(outcome.retryAfterMs ?? 100, MAX_THROTTLE_WAIT_MS));
        continue;
      }
      if (outcome.code === ErrorCode.UNAVAILABLE || outcome.code === ErrorCode.OUTCOME_UNKNOWN) {
        this.count('unavailable');
        this.stats.error(outcome.code);
        // Not acked; a new session delivers it again (with a `key`, stored once).
        this.note(`bus: ${outcome.message}`);
        client.end(true);
        return false;
      }
      return this.refused(outcome);
    }
  }

  private refused(frame: ErrorFrame): true {
    this.count('refused');
    this.stats.error(frame.code);
    // One line per 10 s: a device flooding bad messages must not flood the log too.
    const now = Date.now();
    if (now - this.lastDropLogAt >= DROP_LOG_EVERY_MS) {
      const more = this.unloggedDrops ? ` (and ${this.unloggedDrops} more since the last)` : '';
      this.logger.warn(
        `dropped ${frame.topic ?? 'a message'}: ${frame.code} ${frame.message}${more}`,
      );
      this.lastDropLogAt = now;
      this.unloggedDrops = 0;
    } else this.unloggedDrops += 1;
    return true;
  }

  private count(outcome: BridgeOutcome): void {
    this.stats.mqttBridge[outcome] += 1;
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Remembers why the link is down, for readiness and the log. */
  private note(reason: string): void {
    if (this.stopping) return;
    this.logger.warn(`bridge to ${this.config.mqttBridge!.url}: ${reason}`);
    this.current = {
      state: this.current.state === 'connecting' ? 'connecting' : 'reconnecting',
      reason,
    };
  }

  /** The connection closed: try again after a backoff. */
  private closed(): void {
    if (this.stopping || this.retry !== undefined) return;
    if (this.current.state === 'connected') this.current = { state: 'reconnecting' };
    this.reconnectLater();
  }

  private reconnectLater(): void {
    this.attempt += 1;
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** (this.attempt - 1));
    this.retry = setTimeout(
      () => {
        this.retry = undefined;
        if (this.stopping) return;
        // A fresh client: mqtt.js's reconnect keeps no state we need, and the broker keeps the
        // session (and the unacked messages) under our client id.
        this.client?.removeAllListeners();
        this.client?.end(true);
        this.client = this.open(this.config.mqttBridge!);
      },
      Math.floor(Math.random() * ceiling),
    );
  }
}
