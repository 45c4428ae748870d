import type { IncomingMessage } from 'node:http';

/** The cookie a browser page can set so that its WebSocket and SSE requests carry the token. */
export const TOKEN_COOKIE = 'pulse_token';

/**
 * The token of a request, from (in this order) `Authorization: Bearer`, the `token` query
 * parameter, or the `pulse_token` cookie: browsers cannot set headers on a WebSocket or an
 * EventSource, so they use the query or the cookie.
 */
export function tokenFrom(req: IncomingMessage): string | undefined {
  return bearerToken(req) ?? queryToken(req.url) ?? cookieToken(req.headers.cookie);
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header || !/^bearer /i.test(header)) return undefined;
  return header.slice(7).trim() || undefined;
}

function queryToken(url: string | undefined): string | undefined {
  const q = url?.indexOf('?') ?? -1;
  if (q === -1) return undefined;
  return new URLSearchParams(url!.slice(q + 1)).get('token') || undefined;
}

function cookieToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== TOKEN_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(value) || undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The request URL with the `token` query parameter's value masked, for logs. */
export function redactToken(url: string): string {
  return url.replace(/([?&]token=)[^&#]*/gi, '$1[REDACTED]');
}
