import {
  CloseCode,
  codecForSubprotocols,
  formatEventId,
  jsonCodec,
  parseEventId,
  topicMatches,
  type ClientMessage,
  type Codec,
  type ErrorFrame,
  type Publish,
  type ResumePosition,
  type ServerMessage,
  type Subscribe,
} from '@pulse/protocol';
import { errorText } from './errors.js';
import { SseParser } from './sse-parser.js';
import { ReadyState, type SocketConstructor, type SocketLike } from './socket.js';
import { assertNever } from './status.js';

/** `fetch` as far as the SSE transport uses it. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** What one subscribe asked for, kept to reopen the stream with it. */
interface Wanted {
  readonly maxRate: number | undefined;
  readonly history: number | undefined;
  /** The request id of a `subscribe` not answered yet. */
  pendingId: number | undefined;
}

/** "Try again later": reconnect with backoff (not in CLOSE_CODES, so `shouldReconnect` says yes). */
const TRY_AGAIN_LATER = 1013;
/** No close frame: the stream or the network failed. */
const ABNORMAL = 1006;

/**
 * A `SocketLike` over server-sent events and HTTP, for networks where WebSocket cannot
 * connect. Reads are one `GET /sse` stream carrying the very frames a socket would; when the
 * set of subscriptions changes the stream is reopened with `Last-Event-ID`, so nothing is lost
 * or repeated. Writes become requests: `publish` is `POST /publish` (one at a time, in order),
 * `ping` an HTTP round trip, `auth` a reopen with the new token. The connection above cannot
 * tell the difference: it sees `welcome`, `subscribed`, messages and acks as usual.
 */
