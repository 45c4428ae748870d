import type { ISubscribePacket, ISubscription, IUnsubscribePacket } from 'mqtt-packet';
import { ErrorCode, type ServerMessage } from '@pulse/protocol';
import type { FanoutService } from '../fanout/fanout.service.js';
import type { MqttConnection, MqttSubscriber } from './mqtt-connection.js';
import type { MqttPeer } from './mqtt-peer.js';
import { Reason, SUBACK_FAILURE_V3, subscribeReason } from './reason-codes.js';
import { pulsePatternOf } from './topic-map.js';

/** Request ids stay in the protocol's range (§7); they only pair a reply with its filter. */
const MAX_ID = 2 ** 31 - 1;

/** A subscribe or unsubscribe made for one filter, waiting for the fan-out's reply. */
interface Waiting {
  readonly pattern: string;
  readonly done: (reasonCode: number) => void;
}

/**
 * SUBSCRIBE and UNSUBSCRIBE of one MQTT connection, turned into the fan-out's own `subscribe`
 * and `unsubscribe` requests, so an MQTT filter is held to exactly what a WebSocket `subscribe`
 * is: control-message budget, ACL, subscription budget, topic policies (per-topic throttles),
 * history. Each filter gets a reason code; SUBACK goes out once every filter of the packet has
 * one. MQTT 3.1.1 can only say "granted QoS 0" or 0x80.
 */
export class MqttSubscriptions implements MqttSubscriber {
  private nextId = 0;
  private readonly waiting = new Map<number, Waiting>();

  constructor(
    private readonly conn: MqttConnection,
    private readonly peer: MqttPeer,
    private readonly fanout: FanoutService,
    /** RATE_LIMITED refusals within 10 s that end the connection (RATE_LIMIT_ABUSE). */
    private readonly rateLimitAbuse: number,
    private readonly countRateLimited: () => void,
  ) {
    peer.onReply = (message) => this.reply(message);
  }

  subscribe(packet: ISubscribePacket): void {
    if (packet.subscriptions.length === 0)
      return this.conn.disconnect(Reason.PROTOCOL_ERROR, 'SUBSCRIBE without a topic filter');
    const codes: number[] = [];
    let left = packet.subscriptions.length;
    packet.subscriptions.forEach((s, i) => {
      this.one(s, (code) => {
        codes[i] = this.conn.v5 || code === Reason.GRANTED_QOS_0 ? code : SUBACK_FAILURE_V3;
        if (--left === 0)
          this.conn.write({ cmd: 'suback', messageId: packet.messageId, granted: codes });
      });
    });
  }

  unsubscribe(packet: IUnsubscribePacket): void {
    if (packet.unsubscriptions.length === 0)
      return this.conn.disconnect(Reason.PROTOCOL_ERROR, 'UNSUBSCRIBE without a topic filter');
    const codes = packet.unsubscriptions.map((filter) => this.leave(filter));
    // MQTT 3.1.1's UNSUBACK has no reason codes: mqtt-packet writes `granted` for v5 only.
    this.conn.write({ cmd: 'unsuback', messageId: packet.messageId, granted: codes });
  }

  private one(s: ISubscription, done: (code: number) => void): void {
    const mapped = pulsePatternOf(s.topic);
    if (!mapped.ok) return done(mapped.reason);
    if (!this.withinControlBudget()) return done(Reason.QUOTA_EXCEEDED);
    const { pattern } = mapped;
    // MQTT: a SUBSCRIBE to a filter already held replaces that subscription.
    const existed = this.peer.subscriptions.has(pattern);
    if (existed) this.leave(s.topic);
    // Retain handling (MQTT 5): 0 sends the latest value, 1 only for a new subscription, 2 never.
    const handling = s.rh ?? 0;
    const history = handling === 2 || (handling === 1 && existed) ? 0 : 1;
    const id = this.request(pattern, done);
    this.fanout
      .subscribe(this.peer, { type: 'subscribe', id, topic: pattern, history })
      .catch(() => this.settle(id, Reason.UNSPECIFIED));
  }

  /** Unsubscribes one filter; its UNSUBACK reason code. */
  private leave(filter: string): number {
    const mapped = pulsePatternOf(filter);
    // UNSUBACK has no "shared subscriptions not supported": any unmappable filter is 0x8F.
    if (!mapped.ok) return Reason.TOPIC_FILTER_INVALID;
    const { pattern } = mapped;
    // A subscribe still reading history gets no reply once removed: its SUBACK says granted.
    for (const [id, w] of this.waiting) if (w.pattern === pattern) this.settle(id, 0);
    let code: number = Reason.NO_SUBSCRIPTION_EXISTED;
    const id = this.request(pattern, (c) => (code = c));
    this.fanout.unsubscribe(this.peer, { type: 'unsubscribe', id, topic: pattern });
    this.waiting.delete(id);
    return code;
  }

  private request(pattern: string, done: (code: number) => void): number {
    this.nextId = this.nextId >= MAX_ID ? 1 : this.nextId + 1;
    this.waiting.set(this.nextId, { pattern, done });
    return this.nextId;
  }

  private reply(message: ServerMessage): void {
    if (message.type === 'subscribed' || message.type === 'unsubscribed')
      this.settle(message.id, Reason.SUCCESS);
    else if (message.type === 'error' && message.ref !== undefined)
      this.settle(
        message.ref,
        message.code === ErrorCode.NOT_SUBSCRIBED
          ? Reason.NO_SUBSCRIPTION_EXISTED
          : subscribeReason(message.code),
      );
  }

  private settle(id: number, code: number): void {
    const w = this.waiting.get(id);
    if (!w) return;
    this.waiting.delete(id);
    w.done(code);
  }

  /** The WebSocket path's control budget, per filter: a storm is refused, then disconnected. */
  private withinControlBudget(): boolean {
    if (this.peer.controlBucket.take() === 0) return true;
    this.countRateLimited();
    if (this.peer.rateLimited.hit() >= this.rateLimitAbuse)
      this.conn.disconnect(Reason.QUOTA_EXCEEDED, 'persistently over control-message limit');
    return false;
  }
}
