import {
  CloseCode,
  shouldReconnect,
  type ClientMessage,
  type Codec,
  type ServerMessage,
  type TopicMessage,
  type Welcome,
} from '@pulse/protocol';
import type { Emitter } from './emitter.js';
import { PulseError, errorText } from './errors.js';
import type { PulseClientEvents } from './events.js';
import { readFrame } from './frames.js';
import { Heartbeat, PingTracker } from './heartbeat.js';
import { connectUrl, type ResolvedOptions } from './options.js';
import { ReadyState, closeQuietly, detach, type SocketLike } from './socket.js';
import {
  assertNever,
  initialStatus,
  transition,
  type ConnectionInput,
  type StatusEvent,
} from './status.js';

/** Server frames the connection leaves to the client (it handles welcome, ping, pong itself). */
export type ControlFrame = Exclude<
  ServerMessage,
  { type: 'welcome' | 'ping' | 'pong' | 'message' | 'batch' }
>;

/** What the client does at the connection's turning points. */
export interface ConnectionHooks {
  /** The server's welcome: resubscribe and flush here, before status `connected` goes out. */
  onReady(welcome: Welcome): void;
  onMessage(message: TopicMessage<unknown>): void;
  onControl(frame: ControlFrame): void;
  /** The socket went away or was given up: fail what waited for a reply on it. */
  onDown(): void;
  /** No more attempts (`close()`, or a close code that forbids retrying). */
  onStop(error: PulseError): void;
}

/**
 * One logical connection over successive sockets: attempts with backoff, the welcome
 * handshake, heartbeats and dead-link detection, and the public status. Every socket event is
 * checked against the current socket, so a late event of an abandoned socket changes nothing.
 */