export class SseSocket implements SocketLike {
  readyState: number = ReadyState.CONNECTING;
  readonly protocol: string;
  binaryType = 'arraybuffer';
  onopen: SocketLike['onopen'] = null;
  onclose: SocketLike['onclose'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onerror: SocketLike['onerror'] = null;

  readonly #base: string;
  readonly #codec: Codec;
  readonly #fetch: FetchLike;
  #token: string | null;
  #stream: AbortController | undefined;
  #lastEventId = '';
  /**
   * Where each topic resumes when the stream is reopened, for topics the event id may not name:
   * positions asked for by resubscribes, the `subscribed` position of an exact topic before its
   * first message, and what the last reopen resumed from. The event id wins where it names a
   * topic (it is later). Without these, a topic with no message yet on this stream reopened with
   * `history=0` and lost what was published between the two streams.
   */
  readonly #resume = new Map<string, ResumePosition>();
  readonly #wanted = new Map<string, Wanted>();
  #reopenQueued = false;
  #pendingAuth: number | undefined;
  #publishing: Promise<void> = Promise.resolve();

  constructor(url: string, protocols: string | string[] | undefined, fetchImpl: FetchLike) {
    const u = new URL(url);
    this.#token = u.searchParams.get('token');
    u.searchParams.delete('token');
    u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
    // `…/ws` → `…`: /sse and /publish live beside the WebSocket endpoint.
    this.#base = `${u.origin}${u.pathname.replace(/\/ws\/?$/, '').replace(/\/$/, '')}`;
    this.#codec =
      codecForSubprotocols(typeof protocols === 'string' ? [protocols] : (protocols ?? [])) ??
      jsonCodec;
    this.protocol = this.#codec.subprotocol;
    this.#fetch = fetchImpl;
    queueMicrotask(() => void this.#open());
  }

  /** A constructor for `Transports`, bound to a `fetch`. */
  static withFetch(fetchImpl: FetchLike): SocketConstructor {
    return class extends SseSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, fetchImpl);
      }
    };
  }

  send(data: string | Uint8Array): void {
    if (this.readyState !== ReadyState.OPEN) return;
    const message = this.#codec.decode(data) as ClientMessage; // our own client encoded it
    switch (message.type) {
      case 'subscribe':
        return this.#subscribe(message);
      case 'unsubscribe':
        this.#wanted.delete(message.topic);
        this.#deliver({ type: 'unsubscribed', id: message.id, topic: message.topic });
        return this.#reopen();
      case 'publish': {
        const done = this.#publishing.then(() => this.#publish(message));
        this.#publishing = done.catch(() => {});
        return;
      }
      case 'ping':
        return void this.#ping(message.ts);
      case 'pong':
        return; // the server's keepalive comments need no answer
      case 'auth':
        this.#token = message.token;
        this.#pendingAuth = message.id;
        return this.#reopen();
      default:
        return assertNever(message);
    }
  }

  close(code: number = CloseCode.NORMAL, reason = ''): void {
    if (this.readyState === ReadyState.CLOSED) return;
    this.readyState = ReadyState.CLOSED;
    this.#stream?.abort();
    this.#stream = undefined;
    queueMicrotask(() => this.onclose?.({ code, reason }));
  }

  #subscribe(message: Subscribe): void {
    this.#wanted.set(message.topic, {
      maxRate: message.maxRate,
      history: message.history,
      pendingId: message.id,
    });
    if (message.since !== undefined && message.epoch !== undefined)
      this.#resume.set(message.topic, { seq: message.since, epoch: message.epoch });
    for (const [topic, p] of Object.entries(message.positions ?? {})) this.#resume.set(topic, p);
    this.#reopen();
  }

  /** Reopens the stream once for a burst of changes (the resubscribes after a welcome). */
  #reopen(): void {
    if (this.#reopenQueued) return;
    this.#reopenQueued = true;
    queueMicrotask(() => {
      this.#reopenQueued = false;
      if (this.readyState !== ReadyState.CLOSED) void this.#open();
    });
  }

  async #open(): Promise<void> {
    this.#stream?.abort();
    const stream = new AbortController();
    this.#stream = stream;
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    const lastEventId = this.#resumeId();
    if (lastEventId) headers['last-event-id'] = lastEventId;
    let res: Response;
    try {
      res = await this.#fetch(`${this.#base}/sse${this.#query()}`, {
        headers,
        signal: stream.signal,
      });
    } catch (error) {
      if (stream === this.#stream) this.#fail(ABNORMAL, `sse: ${errorText(error)}`);
      return;
    }
    if (stream !== this.#stream) return void res.body?.cancel().catch(() => {});
    if (!res.ok || !res.body) return this.#refused(res);
    // A dev server's SPA fallback or a captive portal answers 200 with HTML: not our stream.
    if (!res.headers.get('content-type')?.startsWith('text/event-stream')) {
      void res.body.cancel().catch(() => {});
      return this.#fail(ABNORMAL, 'sse: the response is not an event stream');
    }
    try {
      await this.#read(res.body, stream);
    } catch (error) {
      if (stream === this.#stream) this.#fail(ABNORMAL, `sse: ${errorText(error)}`);
      return;
    }
    if (stream === this.#stream) this.#fail(ABNORMAL, 'sse: the stream ended');
  }

  async #read(body: ReadableStream<Uint8Array>, stream: AbortController): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    const parser = new SseParser(
      (event) => {
        if (stream !== this.#stream) return;
        if (event.id !== undefined) this.#lastEventId = event.id;
        if (event.event === 'close') {
          const { code, reason } = JSON.parse(event.data) as { code: number; reason: string };
          this.close(code, reason);
        } else if (event.event === 'message') {
          this.#frame(event.data);
        }
      },
      // Keepalive comments are the server's heartbeat; the connection above watches pings.
      () => {
        if (stream === this.#stream) this.#deliverText('{"type":"ping"}');
      },
    );
    for (;;) {
      const { value, done } = await reader.read();
      if (done || stream !== this.#stream) return;
      parser.push(decoder.decode(value, { stream: true }));
    }
  }

  #frame(text: string): void {
    // Nearly every frame is a message or a batch: hand those on untouched.
    if (text.startsWith('{"type":"message"') || text.startsWith('{"type":"batch"'))
      return this.#deliverText(text);
    const frame = JSON.parse(text) as ServerMessage;
    switch (frame.type) {
      case 'welcome':
        if (this.#pendingAuth !== undefined) {
          this.#deliver({ type: 'authenticated', id: this.#pendingAuth });
          this.#pendingAuth = undefined;
        }
        if (this.readyState !== ReadyState.CONNECTING) return; // a reopened stream
        this.readyState = ReadyState.OPEN;
        this.onopen?.({});
        return this.#deliverText(text);
      case 'subscribed': {
        // The stream numbers its subscriptions itself; answer the request that asked.
        const wanted = this.#wanted.get(frame.topic);
        if (wanted?.pendingId === undefined) return;
        if (frame.epoch !== undefined && frame.seq !== undefined && !this.#resume.has(frame.topic))
          // Backfill (`history`) follows with seqs up to `frame.seq`: a reopen before it has
          // arrived must ask for it again, so resume from before it.
          this.#resume.set(frame.topic, {
            epoch: frame.epoch,
            seq: Math.max(0, frame.seq - (wanted.history ?? 0)),
          });
        this.#deliver({ ...frame, id: wanted.pendingId });
        wanted.pendingId = undefined;
        return;
      }
      case 'error': {
        const wanted = frame.topic === undefined ? undefined : this.#wanted.get(frame.topic);
        if (frame.ref !== undefined && wanted?.pendingId !== undefined) {
          this.#deliver({ ...frame, ref: wanted.pendingId });
          this.#wanted.delete(frame.topic!);
          return;
        }
        return this.#deliverText(text);
      }
      case 'message':
      case 'batch':
      case 'notice':
      case 'ping':
      case 'pong':
      case 'ack':
      case 'unsubscribed':
      case 'authenticated':
        return this.#deliverText(text);
      default:
        return assertNever(frame);
    }
  }

  /** A refused stream: the subscription that caused it is refused, or the connection ends. */
  async #refused(res: Response): Promise<void> {
    const body = (await res.json().catch(() => undefined)) as Partial<ErrorFrame> | undefined;
    const message = body?.message ?? `HTTP ${res.status}`;
    const wanted = body?.topic === undefined ? undefined : this.#wanted.get(body.topic);
    if ((res.status === 403 || res.status === 400) && wanted && body?.code) {
      this.#wanted.delete(body.topic!);
      if (wanted.pendingId !== undefined)
        this.#deliver({
          type: 'error',
          code: body.code,
          message,
          topic: body.topic!,
          ref: wanted.pendingId,
        });
      return this.#reopen();
    }
    if (res.status === 401 || res.status === 403) {
      const expired = body?.code === 'TOKEN_EXPIRED';
      return this.#fail(expired ? CloseCode.TOKEN_EXPIRED : CloseCode.UNAUTHORIZED, message);
    }
    this.#fail(
      res.status === 429 || res.status >= 500 ? TRY_AGAIN_LATER : ABNORMAL,
      `sse: ${message}`,
    );
  }

  async #publish(message: Publish): Promise<void> {
    let frame: ServerMessage | undefined;
    try {
      const res = await this.#fetch(`${this.#base}/publish`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.#token ? { authorization: `Bearer ${this.#token}` } : {}),
        },
        body: JSON.stringify(message),
      });
      frame = (await res.json()) as ServerMessage;
    } catch (error) {
      // The request may have reached the gateway (a connection cut after sending, a proxy's
      // non-JSON 502): not "not stored". A retry with the same key finds out.
      frame = {
        type: 'error',
        code: 'OUTCOME_UNKNOWN',
        message: `publish over HTTP failed: ${errorText(error)}`,
        topic: message.topic,
        retryAfterMs: 1000,
      };
    }
    if (this.readyState !== ReadyState.OPEN) return;
    if (frame.type === 'ack') {
      if (message.id !== undefined) this.#deliver(frame);
    } else if (frame.type === 'error') {
      const { ref: _ref, ...rest } = frame;
      this.#deliver(message.id === undefined ? rest : { ...rest, ref: message.id });
    }
  }

  async #ping(ts: number | undefined): Promise<void> {
    try {
      await this.#fetch(`${this.#base}/health/live`, {});
    } catch {
      return; // no pong: the ping times out like a socket's would
    }
    if (this.readyState === ReadyState.OPEN)
      this.#deliver(ts === undefined ? { type: 'pong' } : { type: 'pong', ts });
  }

  /** Where the next stream starts: the last event id, plus resubscribe positions, for wanted topics. */
  #resumeId(): string {
    const parsed = this.#lastEventId
      ? parseEventId(this.#lastEventId)
      : new Map<string, ResumePosition>();
    const positions = typeof parsed === 'string' ? new Map<string, ResumePosition>() : parsed;
    for (const [topic, p] of this.#resume) if (!positions.has(topic)) positions.set(topic, p);
    const patterns = [...this.#wanted.keys()];
    for (const topic of positions.keys())
      if (!patterns.some((p) => topicMatches(p, topic))) positions.delete(topic);
    // The next reopen starts from here at the least, even if this stream delivers nothing.
    this.#resume.clear();
    for (const [topic, p] of positions) this.#resume.set(topic, p);
    return positions.size > 0 ? formatEventId(positions) : '';
  }

  /**
   * One query for all subscriptions, each with its own `maxRate` and `history`, so falling back
   * to SSE changes nothing a subscription asked for. Topics already flowing resume from their
   * positions (`Last-Event-ID`, history 0); `history` is for the new subscriptions.
   */
  #query(): string {
    const wanted = [...this.#wanted];
    if (wanted.length === 0) return '';
    const entries = wanted.map(([topic, w]) => {
      let entry = topic;
      if (w.maxRate !== undefined) entry += `;maxRate=${w.maxRate}`;
      if (w.pendingId === undefined) entry += ';history=0';
      else if (w.history !== undefined) entry += `;history=${w.history}`;
      return entry;
    });
    return `?${new URLSearchParams({ topics: entries.join(',') }).toString()}`;
  }

  #fail(code: number, reason: string): void {
    if (this.readyState === ReadyState.CLOSED) return;
    this.onerror?.({ message: reason });
    this.close(code, reason);
  }

  #deliver(frame: ServerMessage): void {
    this.#emit(this.#codec.binary ? this.#codec.encode(frame) : JSON.stringify(frame));
  }

  #deliverText(text: string): void {
    this.#emit(this.#codec.binary ? this.#codec.encode(JSON.parse(text)) : text);
  }

  #emit(data: string | Uint8Array): void {
    this.onmessage?.({ data });
  }
}
