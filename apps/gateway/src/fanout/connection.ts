import type { Codec, ErrorFrame, ServerMessage } from '@pulse/protocol';
import type { Principal } from '../auth/claims.js';
import type { BusMessage } from '../bus/bus-message.js';
import type { TokenBucket } from '../ingest/token-bucket.js';
import { WindowCounter } from '../ingest/window-counter.js';
import type { Outflow } from './outflow.js';
import { BINARY, SINK_OPEN, TEXT, type Sink } from './sink.js';
import type { Subscription } from './subscription.js';

/** The network socket under a WebSocket: writes between cork and uncork leave in one syscall. */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

/** Told about every error frame a connection sends (metrics, logs), whichever module sent it. */
export type ErrorObserver = (conn: Connection, frame: ErrorFrame) => void;

/**
 * One client (a WebSocket, or an SSE stream) and what the gateway knows about it. Plain class:
 * it is on the hot path.
 */
export class Connection {
  readonly subscriptions = new Map<string, Subscription>();
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
  /** In the outflow's list for the next flush. */
  flushQueued = false;
  /** When the send buffer went over the soft mark (0 = it is not). */
  slowSince = 0;
  /** The session's expiry timer (see `SessionExpiry`), while the token has an `exp`. */
  expiryTimer: unknown;
  private queue: BusMessage[] = [];
  /** While slow: only the latest pending update per topic. */
  private latest: Map<string, BusMessage> | undefined;
  private conflated = 0;
  private corked = false;

  constructor(
    readonly id: string,
    readonly sink: Sink,
    readonly codec: Codec,
    /** Who the token says this is; replaced when the client refreshes its token. */
    public principal: Principal,
    readonly remoteAddress: string,
    private readonly outflow: Outflow,
    /** Control-message budget (subscribe, unsubscribe, ping, auth). */
    readonly controlBucket: TokenBucket,
    private readonly onError?: ErrorObserver,
    /** The WebSocket's TCP socket (SSE has none): replies of one turn are written together. */
    private readonly socket?: Corkable,
  ) {}

  /** For logs and metrics. */
  get transport(): 'ws' | 'sse' {
    return 'ws';
  }

  /**
   * Encodes and sends a control message (welcome, replies, errors) right away, after any
   * updates already queued, so frames leave in the order they were produced.
   */
  send(message: ServerMessage): void {
    if (message.type === 'error') {
      this.errorsSent += 1;
      this.onError?.(this, message);
    }
    if (this.sink.readyState !== SINK_OPEN) return;
    if (this.hasPending()) this.outflow.flushNow(this);
    if (!this.outflow.checkHardLimit(this)) return;
    this.coalesce();
    this.sink.send(this.codec.encode(message), this.codec.binary ? BINARY : TEXT);
  }

  /**
   * Holds this turn's writes back until the turn ends. A publisher with many publishes in flight
   * gets their acks in bursts (a batch of Redis replies resolves at once): one write for the
   * burst instead of a syscall per ack, which was a fifth of the gateway's time at 40k acks/s.
   */
  private coalesce(): void {
    if (this.corked || !this.socket) return;
    this.corked = true;
    this.socket.cork();
    process.nextTick(this.uncork);
  }

  private readonly uncork = (): void => {
    this.corked = false;
    this.socket!.uncork();
  };

  /** Sends a frame of topic updates built by the outflow (`messages` are what it carries). */
  sendUpdates(frame: Buffer, _messages: readonly BusMessage[]): void {
    this.sink.send(frame, this.codec.binary ? BINARY : TEXT);
  }

  hasPending(): boolean {
    return this.queue.length > 0 || (this.latest !== undefined && this.latest.size > 0);
  }

  /** Queues a topic update for the next flush (batched, subject to the send budget). */
  enqueue(message: BusMessage): void {
    if (this.closed) return;
    if (this.latest) {
      if (this.latest.has(message.topic)) this.conflated += 1;
      this.latest.set(message.topic, message);
    } else {
      this.queue.push(message);
    }
    this.outflow.schedule(this);
  }

  takePending(): BusMessage[] {
    if (this.latest) {
      const out = [...this.latest.values()];
      this.latest = undefined;
      return out;
    }
    const out = this.queue;
    this.queue = [];
    return out;
  }

  /** From now until the next flush, keep only the latest update per topic. */
  conflatePending(): void {
    if (this.latest) return;
    this.latest = new Map();
    for (const m of this.queue) {
      if (this.latest.has(m.topic)) this.conflated += 1;
      this.latest.set(m.topic, m);
    }
    this.queue = [];
  }

  takeConflatedCount(): number {
    const n = this.conflated;
    this.conflated = 0;
    return n;
  }

  dropPending(): void {
    this.queue = [];
    this.latest = undefined;
  }

  close(code: number, reason: string): void {
    if (this.sink.readyState === SINK_OPEN) this.sink.close(code, reason);
  }
}
