import {
  generate,
  parser as mqttParser,
  type IConnectPacket,
  type IPublishPacket,
  type ISubscribePacket,
  type IUnsubscribePacket,
  type Packet,
  type Parser,
} from 'mqtt-packet';
import { ErrorCode, type Publish } from '@pulse/protocol';
import type { Principal } from '../auth/claims.js';
import { SINK_OPEN } from '../client/sink.js';
import { WindowCounter } from '../client/window-counter.js';
import type { PublishOutcome } from '../ingest/publisher.js';
import { acceptingConnack, refusingConnack } from './connack.js';
import { publishRequestOf } from './publish-request.js';
import { publishReason, Reason } from './reason-codes.js';

/** The bytes under one MQTT connection: a TCP socket, or a WebSocket at `/mqtt`. */
export interface MqttTransport {
  readonly remoteAddress: string;
  readonly open: boolean;
  /** Bytes written but not yet handed to the network: a subscriber's send budget. */
  readonly bufferedAmount: number;
  write(bytes: Buffer): void;
  /** Closes once what was written has gone out. */
  end(): void;
  pause(): void;
  resume(): void;
}

/** A connect either gets a principal, or is refused with the Pulse code that says why. */
export type ConnectDecision =
  | { ok: true; principal: Principal; release: () => void }
  | { ok: false; code: ErrorCode; reason: string };

/** Where an open connection's SUBSCRIBE and UNSUBSCRIBE go (`mqtt-subscriptions.ts`). */
export interface MqttSubscriber {
  subscribe(packet: ISubscribePacket): void;
  unsubscribe(packet: IUnsubscribePacket): void;
}

/** What a connection needs from the gateway: the same auth and publish path as a WebSocket. */
export interface MqttServices {
  readonly maxPacketBytes: number;
  readonly connectTimeoutMs: number;
  readonly rateLimitAbuse: number;
  authenticate(address: string, token: string | undefined): Promise<ConnectDecision>;
  publish(who: Principal, req: Publish): PublishOutcome | Promise<PublishOutcome>;
  /**
   * The connection is open: it is paused and resumed with the WebSocket publishers (inbound
   * backpressure), and becomes a subscriber and a presence like any other client.
   */
  opened(conn: MqttConnection): MqttSubscriber;
  closed(conn: MqttConnection): void;
  /** Counts a refusal (metrics), as an error frame on a socket is counted. */
  refused(code: ErrorCode): void;
}

type State = 'connecting' | 'authenticating' | 'open' | 'closed';

/** Longest reason string sent back: enough for the Pulse message, never an echo of input. */
const MAX_REASON = 200;
/** setTimeout's longest delay. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * One MQTT 3.1.1 or 5 client. Packets are parsed by `mqtt-packet` (the mqtt.js project's
 * parser); this class only decides. CONNECT is authenticated before any other packet is read;
 * each PUBLISH goes through the gateway's `Publisher` exactly as a WebSocket `publish` does,
 * and its answer (PUBACK, PUBREC, or for a refusal that cannot be answered in-band, a
 * DISCONNECT) is sent in the order the publishes arrived. SUBSCRIBE and UNSUBSCRIBE are the
 * subscriber's (`mqtt-subscriptions.ts`), deliveries the peer's (`mqtt-peer.ts`).
 */
export class MqttConnection {
  principal!: Principal;
  private state: State = 'connecting';
  private readonly parser: Parser = mqttParser();
  v5 = false;
  private clientId = '';
  private subscriber?: MqttSubscriber;
  /** The will, published if the connection ends without a DISCONNECT (protocol §25.7). */
  private will?: IConnectPacket['will'];
  private graceful = false;
  private release?: () => void;
  /** Packets that arrived behind CONNECT while its token was being checked. */
  private early: Packet[] = [];
  /**
   * Publishes awaiting their answer, in arrival order: answers go out in that order, whatever
   * order the bus stores in. A queue rather than a promise chain: under QoS 1 load the chain
   * cost three promises and three microtask hops per publish.
   */
  private readonly unanswered = new AnswerQueue();
  /** QoS 2 publishes stored and answered PUBREC, until their PUBREL. */
  private readonly awaitingRelease = new Set<number>();
  private readonly rateLimited = new WindowCounter(10_000);
  private timer: NodeJS.Timeout;
  private expiry?: NodeJS.Timeout;
  private keepAliveMs = 0;
  private lastSeenAt = Date.now();

