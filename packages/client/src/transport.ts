import type { SocketConstructor, SocketLike } from './socket.js';

/** How a connection reaches the gateway: a WebSocket, or SSE for reading plus HTTP for writing. */
export type TransportName = 'websocket' | 'sse';

/**
 * Picks the transport of each connection attempt. After `fallbackAfter` attempts in a row that
 * never got a `welcome` on one transport, the next one in the list is tried (a proxy that
 * kills upgrades, a network that only passes plain HTTP); a transport that works is kept.
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

  /** The attempt ended before a welcome. */
  failed(): void {
    this.#failures++;
    if (this.#failures >= this.fallbackAfter && this.order.length > 1) {
      this.#index = (this.#index + 1) % this.order.length;
      this.#failures = 0;
    }
  }
}
