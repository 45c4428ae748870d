/**
 * Where a connection's frames go. A `ws` WebSocket satisfies it as it is; an SSE response is
 * adapted to it (`sse/sse-sink.ts`). The fan-out, the outflow and the heartbeat see only this,
 * so they never care which transport a subscriber uses.
 */
export interface Sink {
  /** 1 (WebSocket.OPEN) while frames can be sent; anything else drops them. */
  readonly readyState: number;
  /** Bytes accepted but not yet handed to the network: the send budget is measured on it. */
  readonly bufferedAmount: number;
  send(frame: Buffer | string | Uint8Array, options: { binary: boolean }): void;
  close(code: number, reason: string): void;
  /** Drops the transport without a goodbye (for a peer that does not read). */
  terminate(): void;
  /** Stops and restarts reading from the peer (inbound backpressure). */
  pause(): void;
  resume(): void;
}

/** Sink.readyState of an open sink. */
export const SINK_OPEN = 1;

/** Send options, allocated once: `send` runs per frame. */
export const TEXT = { binary: false } as const;
export const BINARY = { binary: true } as const;
