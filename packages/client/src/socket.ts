/**
 * The few members of a WebSocket the client uses. The browser's `WebSocket` and the `ws`
 * package both satisfy it, so one client runs in the dashboard and in Node tools.
 * Property handlers (not addEventListener) keep the surface small and identical in both.
 */
export interface SocketLike {
  readonly readyState: number;
  /** The subprotocol the server selected. */
  readonly protocol: string;
  /** Set to 'arraybuffer' so binary frames arrive as ArrayBuffer in browsers and in `ws`. */
  binaryType: string;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: SocketHandler<unknown> | null;
  onclose: SocketHandler<SocketCloseEvent> | null;
  onmessage: SocketHandler<SocketMessageEvent> | null;
  onerror: SocketHandler<unknown> | null;
}

/** A WebSocket constructor: `globalThis.WebSocket` or `ws`'s default export. */
export type SocketConstructor = new (url: string, protocols?: string | string[]) => SocketLike;

export interface SocketCloseEvent {
  readonly code: number;
  readonly reason: string;
}

export interface SocketMessageEvent {
  readonly data: unknown;
}

/**
 * Declared through a method so the parameter is checked bivariantly: the DOM types its handlers
 * with the full `CloseEvent`/`MessageEvent`, which is wider than what we read.
 */
type SocketHandler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** WebSocket.readyState values (same numbers in every implementation). */
export const ReadyState = { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 } as const;

/**
 * A received frame as the codec wants it. Browsers give ArrayBuffer (binaryType 'arraybuffer'),
 * `ws` gives ArrayBuffer too but a Buffer if someone changed binaryType; text frames are strings.
 */
export function frameData(data: unknown): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data))
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new TypeError(`unsupported frame data (${Object.prototype.toString.call(data)})`);
}

/** Detaches a socket we no longer own. Handlers become no-ops rather than null because `ws`
 * throws on an 'error' event that has no listener. */
export function detach(socket: SocketLike): void {
  const noop = (): void => {};
  socket.onopen = noop;
  socket.onmessage = noop;
  socket.onclose = noop;
  socket.onerror = noop;
}

/** Closes a socket we are done with; a throw here (bad state, odd implementation) changes nothing. */
export function closeQuietly(socket: SocketLike, code: number, reason: string): void {
  try {
    socket.close(code, reason.slice(0, 120));
  } catch {
    // already closing or closed
  }
}
