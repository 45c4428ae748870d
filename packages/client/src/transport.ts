import type { SocketConstructor, SocketLike } from './socket.js';

/** How a connection reaches the gateway: a WebSocket, or SSE for reading plus HTTP for writing. */
export type TransportName = 'websocket' | 'sse';

/**
 * Picks the transport of each connection attempt. After `fallbackAfter` attempts in a row that
 * never got a `welcome` on one transport, the next one in the list is tried (a proxy that
 * kills upgrades, a network that only passes plain HTTP); a transport that works is kept for
 * its connection. When a connection on a fallback ends, the preferred transport gets one try
 * again: a gateway that was merely restarting is back on WebSocket (and in presence, which
 * read-only SSE streams are not), a network that blocks it costs one failed attempt.
 */
export class Transports {
  #index = 0;
  #failures = 0;

  constructor(
    private readonly order: readonly TransportName[],
    private readonly fallbackAfter: number,
    private readonly sockets: Readonly<Record<TransportName, SocketConstructor | undefined>>,
  ) {}

  get current(): TransportName {
    return this.order[this.#index]!;
  }

  open(url: string, protocol: string): SocketLike {
    const Socket = this.sockets[this.current];
    if (!Socket) throw new TypeError(`no ${this.current} transport available`);
    return new Socket(url, protocol);
  }

  /** The attempt was welcomed: this transport works. */
  succeeded(): void {
    this.#failures = 0;
  }

  /** A welcomed connection ended: next time, try the preferred transport once more. */
  ended(): void {
    if (this.#index === 0) return;
    this.#index = 0;
    this.#failures = Math.max(0, this.fallbackAfter - 1);
  }

  /** The attempt ended before a welcome. */
  failed(): void {
    this.#failures++;
    if (this.#failures >= this.fallbackAfter && this.order.length > 1) {
      this.#index = (this.#index + 1) % this.order.length;
      this.#failures = 0;
    }
  }
}
