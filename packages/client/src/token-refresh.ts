import type { Auth, Notice } from '@pulse/protocol';
import { reportError } from './emitter.js';
import type { TokenSource } from './options.js';
import type { RequestIds } from './pending.js';

/**
 * Keeps a session alive past its token's expiry: on the server's `TOKEN_EXPIRING` notice, calls
 * the `token` function again and sends the new token in an `auth` message, so the connection
 * (and every subscription on it) survives. A fixed string token cannot be refreshed; the
 * connection then ends with 4002 at expiry.
 */
export class TokenRefresher {
  /** Request id of the `auth` in flight, if any. */
  #pending: number | undefined;

  constructor(
    private readonly token: TokenSource | undefined,
    private readonly ids: RequestIds,
    private readonly send: (message: Auth) => boolean,
  ) {}

  get refreshable(): boolean {
    return typeof this.token === 'function';
  }

  onNotice(notice: Notice): void {
    if (notice.code !== 'TOKEN_EXPIRING' || typeof this.token !== 'function') return;
    if (this.#pending !== undefined) return;
    const id = this.ids.next();
    this.#pending = id;
    Promise.resolve()
      .then(this.token)
      .then(
        (token) => {
          if (this.#pending !== id) return; // the connection went away meanwhile
          if (!token || !this.send({ type: 'auth', id, token })) this.#pending = undefined;
        },
        (error: unknown) => {
          if (this.#pending === id) this.#pending = undefined;
          reportError(error);
        },
      );
  }

  /** A reply (`authenticated` or `error`) with this request id: returns true if it was ours. */
  settle(id: number | undefined): boolean {
    if (id === undefined || id !== this.#pending) return false;
    this.#pending = undefined;
    return true;
  }

  /** The connection went away: a refresh in flight is moot (the next connection reads the token). */
  reset(): void {
    this.#pending = undefined;
  }
}
