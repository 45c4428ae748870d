import { CODECS, SUBPROTOCOL, type CodecName } from '@pulse/protocol';
import WebSocket from 'ws';
import type { Frame } from './frames.js';

/** What one hostile lane got back: error codes and close codes, counted. */
export class Outcomes {
  readonly errors = new Map<string, number>();
  readonly closes = new Map<number, number>();
  readonly replies = new Map<string, number>();
  sent = 0;

  add(map: Map<string | number, number>, key: string | number): void {
    map.set(key, (map.get(key) ?? 0) + 1);
  }
}

/**
 * A socket for hostile frames that keeps no frames, only counts: the fuzz sends 100,000 of
 * them and must not measure its own memory. `sync` sends a frame that always earns an error
 * with a known `ref` and waits for it, so the test never runs far ahead of the gateway.
 */
export class FuzzSocket {
  readonly closed: Promise<number>;
  private waiters = new Map<number, () => void>();
  private leaving = false;

  private constructor(
    readonly ws: WebSocket,
    private readonly codec: CodecName,
    private readonly outcomes: Outcomes,
  ) {
    this.closed = new Promise((resolve) =>
      ws.once('close', (code) => {
        if (!this.leaving) outcomes.add(outcomes.closes, code);
        for (const wake of this.waiters.values()) wake();
        this.waiters.clear();
        resolve(code);
      }),
    );
    ws.on('error', () => {});
    ws.on('message', (data: Buffer, isBinary) => {
      const frame = CODECS[codec].decode(isBinary ? new Uint8Array(data) : data.toString()) as {
        type: string;
        code?: string;
        ref?: number;
      };
      const wake = frame.ref === undefined ? undefined : this.waiters.get(frame.ref);
      if (wake) {
        this.waiters.delete(frame.ref!);
        wake();
      } else if (frame.type === 'error') {
        outcomes.add(outcomes.errors, frame.code!);
      } else {
        outcomes.add(outcomes.replies, frame.type);
      }
    });
  }

  static open(
    url: string,
    token: string,
    codec: CodecName,
    outcomes: Outcomes,
  ): Promise<FuzzSocket> {
    const ws = new WebSocket(`${url}?token=${token}`, [SUBPROTOCOL[codec]]);
    const socket = new FuzzSocket(ws, codec, outcomes);
    return new Promise((resolve, reject) => {
      ws.once('message', () => resolve(socket)); // welcome
      ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`upgrade refused: ${res.statusCode}`)),
      );
    });
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends when open; returns whether it did. */
  send(frame: Frame): boolean {
    if (!this.open) return false;
    this.ws.send(frame.data, { binary: frame.binary });
    this.outcomes.sent += 1;
    return true;
  }

  /** Resolves once every frame sent before it has been handled (or the socket closed). */
  async sync(id: number, timeoutMs = 10_000): Promise<void> {
    if (!this.open) return;
    const sentinel = { type: 'subscribe', id, topic: '!sync' }; // INVALID_TOPIC, ref id
    const done = new Promise<void>((resolve) => this.waiters.set(id, resolve));
    this.ws.send(CODECS[this.codec].encode(sentinel), { binary: this.codec === 'msgpack' });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      done,
      new Promise<void>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer to sync ${id}`)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  /** Our own goodbye: not counted as an outcome. */
  async close(): Promise<void> {
    this.leaving = true;
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.terminate();
    await this.closed;
  }
}
