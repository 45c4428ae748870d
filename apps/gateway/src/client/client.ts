import type { Codec, ErrorFrame, ServerMessage, Transport } from '@pulse/protocol';
import type { Principal } from '../auth/claims.js';
import type { BusMessage } from '../bus/bus-message.js';
import { BINARY, SINK_OPEN, TEXT, type Sink } from './sink.js';
import type { TokenBucket } from './token-bucket.js';
import { WindowCounter } from './window-counter.js';

/** Told about every error frame a client is sent (metrics, logs), whichever module sent it. */
export type ErrorObserver = (client: Client, frame: ErrorFrame) => void;

/**
 * A client's outbound queue, as the layers above the outflow see it. The outflow implements it
 * (`outflow/outbox.ts`) and owns the delivery rules; the record only holds it.
 */
export interface Outbox {
  /** A control frame (reply, error, notice): sent after every update queued before it. */
  reply(message: ServerMessage): void;
  /** A live update: batched, and conflated per topic while the client is over its budget. */
  live(message: BusMessage): void;
  /** Messages the client asked for (history, resume): never conflated, paced to the reader. */
  replay(messages: readonly BusMessage[]): void;
  /** Forgets everything queued (the client closed). */
  clear(): void;
}

/** A subscription as the record holds it; the fan-out's `Subscription` is the real one. */
export interface ClientSubscription {
  readonly pattern: string;
}

/**
 * The server's record of one client (a WebSocket, an SSE stream or an MQTT connection): who it is, its limits and
 * subscriptions. The socket under it keeps only bytes (`Sink`); the outbound queue belongs to
 * the outflow. Plain class: it is on the hot path.
 */
export class Client {
  readonly subscriptions = new Map<string, ClientSubscription>();
  readonly openedAt = Date.now();
  /** Last time any frame arrived (heartbeat liveness). */
  lastSeenAt = this.openedAt;
  /** Invalid frames per 10 s: a stream of them closes the connection (4003). */
  readonly invalidFrames = new WindowCounter(10_000);
  /** Rate-limit refusals per 10 s: persistent abuse closes the connection (4102). */
  readonly rateLimited = new WindowCounter(10_000);
  /** Error frames sent so far (the close log line reports it). */
  errorsSent = 0;
  closed = false;
  /** The session's expiry timer (see `SessionExpiry`), while the token has an `exp`. */
  expiryTimer: unknown;
  /** Set by `Outflow.attach` before the client is used. */
  outbox!: Outbox;

  constructor(
    readonly id: string,
    readonly sink: Sink,
    readonly codec: Codec,
    /** Who the token says this is; replaced when the client refreshes its token. */
    public principal: Principal,
    readonly remoteAddress: string,
    /** Control-message budget (subscribe, unsubscribe, ping, auth). */
    readonly controlBucket: TokenBucket,
    private readonly onError?: ErrorObserver,
  ) {}

  /** For logs and metrics. */
  get transport(): Transport {
    return 'ws';
  }

  /** Sends a control message (welcome, replies, errors, notices) in order with queued updates. */
  send(message: ServerMessage): void {
    if (message.type === 'error') {
      this.errorsSent += 1;
      this.onError?.(this, message);
    }
    this.outbox.reply(message);
  }

  /** Writes one frame of topic updates (`messages` are what it carries; SSE derives its id). */
  sendUpdates(frame: Buffer, _messages: readonly BusMessage[]): void {
    this.sink.send(frame, this.codec.binary ? BINARY : TEXT);
  }

  close(code: number, reason: string): void {
    if (this.sink.readyState === SINK_OPEN) this.sink.close(code, reason);
  }
}