export class Connection {
  readonly stats = { received: 0, sent: 0, reconnects: 0 };
  readonly #pings: PingTracker;
  #status: StatusEvent = initialStatus;
  /** `connect()` was called once; only before that do subscribe/publish connect lazily. */
  #started = false;
  /** We want a connection: false after `close()` or a close code that forbids reconnecting. */
  #active = false;
  /** The socket of the current attempt. */
  #socket: SocketLike | undefined;
  /** The current socket's welcome: set means usable. */
  #welcome: Welcome | undefined;
  #everConnected = false;
  #attempt = 0;
  /** Bumped per attempt and by a stop, so an attempt still awaiting its token gives up. */
  #generation = 0;
  #retryTimer: unknown;
  #connectTimer: unknown;
  #heartbeat: Heartbeat | undefined;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly codec: Codec,
    private readonly events: Emitter<PulseClientEvents>,
    private readonly hooks: ConnectionHooks,
  ) {
    this.#pings = new PingTracker(options.clock, options.requestTimeoutMs);
  }

  get status(): StatusEvent {
    return this.#status;
  }

  get welcome(): Welcome | undefined {
    return this.#welcome;
  }

  get started(): boolean {
    return this.#started;
  }

  /** Whether a connection is wanted (so offline work should wait for it). */
  get active(): boolean {
    return this.#active;
  }

  /** Welcomed and open: frames sent now reach this server. */
  get canSend(): boolean {
    return this.#welcome !== undefined && this.#socket?.readyState === ReadyState.OPEN;
  }

  connect(): void {
    this.#started = true;
    if (this.#active) return;
    this.#active = true;
    this.#attempt = 0;
    this.#setStatus({ type: 'connect' });
    void this.#open();
  }

  close(): void {
    this.#started = true;
    const socket = this.#socket;
    this.#teardown();
    if (socket) closeQuietly(socket, CloseCode.NORMAL, 'client closed');
    if (this.#active) {
      this.#stop(socket ? CloseCode.NORMAL : undefined, socket ? 'client closed' : undefined);
    }
  }

  /** Sends when usable; returns false (and sends nothing) otherwise. */
  send(message: ClientMessage): boolean {
    const socket = this.#socket;
    if (!socket || !this.canSend) return false;
    socket.send(this.codec.encode(message));
    this.stats.sent++;
    return true;
  }

  ping(): Promise<number> {
    return new Promise((resolve, reject) => {
      if (!this.canSend) {
        reject(new PulseError('DISCONNECTED', 'not connected'));
        return;
      }
      this.send({ type: 'ping', ts: this.#pings.start({ resolve, reject }) });
    });
  }

  async #open(): Promise<void> {
    const generation = ++this.#generation;
    let url: string;
    try {
      url = await connectUrl(this.options.url, this.options.token);
    } catch (error) {
      if (generation === this.#generation) this.#lost(undefined, `token: ${errorText(error)}`);
      return;
    }
    if (generation !== this.#generation) return; // close() or a newer attempt won the race
    let socket: SocketLike;
    try {
      socket = this.options.transports.open(url, this.codec.subprotocol);
    } catch (error) {
      this.options.transports.failed();
      this.#lost(undefined, errorText(error));
      return;
    }
    socket.binaryType = 'arraybuffer';
    this.#socket = socket;
    // Node's `ws` says why an upgrade failed ("Unexpected server response: 401") only in the
    // error event; keep it as the close reason. Browsers give nothing either way.
    let errorReason: string | undefined;
    socket.onopen = () => {};
    socket.onerror = (event) => {
      errorReason = errorText(event);
    };
    socket.onmessage = (event) => {
      if (socket === this.#socket) this.#onFrame(socket, event.data);
    };
    socket.onclose = (event) => {
      if (socket === this.#socket) this.#onClosed(event.code, event.reason || errorReason);
    };
    const { clock, connectTimeoutMs } = this.options;
    this.#connectTimer = clock.setTimeout(() => {
      if (socket !== this.#socket) return;
      this.#abandon(CloseCode.NORMAL, undefined, `no welcome within ${connectTimeoutMs} ms`);
    }, connectTimeoutMs);
  }

  #onWelcome(welcome: Welcome): void {
    if (this.#welcome) return; // a repeated welcome changes nothing
    const { clock, heartbeatGraceMs } = this.options;
    clock.clearTimeout(this.#connectTimer);
    this.options.transports.succeeded();
    this.#welcome = welcome;
    if (this.#everConnected) this.stats.reconnects++;
    this.#everConnected = true;
    this.#attempt = 0;
    // A server without heartbeats (heartbeatMs 0) gets no dead-link detection, not a busy loop.
    if (welcome.heartbeatMs > 0) {
      this.#heartbeat = new Heartbeat(clock, {
        intervalMs: welcome.heartbeatMs,
        deadAfterMs: welcome.heartbeatMs * 2 + heartbeatGraceMs,
        onInterval: () => {
          if (this.canSend) this.send({ type: 'ping', ts: this.#pings.start() });
        },
        onDead: (silentMs) => {
          const reason = `no frame for ${silentMs} ms`;
          this.#abandon(CloseCode.HEARTBEAT_TIMEOUT, CloseCode.HEARTBEAT_TIMEOUT, reason);
        },
      });
    }
    this.hooks.onReady(welcome);
    this.events.emit('welcome', welcome);
    if (this.#welcome === welcome) this.#setStatus({ type: 'welcome' }); // unless a listener closed
  }

  #onClosed(code: number, reason: string | undefined): void {
    if (!this.#welcome) this.options.transports.failed();
    else this.options.transports.ended();
    this.#teardown();
    // 4002 means "not with this token": a token function hands us a new one for the next try.
    const freshToken = code === CloseCode.TOKEN_EXPIRED && typeof this.options.token === 'function';
    if (shouldReconnect(code) || freshToken) this.#lost(code, reason);
    else this.#stop(code, reason);
  }

  /** We decided the socket is dead (no welcome, no heartbeat): drop it without waiting for its close. */
  #abandon(socketCode: number, statusCode: number | undefined, reason: string): void {
    const socket = this.#socket;
    if (!this.#welcome) this.options.transports.failed();
    else this.options.transports.ended();
    this.#teardown();
    if (socket) closeQuietly(socket, socketCode, reason);
    this.#lost(statusCode, reason);
  }

  /**
   * Schedules the next attempt. The timer is set before the status goes out, so a listener
   * that calls `close()` cancels it.
   */
  #lost(closeCode: number | undefined, closeReason: string | undefined): void {
    const attempt = ++this.#attempt;
    // 1012: this server is restarting or draining and others are up; the first retry goes now.
    const delay =
      closeCode === CloseCode.SERVICE_RESTART && attempt === 1
        ? 0
        : Math.max(0, this.options.backoff(attempt));
    this.#retryTimer = this.options.clock.setTimeout(() => {
      this.#retryTimer = undefined;
      void this.#open();
    }, delay);
    this.#setStatus({ type: 'lost', attempt, nextRetryInMs: delay, closeCode, closeReason });
  }

  #stop(closeCode: number | undefined, closeReason: string | undefined): void {
    this.#active = false;
    this.#generation++;
    this.options.clock.clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    const message = closeReason ? `connection closed: ${closeReason}` : 'connection closed';
    this.hooks.onStop(new PulseError('DISCONNECTED', message));
    this.#setStatus({ type: 'stop', closeCode, closeReason });
  }

  /** Forgets the current socket and everything tied to it. */
  #teardown(): void {
    const socket = this.#socket;
    if (!socket) return;
    this.#socket = undefined;
    this.#welcome = undefined;
    detach(socket);
    this.#heartbeat?.stop();
    this.#heartbeat = undefined;
    this.options.clock.clearTimeout(this.#connectTimer);
    this.#pings.rejectAll(new PulseError('DISCONNECTED', 'connection lost before the pong'));
    this.hooks.onDown();
  }

  #setStatus(input: ConnectionInput): void {
    const next = transition(this.#status, input);
    if (!next) return;
    this.#status = next;
    this.events.emit('status', next);
  }

  #onFrame(socket: SocketLike, data: unknown): void {
    this.#heartbeat?.touch();
    this.stats.received++;
    const frame = readFrame(this.codec, data);
    switch (frame.kind) {
      case 'messages':
        for (const message of frame.messages) {
          if (socket !== this.#socket) return; // a handler closed the client mid-batch
          this.hooks.onMessage(message);
        }
        return;
      case 'control':
        return this.#onControl(frame.message);
      case 'invalid':
        // Not fatal: tell listeners, as an `error` frame of our own, and read on.
        this.events.emit('error', { type: 'error', code: frame.code, message: frame.reason });
        return;
      default:
        return assertNever(frame);
    }
  }

  #onControl(message: ServerMessage): void {
    switch (message.type) {
      case 'welcome':
        return this.#onWelcome(message);
      case 'ping':
        this.send(message.ts === undefined ? { type: 'pong' } : { type: 'pong', ts: message.ts });
        return;
      case 'pong': {
        const rttMs = this.#pings.pong(message.ts);
        if (rttMs !== undefined) this.events.emit('latency', { rttMs });
        return;
      }
      case 'message':
      case 'batch':
        return; // readFrame hands these over as `messages`
      case 'subscribed':
      case 'unsubscribed':
      case 'ack':
      case 'error':
      case 'notice':
      case 'authenticated':
        return this.hooks.onControl(message);
      default:
        return assertNever(message);
    }
  }
}
