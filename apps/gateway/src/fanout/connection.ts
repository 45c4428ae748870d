import type { Codec, ServerMessage } from '@pulse/protocol';
import type { WebSocket } from 'ws';
import type { Principal } from '../auth/claims.js';
import type { Subscription } from './subscription.js';

const OPEN = 1;

/** One client socket and what the gateway knows about it. Plain class: it is on the hot path. */
export class Connection {
  readonly subscriptions = new Map<string, Subscription>();
  /** Last time any frame arrived (heartbeat liveness). */
  lastSeenAt = Date.now();
  /** Invalid frames in the current window (see `InvalidFramePolicy`). */
  invalidFrames = 0;
  invalidWindowStart = 0;
  closed = false;

  constructor(
    readonly id: string,
    readonly ws: WebSocket,
    readonly codec: Codec,
    readonly principal: Principal,
    readonly remoteAddress: string,
  ) {}

  /** Encodes and sends a control message (welcome, replies, errors). */
  send(message: ServerMessage): void {
    if (this.ws.readyState !== OPEN) return;
    this.ws.send(this.codec.encode(message), { binary: this.codec.binary });
  }

  /** Sends bytes already encoded for this connection's codec. */
  sendFrame(frame: Buffer): void {
    if (this.ws.readyState !== OPEN) return;
    this.ws.send(frame, { binary: this.codec.binary });
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === OPEN) this.ws.close(code, reason);
  }
}
