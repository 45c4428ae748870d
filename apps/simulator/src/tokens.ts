import { SignJWT } from 'jose';
import type { Role } from '@pulse/protocol';

/**
 * Tokens for simulated publishers. With `JWT_SECRET` we mint HS256 tokens ourselves (the same
 * secret the gateway verifies with); without it we ask a development gateway for one at
 * `GET /auth/dev-token`. Tokens are cached until an hour before they expire, so the client's
 * per-reconnect `token()` call is cheap.
 */

export const TOKEN_TTL_SECONDS = 24 * 3600;
const REFRESH_BEFORE_MS = 3600_000;

/** `ws://host:port/ws` → `http://host:port` (wss → https). */
export function httpBaseFromWsUrl(wsUrl: string): string {
  const u = new URL(wsUrl);
  const protocol = u.protocol === 'wss:' ? 'https:' : u.protocol === 'ws:' ? 'http:' : u.protocol;
  return `${protocol}//${u.host}`;
}

export interface TokenSourceOptions {
  /** The gateway's WebSocket URL; the HTTP base for dev tokens derives from it. */
  readonly url: string;
  /** HS256 secret; when set, tokens are minted locally. */
  readonly secret?: string | undefined;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
  /** Told about every failure (the client retries with backoff on its own). */
  readonly onError?: (err: Error) => void;
}

/** Returns a token getter per identity: `tokens('device', 'dev-001')()`. */
export type TokenSource = (role: Role, sub: string) => () => Promise<string>;

export function createTokenSource(o: TokenSourceOptions): TokenSource {
  const now = o.now ?? Date.now;
  const cache = new Map<string, { token: Promise<string>; refreshAt: number }>();
  const issue = o.secret
    ? mintWith(new TextEncoder().encode(o.secret))
    : fetchFrom(httpBaseFromWsUrl(o.url), o.fetch ?? fetch);

  return (role, sub) => () => {
    const key = `${role}:${sub}`;
    const hit = cache.get(key);
    if (hit && now() < hit.refreshAt) return hit.token;
    const token = issue(role, sub);
    cache.set(key, { token, refreshAt: now() + TOKEN_TTL_SECONDS * 1000 - REFRESH_BEFORE_MS });
    // A failed attempt must not be served from the cache on the next reconnect.
    token.catch((err: unknown) => {
      if (cache.get(key)?.token === token) cache.delete(key);
      o.onError?.(err instanceof Error ? err : new Error(String(err)));
    });
    return token;
  };
}

function mintWith(key: Uint8Array) {
  return (role: Role, sub: string) =>
    new SignJWT({ role })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime(`${TOKEN_TTL_SECONDS}s`)
      .sign(key);
}

function fetchFrom(base: string, fetchImpl: typeof fetch) {
  return async (role: Role, sub: string): Promise<string> => {
    const url = `${base}/auth/dev-token?role=${encodeURIComponent(role)}&sub=${encodeURIComponent(sub)}`;
    let res: Response;
    try {
      res = await fetchImpl(url);
    } catch (err) {
      throw new Error(`cannot reach ${url}: ${(err as Error).message}`, { cause: err });
    }
    if (res.status === 404) {
      throw new Error(
        `${url} is 404: is the gateway in production mode? Set JWT_SECRET to mint tokens locally`,
      );
    }
    if (!res.ok) throw new Error(`${url} answered HTTP ${res.status}`);
    const body = (await res.json()) as { token?: unknown };
    if (typeof body.token !== 'string') throw new Error(`${url} returned no token`);
    return body.token;
  };
}
