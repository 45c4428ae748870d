import { CODECS, type CodecName, type ServerMessage, SUBPROTOCOL } from '@pulse/protocol';
import WebSocket from 'ws';

type Frame = ServerMessage;

/**
 * A raw `ws` client that records every decoded server frame and lets a test await the next one
 * matching a predicate. No Pulse client logic: tests see exactly what the gateway sends.
 */
export class TestSocket implements AsyncDisposable {
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];

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
      this.frames.push(frame);
      for (const w of [...this.waiters]) {
        if (w.match(frame)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(frame);
        }
      }
    });
  }

  /** Opens a socket; resolves once the upgrade finished (or rejects with the HTTP status). */
  static open(
    url: string,
    token?: string,
    opts: { codec?: CodecName; protocols?: string[]; headers?: Record<string, string> } = {},
  ): Promise<TestSocket> {
    const codec = opts.codec ?? 'json';
    const full = token ? `${url}?token=${encodeURIComponent(token)}` : url;
    const ws = new WebSocket(full, opts.protocols ?? [SUBPROTOCOL[codec]], {
      headers: opts.headers ?? {},
    });
    const socket = new TestSocket(ws, codec);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(socket));
      ws.once('unexpected-response', (_req, res) =>
        reject(new UpgradeRefused(res.statusCode ?? 0)),
      );
      ws.once('error', reject);
    });
  }

  /** Opens and waits for `welcome`. */
  static async connect(url: string, token: string, codec: CodecName = 'json'): Promise<TestSocket> {
    const s = await TestSocket.open(url, token, { codec });
    await s.next((f) => f.type === 'welcome');
    return s;
  }

  send(message: unknown): void {
    this.ws.send(CODECS[this.codec].encode(message));
  }

  /** Resolves with the first frame (already received or future) that matches. */
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
    const found = this.frames.find(match);
    if (found) {
      this.frames.splice(this.frames.indexOf(found), 1);
      return Promise.resolve(found);
    }
    return new Promise((resolve) =>
      this.waiters.push({
        match,
        resolve: (f) => (this.frames.splice(this.frames.indexOf(f), 1), resolve(f)),
      }),
    );
  }

  /** Waits until `count` topic messages (unbatched) have arrived and returns them in order. */
  async messages(count: number, topic?: string): Promise<Extract<Frame, { type: 'message' }>[]> {
    const out: Extract<Frame, { type: 'message' }>[] = [];
    while (out.length < count) {
      const f = await this.next(
        (x) => (x.type === 'message' && (!topic || x.topic === topic)) || x.type === 'batch',
      );
      if (f.type === 'batch')
        out.push(...(f.messages.filter((m) => !topic || m.topic === topic) as never[]));
      else out.push(f as Extract<Frame, { type: 'message' }>);
    }
    return out;
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
  constructor(readonly status: number) {
    super(`upgrade refused with HTTP ${status}`);
  }
}
