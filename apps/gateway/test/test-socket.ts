import { CODECS, type CodecName, type ServerMessage, SUBPROTOCOL } from '@pulse/protocol';
import { expect } from 'vitest';
import WebSocket from 'ws';

type Frame = ServerMessage;
type TopicFrame = Extract<Frame, { type: 'message' }>;

/** How long a test waits for messages it expects before failing with what did arrive. */
const WAIT_MS = 10_000;

/** `topic#seq`: how the expectations below name a message. */
export const topicSeq = (m: { topic: string; seq: number }) => `${m.topic}#${m.seq}`;

/**
 * A raw `ws` client that records every decoded server frame and lets a test await the next one
 * matching a predicate. No Pulse client logic: tests see exactly what the gateway sends.
 */
export class TestSocket implements AsyncDisposable {
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  private arrived: (() => void) | undefined;
  private pings = 0;

  private constructor(
    readonly ws: WebSocket,
    readonly codec: CodecName,
  ) {
    this.closed = new Promise((resolve) =>
      ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    ws.on('message', (data: Buffer, isBinary) => {
      const frame = CODECS[codec].decode(
        isBinary ? new Uint8Array(data) : data.toString(),
      ) as Frame;
      const waiter = this.waiters.find((w) => w.match(frame));
      if (waiter) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(frame);
      } else {
        this.frames.push(frame);
        this.arrived?.();
      }
    });
  }

