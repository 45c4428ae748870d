import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  codecForSubprotocols,
  parseClientMessage,
  type Ack,
  type Auth,
  type ClientMessage,
  type Codec,
  type Subscribe,
  type Subscribed,
  type TopicMessage,
  type Welcome,
} from '@pulse/protocol';

/** What the fake server does on its own; everything else the test scripts. */
export interface FakeServerOptions {
  /** The welcome sent at once on connection `index`; false to send none (the test may later). */
  welcome?: (index: number) => Partial<Welcome> | false;
  /** Answer a client's `ping` with `pong` (per connection, changeable). Default true. */
  answerPings?: boolean;
  /** Reply `subscribed` by itself; the function adds fields such as `recovered`. Default: plain reply,
   * with `recovered: true` when a resume was asked. */
  subscribed?: false | ((subscribe: Subscribe) => Partial<Subscribed>);
  /** Acknowledge publishes that carry an id, with a per-topic seq. Default true. */
  ack?: boolean;
  /** Answer `auth` with `authenticated` (plus these fields), or not at all. Default: plain reply. */
  auth?: false | ((auth: Auth) => object);
  /** Refuse the HTTP upgrade of connection `index` with this status (e.g. 401). */
  rejectUpgrade?: (index: number) => number | false;
}

export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

/** The latest message of `epoch`-less tests: builds a topic message frame. */
export function topicMessage(
  topic: string,
  seq: number,
  payload: unknown = { n: seq },
  epoch = 'e1',
): TopicMessage<unknown> {
  return { type: 'message', topic, seq, epoch, ts: 1_700_000_000_000 + seq, payload };
}