  /** Set while the ingest gate holds this publisher paused. */
  private gatePaused = false;

  /** Pause and resume for the ingest gate (`GatedPublisher`). */
  readonly sink = {
    readyState: SINK_OPEN,
    pause: () => {
      this.gatePaused = true;
      this.transport.pause();
    },
    resume: () => {
      this.gatePaused = false;
      if (this.state === 'open') this.transport.resume();
    },
  };

  constructor(
    private readonly transport: MqttTransport,
    private readonly services: MqttServices,
  ) {
    this.parser.on('packet', (packet: Packet) => this.onPacket(packet));
    this.parser.on('error', (err: Error) => this.disconnect(Reason.MALFORMED_PACKET, err.message));
    // The first packet must be CONNECT, within the same time an HTTP client has for its request.
    this.timer = setTimeout(() => this.end(), services.connectTimeoutMs);
  }

  /** The ingest gate's notices have no MQTT form: a paused socket is the signal. */
  send(): void {}

  /** Bytes from the transport. */
  feed(bytes: Buffer): void {
    if (this.state === 'closed') return;
    this.lastSeenAt = Date.now();
    try {
      this.parser.parse(bytes);
    } catch {
      // A bug of ours must cost this connection, never the process.
      return this.disconnect(Reason.UNSPECIFIED, 'internal error');
    }
    // A packet still arriving: its fixed header already says how long it will be.
    const pending = (this.parser as unknown as { packet: { length: number } }).packet.length;
    if ((this.state as State) !== 'closed' && pending > this.services.maxPacketBytes)
      this.tooLarge();
  }

  get isOpen(): boolean {
    return this.state === 'open' && this.transport.open;
  }

  get bufferedAmount(): number {
    return this.transport.bufferedAmount;
  }

  get remoteAddress(): string {
    return this.transport.remoteAddress;
  }

  /** The transport closed (either side). */
  gone(): void {
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    // MQTT: a connection that ends without DISCONNECT (or with 0x04) publishes its will.
    if (wasOpen && !this.graceful && this.will) this.publishWill(this.will);
    this.state = 'closed';
    this.sink.readyState = 3;
    clearTimeout(this.timer);
    clearTimeout(this.expiry);
    this.early = [];
    this.release?.();
    if (wasOpen) this.services.closed(this);
  }

  /** Ends the connection politely (server shutdown): MQTT 5 hears why. */
  shutdown(): void {
    this.disconnect(Reason.SERVER_SHUTTING_DOWN, 'server shutting down');
  }

  private onPacket(packet: Packet): void {
    if (this.state === 'closed') return;
    if ((packet.length ?? 0) > this.services.maxPacketBytes) return this.tooLarge();
    switch (this.state) {
      case 'connecting':
        if (packet.cmd !== 'connect') return this.end();
        return this.connect(packet);
      case 'authenticating':
        if (this.early.length >= 100) return this.disconnect(Reason.SERVER_BUSY, 'too early');
        this.early.push(packet);
        return;
      case 'open':
        return this.handle(packet);
    }
  }

  private connect(packet: IConnectPacket): void {
    this.state = 'authenticating';
    this.v5 = packet.protocolVersion === 5;
    this.clientId = packet.clientId;
    this.will = packet.will;
    // Username is ignored: the token (the password) says who this is.
    const token = packet.password?.toString('utf8') || undefined;
    this.transport.pause();
    this.services.authenticate(this.transport.remoteAddress, token).then(
      (decision) => this.connected(packet, decision),
      () => this.connected(packet, { ok: false, code: ErrorCode.INTERNAL, reason: 'auth failed' }),
    );
  }

  private connected(packet: IConnectPacket, decision: ConnectDecision): void {
    if (this.state === 'closed') {
      if (decision.ok) decision.release();
      return;
    }
    if (!decision.ok) {
      this.services.refused(decision.code);
      this.write(refusingConnack(this.v5, decision.code, decision.reason));
      return this.end();
    }
    this.principal = decision.principal;
    this.release = decision.release;
    this.state = 'open';
    clearTimeout(this.timer);
    const expiresAt = decision.principal.expiresAt;
    if (expiresAt !== undefined) {
      // As on a WebSocket, the session lasts as long as its token; MQTT 5 is told why.
      this.expiry = setTimeout(
        () => this.disconnect(Reason.NOT_AUTHORIZED, 'token expired'),
        Math.min(Math.max(0, expiresAt - Date.now()), MAX_TIMER_MS),
      );
    }
    this.keepAliveMs = (packet.keepalive ?? 0) * 1000;
    if (this.keepAliveMs > 0) this.watchKeepAlive();
    this.write(acceptingConnack(this.v5, this.services.maxPacketBytes, packet.clientId));
    this.subscriber = this.services.opened(this);
    const early = this.early;
    this.early = [];
    for (const p of early) this.onPacket(p);
    // Reading starts again, unless the ingest gate paused this publisher as it registered.
    if (this.state === 'open' && !this.gatePaused) this.transport.resume();
  }