  /** Opens a socket; resolves once the upgrade finished (or rejects with the HTTP status). */
  static open(
    url: string,
    token?: string,
    opts: {
      codec?: CodecName;
      protocols?: string[];
      headers?: Record<string, string>;
      origin?: string;
    } = {},
  ): Promise<TestSocket> {
    const codec = opts.codec ?? 'json';
    const full = token ? `${url}?token=${encodeURIComponent(token)}` : url;
    const ws = new WebSocket(full, opts.protocols ?? [SUBPROTOCOL[codec]], {
      headers: opts.headers ?? {},
      ...(opts.origin ? { origin: opts.origin } : {}),
    });
    const socket = new TestSocket(ws, codec);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(socket));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => reject(new UpgradeRefused(res.statusCode ?? 0, body, res.headers)));
      });
      ws.once('error', reject);
    });
  }

  /** Opens and waits for `welcome`. */
  static async connect(url: string, token: string, codec: CodecName = 'json'): Promise<TestSocket> {
    const s = await TestSocket.open(url, token, { codec });
    await s.next('welcome');
    return s;
  }

  send(message: unknown): void {
    this.ws.send(CODECS[this.codec].encode(message));
  }

  /** Resolves with the first frame (already received or future) that matches, and consumes it. */
  next<T extends Frame['type']>(
    type: T,
    match?: (f: Extract<Frame, { type: T }>) => boolean,
  ): Promise<Extract<Frame, { type: T }>>;
  next(match: (f: Frame) => boolean): Promise<Frame>;
  next(a: string | ((f: Frame) => boolean), b?: (f: never) => boolean): Promise<Frame> {
    const match =
      typeof a === 'string'
        ? (f: Frame) => f.type === a && (!b || (b as (f: Frame) => boolean)(f))
        : a;
    const i = this.frames.findIndex(match);
    if (i !== -1) return Promise.resolve(this.frames.splice(i, 1)[0]!);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  /**
   * Waits until `count` topic messages (batches unpacked) of `topic` (or any) have arrived,
   * consumes them and returns them in order. Linear in the frames held, however many. Fails
   * after `timeoutMs` naming what did arrive, instead of hanging until the test times out.
   */
  async messages(count: number, topic?: string, timeoutMs = WAIT_MS): Promise<TopicFrame[]> {
    const out: TopicFrame[] = [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.take(out, count, topic);
      if (out.length >= count) return out;
      if (!(await this.arrival(deadline))) {
        throw new Error(
          `expected ${count} messages${topic ? ` of ${topic}` : ''} within ${timeoutMs} ms, ` +
            `got ${out.length}: ${out.map(topicSeq).join(' ') || 'none'}` +
            (this.ws.readyState === WebSocket.OPEN ? '' : ' (socket closed)'),
        );
      }
    }
  }

  /**
   * Exactly these messages and nothing more: waits for `expected.length` topic messages (of
   * `topic`, or any), then for a ping round trip, which proves that every update the gateway
   * had queued for this socket has arrived (it flushes updates before a reply, in order), and
   * checks that nothing else came. `expected` are seqs, or `topic#seq` strings across topics.
   * A missing or extra message fails with a diff of expected vs received.
   */
  async exactly(
    expected: readonly number[] | readonly string[],
    topic?: string,
    timeoutMs = WAIT_MS,
  ): Promise<TopicFrame[]> {
    const key =
      typeof expected[0] === 'string' ? topicSeq : (m: TopicFrame): string | number => m.seq;
    const out: TopicFrame[] = [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.take(out, expected.length, topic);
      if (out.length >= expected.length) break;
      if (!(await this.arrival(deadline))) {
        expect(out.map(key), `received within ${timeoutMs} ms`).toEqual(expected);
      }
    }
    await this.settle();
    this.take(out, Infinity, topic);
    expect(out.map(key), 'received, then nothing more up to a ping round trip').toEqual(expected);
    return out;
  }

  /**
   * Resolves once a ping sent now is answered: every frame the gateway sent this socket before
   * handling it has arrived by then.
   */
  async settle(timeoutMs = WAIT_MS): Promise<void> {
    const ts = ++this.pings;
    this.send({ type: 'ping', ts });
    const pong = this.next('pong', (f) => f.ts === ts);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no pong within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([pong, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Moves held topic messages (batches unpacked) of `topic` into `out`, up to `count`. */
  private take(out: TopicFrame[], count: number, topic: string | undefined): void {
    const wanted = (m: TopicFrame) => !topic || m.topic === topic;
    const keep: Frame[] = [];
    for (const f of this.frames) {
      if (out.length < count && f.type === 'message' && wanted(f)) out.push(f);
      else if (out.length < count && f.type === 'batch' && f.messages.some(wanted)) {
        out.push(...(f.messages.filter(wanted) as TopicFrame[]));
      } else keep.push(f);
    }
    this.frames.length = 0;
    this.frames.push(...keep);
  }

  /** Resolves true when a frame arrives, false at the deadline or once the socket closed. */
  private arrival(deadline: number): Promise<boolean> {
    const left = deadline - Date.now();
    if (left <= 0 || this.ws.readyState !== WebSocket.OPEN) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.arrived = undefined;
        this.ws.off('close', onClose);
        resolve(ok);
      };
      const onClose = () => done(false);
      const timer = setTimeout(() => done(false), left);
      this.arrived = () => done(true);
      this.ws.once('close', onClose);
    });
  }

  /**
   * Stops reading the TCP socket under the WebSocket (a stalled client): the kernel's buffers
   * fill, then the gateway's send buffer grows. `resumeReading` reads again.
   *
   * Through ws's own `pause()`, not its `_socket`: ws resumes a socket it did not see paused when
   * its frame parser drains, so a bare `_socket.pause()` taken while the parser was behind was
   * undone a moment later and the "stalled" client read on (the hard-mark test then never saw a
   * slow-consumer close, one run in six on Node 24).
   */
  pauseReading(): void {
    this.ws.pause();
  }

  resumeReading(): void {
    this.ws.resume();
  }

  close(): void {
    this.ws.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.ws.readyState !== WebSocket.CLOSED) {
      this.ws.terminate();
      await this.closed;
    }
  }
}

export class UpgradeRefused extends Error {
  constructor(
    readonly status: number,
    readonly body = '',
    readonly headers: Record<string, string | string[] | undefined> = {},
  ) {
    super(`upgrade refused with HTTP ${status}`);
  }

  /** The `code` of the JSON error body. */
  get code(): string | undefined {
    try {
      return (JSON.parse(this.body) as { code?: string }).code;
    } catch {
      return undefined;
    }
  }
}
