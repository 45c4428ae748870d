import type { CodecName } from '@pulse/protocol';
import { fullJitterBackoff, type Backoff } from './backoff.js';
import { systemClock, type Clock } from './clock.js';
import type { SocketConstructor } from './socket.js';
import { SseSocket, type FetchLike } from './sse-socket.js';
import { Transports, type TransportName } from './transport.js';

/** A token, or a function that fetches one; called again before every connection attempt. */
export type TokenSource = string | (() => string | Promise<string>);

/** Options of `new PulseClient(options)`; see the README for each one's meaning. */
export interface PulseClientOptions {
  /** The gateway's `/ws` URL. */
  readonly url: string;
  /** Sent as the `token` query parameter (browsers cannot set headers on a WebSocket). */
  readonly token?: TokenSource;
  /** Wire encoding, offered as subprotocol `pulse.v1.<codec>`. Default 'json'. */
  readonly codec?: CodecName;
  /** Socket constructor; defaults to `globalThis.WebSocket` (pass `ws` in Node < 22). */
  readonly WebSocket?: SocketConstructor;
  /** Delay before reconnect attempt n (1-based). Default `fullJitterBackoff()`. */
  readonly backoff?: Backoff;
  /** Slack over 2× the server's heartbeat before the link counts as dead. Default 2000. */
  readonly heartbeatGraceMs?: number;
  /** No `welcome` within this counts as a failed attempt. Default 10 000. */
  readonly connectTimeoutMs?: number;
  /** An ack or pong not received within this rejects with TIMEOUT. Default 10 000. */
  readonly requestTimeoutMs?: number;
  /** Publishes held while not connected; beyond it they are refused. Default 1000. */
  readonly maxQueuedPublishes?: number;
  /** How long a `retry: true` publish keeps trying (default 60 000; keep it under the server's idempotency window). */
  readonly publishRetryDeadlineMs?: number;
  /** Timers and time; inject in tests. */
  readonly clock?: Clock;
  /**
   * Transports in the order they are tried. Default `['websocket', 'sse']`: after
   * `fallbackAfter` WebSocket attempts in a row that never got a welcome, the client reads over
   * server-sent events (`GET /sse`) and writes over HTTP (`POST /publish`).
   */
  readonly transports?: readonly TransportName[];
  /** Failed attempts on one transport before the next is tried. Default 3. */
  readonly fallbackAfter?: number;
  /** `fetch` for the SSE transport; defaults to `globalThis.fetch`. */
  readonly fetch?: FetchLike;
}

export interface ResolvedOptions {
  readonly url: string;
  readonly token: TokenSource | undefined;
  readonly codec: CodecName;
  readonly WebSocket: SocketConstructor;
  readonly backoff: Backoff;
  readonly heartbeatGraceMs: number;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxQueuedPublishes: number;
  readonly publishRetryDeadlineMs: number;
  readonly clock: Clock;
  readonly transports: Transports;
}

/** Fills defaults and fails fast on what can never work (a bad URL, no WebSocket at all). */
export function resolveOptions(options: PulseClientOptions): ResolvedOptions {
  const url = new URL(options.url);
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new TypeError(`PulseClient url must be ws: or wss:, got ${url.protocol}`);
  }
  const WebSocket =
    options.WebSocket ?? (globalThis as { WebSocket?: SocketConstructor }).WebSocket;
  if (!WebSocket) {
    throw new TypeError(
      'no global WebSocket: pass one, e.g. `new PulseClient({ WebSocket: (await import("ws")).default })`',
    );
  }
  return {
    url: options.url,
    token: options.token,
    codec: options.codec ?? 'json',
    WebSocket,
    backoff: options.backoff ?? fullJitterBackoff(),
    heartbeatGraceMs: options.heartbeatGraceMs ?? 2000,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
    maxQueuedPublishes: options.maxQueuedPublishes ?? 1000,
    publishRetryDeadlineMs: options.publishRetryDeadlineMs ?? 60_000,
    clock: options.clock ?? systemClock,
    transports: transportsFor(options, WebSocket),
  };
}

function transportsFor(options: PulseClientOptions, WebSocket: SocketConstructor): Transports {
  const fetchImpl = options.fetch ?? (globalThis as { fetch?: FetchLike }).fetch?.bind(globalThis);
  // Without fetch (very old runtimes) there is no SSE transport to fall back to.
  const order = (options.transports ?? ['websocket', 'sse']).filter(
    (t) => t !== 'sse' || fetchImpl !== undefined,
  );
  if (order.length === 0) throw new TypeError('PulseClient: no usable transport');
  return new Transports(order, Math.max(1, options.fallbackAfter ?? 3), {
    websocket: WebSocket,
    sse: fetchImpl ? SseSocket.withFetch(fetchImpl) : undefined,
  });
}

/** The URL of one attempt: the token is read now, so a refreshed token is used on reconnect. */
export async function connectUrl(base: string, token: TokenSource | undefined): Promise<string> {
  const value = typeof token === 'function' ? await token() : token;
  if (!value) return base;
  const url = new URL(base);
  url.searchParams.set('token', value);
  return url.toString();
}
