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
const UNIT_SECONDS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

/**
 * How long minted tokens live: a day, or less when the gateway's `TOKEN_MAX_TTL` (same
 * environment, same syntax: `3600`, `90s`, `30m`, `24h`, `7d`) is shorter, since the gateway
 * refuses tokens that outlive it.
 */
export function tokenTtlSeconds(maxTtl: string | undefined): number {
  const m = maxTtl === undefined ? null : /^(\d+)([smhd]?)$/.exec(maxTtl.trim());
  const seconds = m ? Number(m[1]) * (UNIT_SECONDS[m[2] ?? ''] ?? 1) : 0;
  // An invalid value stops the gateway at start; here the default is the best guess.
  return seconds > 0 ? Math.min(TOKEN_TTL_SECONDS, seconds) : TOKEN_TTL_SECONDS;
}

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
  /** Lifetime of locally minted tokens (default a day; see `tokenTtlSeconds`). */
  readonly ttlSeconds?: number;
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
  const ttl = o.ttlSeconds ?? TOKEN_TTL_SECONDS;
  // Refresh an hour before expiry, or halfway for short-lived tokens.
  const refreshBeforeMs = Math.min(REFRESH_BEFORE_MS, (ttl * 1000) / 2);
  const issue = o.secret
    ? mintWith(new TextEncoder().encode(o.secret), ttl)
    : fetchFrom(httpBaseFromWsUrl(o.url), o.fetch ?? fetch);

  return (role, sub) => () => {
    const key = `${role}:${sub}`;
    const hit = cache.get(key);
    if (hit && now() < hit.refreshAt) return hit.token;
    const token = issue(role, sub);
    cache.set(key, { token, refreshAt: now() + ttl * 1000 - refreshBeforeMs });
    // A failed attempt must not be served from the cache on the next reconnect.
    token.catch((err: unknown) => {
      if (cache.get(key)?.token === token) cache.delete(key);
      o.onError?.(err instanceof Error ? err : new Error(String(err)));
    });
    return token;
  };
}

function mintWith(key: Uint8Array, ttlSeconds: number) {
  return (role: Role, sub: string) =>
    new SignJWT({ role })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
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