  private handle(packet: Packet): void {
    switch (packet.cmd) {
      case 'publish':
        return this.publish(packet);
      case 'pubrel':
        this.awaitingRelease.delete(packet.messageId!);
        this.write({ cmd: 'pubcomp', messageId: packet.messageId! });
        return;
      case 'pingreq':
        this.write({ cmd: 'pingresp' });
        return;
      case 'disconnect':
        // MQTT 5 reason 0x04 asks for the will to be published all the same.
        this.graceful = packet.reasonCode !== WITH_WILL;
        return this.end();
      case 'subscribe':
        return this.subscriber!.subscribe(packet);
      case 'unsubscribe':
        return this.subscriber!.unsubscribe(packet);
      case 'connect':
        return this.disconnect(Reason.PROTOCOL_ERROR, 'second CONNECT');
      case 'puback':
      case 'pubrec':
      case 'pubcomp':
      case 'auth':
        return; // nothing was sent that they could answer (no extended auth either)
      case 'connack':
      case 'suback':
      case 'unsuback':
      case 'pingresp':
        return this.disconnect(Reason.PROTOCOL_ERROR, `a client does not send ${packet.cmd}`);
    }
  }

  private publish(packet: IPublishPacket): void {
    const { qos, messageId } = packet;
    if (qos === 2 && this.awaitingRelease.has(messageId!)) {
      // A retransmission of a QoS 2 publish already stored: answered again, stored once.
      this.write({ cmd: 'pubrec', messageId: messageId! });
      return;
    }
    const outcome = this.decide(packet);
    if (!(outcome instanceof Promise)) {
      // Decided at once (a refusal): answered now unless earlier publishes still wait.
      if (this.unanswered.empty) this.answerSafely(packet, outcome);
      else this.unanswered.push(packet).outcome = outcome;
      return;
    }
    const entry = this.unanswered.push(packet);
    outcome.then(
      (o) => {
        entry.outcome = o;
        this.answerReady();
      },
      () => this.disconnect(Reason.UNSPECIFIED, 'internal error'),
    );
  }

  /** Answers every publish at the head of the queue whose outcome is known. */
  private answerReady(): void {
    for (let e = this.unanswered.head(); e?.outcome !== undefined; e = this.unanswered.head()) {
      this.unanswered.shift();
      this.answerSafely(e.packet, e.outcome);
    }
  }

  private answerSafely(packet: IPublishPacket, outcome: PublishOutcome): void {
    try {
      this.answer(packet, outcome);
    } catch {
      // A bug of ours must cost this connection, never the process.
      this.disconnect(Reason.UNSPECIFIED, 'internal error');
    }
  }

  private decide(packet: IPublishPacket): PublishOutcome | Promise<PublishOutcome> {
    const req = publishRequestOf(packet);
    if (req.type === 'error') return req;
    // Same ACL, quota, schema, ingest gate and bus as a WebSocket publish.
    return this.services.publish(this.principal, req);
  }

  private answer(packet: IPublishPacket, outcome: PublishOutcome): void {
    if (this.state !== 'open') return;
    const { qos, messageId } = packet;
    if (typeof outcome === 'number') {
      if (qos === 1) this.writeBytes(pubackOf(messageId!));
      else if (qos === 2) {
        this.awaitingRelease.add(messageId!);
        this.write({ cmd: 'pubrec', messageId: messageId! });
      }
      return;
    }
    this.services.refused(outcome.code);
    const reasonCode = publishReason(outcome.code);
    const reasonString = `${outcome.code}: ${outcome.message}`.slice(0, MAX_REASON);
    if (
      outcome.code === ErrorCode.RATE_LIMITED &&
      this.rateLimited.hit() >= this.services.rateLimitAbuse
    )
      return this.disconnect(Reason.QUOTA_EXCEEDED, 'persistently over publish quota');
    if (this.v5 && qos > 0) {
      const properties = {
        reasonString,
        ...(outcome.retryAfterMs === undefined
          ? {}
          : { userProperties: { retryAfterMs: String(outcome.retryAfterMs) } }),
      };
      this.write({ cmd: qos === 1 ? 'puback' : 'pubrec', messageId, reasonCode, properties });
      return;
    }
    // No acknowledgement can carry the refusal (MQTT 3.1.1, or QoS 0): the connection ends,
    // so a refused publish is never mistaken for a stored one.
    this.disconnect(reasonCode, reasonString);
  }