/** One accepted socket, seen from the server: what it received, and levers to script replies. */
export class FakeConnection {
  /** Every frame received, decoded, in order. */
  readonly received: ClientMessage[] = [];
  /** Frames that did not pass the protocol schema (a client bug; tests expect none). */
  readonly invalid: unknown[] = [];
  /** Whether frames arrived as binary WebSocket frames. */
  binaryFrames = 0;
  answerPings: boolean;
  readonly closed: Promise<CloseInfo>;
  readonly #waiters: {
    match: (m: ClientMessage) => boolean;
    resolve: (m: ClientMessage) => void;
  }[] = [];
  readonly #ackSeq = new Map<string, number>();

  constructor(
    readonly index: number,
    readonly socket: WebSocket,
    readonly codec: Codec,
    readonly url: URL,
    private readonly options: FakeServerOptions,
  ) {
    this.answerPings = options.answerPings ?? true;
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    socket.on('message', (data, isBinary) => this.#onFrame(data as Buffer, isBinary));
  }

  /** The `token` query parameter of the upgrade request. */
  get token(): string | null {
    return this.url.searchParams.get('token');
  }

  /** Received frames of one type. */
  frames<T extends ClientMessage['type']>(type: T): Extract<ClientMessage, { type: T }>[] {
    return this.received.filter((m): m is Extract<ClientMessage, { type: T }> => m.type === type);
  }

  /** The first frame of `type` matching `where`, already received or still to come. */
  next<T extends ClientMessage['type']>(
    type: T,
    where: (m: Extract<ClientMessage, { type: T }>) => boolean = () => true,
  ): Promise<Extract<ClientMessage, { type: T }>> {
    const match = (m: ClientMessage): m is Extract<ClientMessage, { type: T }> =>
      m.type === type && where(m as Extract<ClientMessage, { type: T }>);
    const seen = this.received.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) =>
      this.#waiters.push({ match, resolve: resolve as (m: ClientMessage) => void }),
    );
  }

  send(message: object): void {
    this.socket.send(this.codec.encode(message), { binary: this.codec.binary });
  }

  /** Bytes as they are, for malformed-frame tests. */
  sendRaw(data: string | Uint8Array): void {
    this.socket.send(data, { binary: typeof data !== 'string' });
  }

  welcome(overrides: Partial<Welcome> = {}): void {
    this.send(welcomeFrame(this.index, overrides));
  }

  subscribed(subscribe: Subscribe, extra: Partial<Subscribed> = {}): void {
    this.send({ type: 'subscribed', id: subscribe.id, topic: subscribe.topic, ...extra });
  }

  message(topic: string, seq: number, payload?: unknown, epoch?: string): void {
    this.send(topicMessage(topic, seq, payload, epoch));
  }

  batch(messages: TopicMessage<unknown>[]): void {
    this.send({ type: 'batch', messages });
  }

  close(code: number, reason = ''): void {
    this.socket.close(code, reason);
  }

  /** Drops the TCP connection without a close frame (the client sees 1006). */
  terminate(): void {
    this.socket.terminate();
  }

  #onFrame(data: Buffer, isBinary: boolean): void {
    if (isBinary) this.binaryFrames++;
    let decoded: unknown;
    try {
      decoded = this.codec.decode(isBinary ? new Uint8Array(data) : data.toString('utf8'));
    } catch {
      this.invalid.push(data);
      return;
    }
    const parsed = parseClientMessage(decoded);
    if (!parsed.ok) {
      this.invalid.push(decoded);
      return;
    }
    const message = parsed.message;
    this.received.push(message);
    this.#autoReply(message);
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      const waiter = this.#waiters[i]!;
      if (waiter.match(message)) {
        this.#waiters.splice(i, 1);
        waiter.resolve(message);
      }
    }
  }

  #autoReply(message: ClientMessage): void {
    switch (message.type) {
      case 'ping':
        if (this.answerPings)
          this.send(message.ts === undefined ? { type: 'pong' } : { type: 'pong', ts: message.ts });
        return;
      case 'subscribe': {
        const extra = this.options.subscribed;
        if (extra === false) return;
        const resumed = message.since !== undefined || message.positions !== undefined;
        this.subscribed(message, { ...(resumed && { recovered: true }), ...extra?.(message) });
        return;
      }
      case 'publish': {
        if (message.id === undefined || this.options.ack === false) return;
        const seq = (this.#ackSeq.get(message.topic) ?? 0) + 1;
        this.#ackSeq.set(message.topic, seq);
        this.send({ type: 'ack', id: message.id, topic: message.topic, seq } satisfies Ack);
        return;
      }
      case 'unsubscribe':
        this.send({ type: 'unsubscribed', id: message.id, topic: message.topic });
        return;
      case 'pong':
        return;
      case 'auth':
        if (this.options.auth === false) return;
        this.send({ type: 'authenticated', id: message.id, ...this.options.auth?.(message) });
        return;
      default:
        return assertNever(message);
    }
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected ${JSON.stringify(value)}`);
}

export function welcomeFrame(index: number, overrides: Partial<Welcome> = {}): Welcome {
  return {
    type: 'welcome',
    protocol: 1,
    serverId: 'fake-1',
    connectionId: `conn-${index}`,
    heartbeatMs: 60_000,
    role: 'admin',
    subject: 'tester',
    limits: { maxFrameBytes: 65_536, maxSubscriptions: 100, historySize: 100 },
    ...overrides,
  };
}

/**
 * A scripted Pulse server on a real `ws` WebSocketServer (port 0): it records what each
 * connection sent, replies only as told (plus welcome, pong, subscribed and ack by default)
 * and drops connections on demand. Modelled on centrifuge-js's fakeServer.
 */
export class FakeServer implements AsyncDisposable {
  readonly connections: FakeConnection[] = [];
  readonly #waiters = new Map<number, (c: FakeConnection) => void>();

  private constructor(
    readonly wss: WebSocketServer,
    readonly url: string,
    readonly options: FakeServerOptions,
  ) {
    wss.on('connection', (socket, request) => this.#onConnection(socket, request));
  }

  static async start(options: FakeServerOptions = {}): Promise<FakeServer> {
    let upgrades = 0;
    const wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      // Echo our subprotocol so the client gets the codec it offered; unknown ones get none.
      handleProtocols: (protocols) => codecForSubprotocols(protocols)?.subprotocol ?? false,
      verifyClient: (_info, done) => {
        const status = options.rejectUpgrade?.(upgrades++);
        if (status) done(false, status);
        else done(true);
      },
    });
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', resolve);
      wss.once('error', reject);
    });
    const { port } = wss.address() as AddressInfo;
    return new FakeServer(wss, `ws://127.0.0.1:${port}/ws`, options);
  }

  /** Connection number `index` (0-based), once it has been accepted. */
  connection(index: number): Promise<FakeConnection> {
    const existing = this.connections[index];
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve) => this.#waiters.set(index, resolve));
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #onConnection(socket: WebSocket, request: IncomingMessage): void {
    const index = this.connections.length;
    const codec = codecForSubprotocols([socket.protocol]);
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (!codec) {
      socket.close(4000, 'unsupported protocol');
      return;
    }
    const connection = new FakeConnection(index, socket, codec, url, this.options);
    this.connections.push(connection);
    const welcome = this.options.welcome ? this.options.welcome(index) : {};
    if (welcome !== false) connection.welcome(welcome);
    this.#waiters.get(index)?.(connection);
    this.#waiters.delete(index);
  }
}