  /** Through the same checks as any publish; a refused will is counted, like a refusal. */
  private publishWill(will: NonNullable<IConnectPacket['will']>): void {
    const outcome = this.decide({ cmd: 'publish', dup: false, ...will } as IPublishPacket);
    const counted = (o: PublishOutcome) => {
      if (typeof o !== 'number') this.services.refused(o.code);
    };
    if (outcome instanceof Promise) outcome.then(counted, () => {});
    else counted(outcome);
  }

  private watchKeepAlive(): void {
    // MQTT: one and a half keep-alive periods without a packet and the client is gone.
    const limit = this.keepAliveMs * 1.5;
    this.timer = setTimeout(
      () => {
        if (Date.now() - this.lastSeenAt >= limit)
          return this.disconnect(Reason.KEEP_ALIVE_TIMEOUT, 'keep alive timeout');
        this.watchKeepAlive();
      },
      limit - (Date.now() - this.lastSeenAt),
    );
  }

  private tooLarge(): void {
    this.disconnect(
      Reason.PACKET_TOO_LARGE,
      `packet over ${this.services.maxPacketBytes} bytes (MAX_FRAME_BYTES)`,
    );
  }

  /** MQTT 5 is told why with a DISCONNECT; MQTT 3.1.1 has no such packet. */
  disconnect(reasonCode: number, reason: string): void {
    if (this.state === 'closed') return;
    if (this.v5 && this.state === 'open')
      this.write({
        cmd: 'disconnect',
        reasonCode,
        properties: { reasonString: reason.slice(0, MAX_REASON) },
      });
    this.end();
  }

  private end(): void {
    if (this.state === 'closed') return;
    this.transport.end();
    this.gone();
  }

  /** Sends a packet (SUBACK, a delivery …) while the connection is open. */
  write(packet: Packet): void {
    if (!this.transport.open) return;
    this.transport.write(generate(packet, { protocolVersion: this.v5 ? 5 : 4 }));
  }

  private writeBytes(bytes: Buffer): void {
    if (this.transport.open) this.transport.write(bytes);
  }

  /** For logs. */
  toString(): string {
    return `mqtt ${this.clientId || '-'} ${this.transport.remoteAddress}`;
  }
}

/** DISCONNECT reason 0x04: "disconnect with will message". */
const WITH_WILL = 0x04;

/**
 * A successful PUBACK, encoded here rather than by `generate` (one per QoS 1 publish): fixed
 * header 0x40, remaining length 2, the packet identifier. The same 4 bytes in MQTT 3.1.1 and 5
 * (MQTT 5 §3.4.2.1: reason code 0x00 without properties may be omitted).
 */
export function pubackOf(messageId: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b[0] = 0x40;
  b[1] = 2;
  b.writeUInt16BE(messageId, 2);
  return b;
}

interface Unanswered {
  readonly packet: IPublishPacket;
  outcome?: PublishOutcome;
}

/** A FIFO of publishes awaiting their answer (an array with a moving head: no shift per entry). */
class AnswerQueue {
  private items: Unanswered[] = [];
  private start = 0;

  get empty(): boolean {
    return this.start === this.items.length;
  }

  push(packet: IPublishPacket): Unanswered {
    const entry: Unanswered = { packet };
    this.items.push(entry);
    return entry;
  }

  head(): Unanswered | undefined {
    return this.items[this.start];
  }

  shift(): void {
    this.start++;
    if (this.start === this.items.length) {
      this.items = [];
      this.start = 0;
    } else if (this.start >= 1024 && this.start * 2 >= this.items.length) {
      this.items = this.items.slice(this.start);
      this.start = 0;
    }
  }
}
