/**
 * Fetches a development operator token from the gateway (same origin, proxied by Vite).
 * Throws on any failure so the client counts it as a failed attempt and retries with backoff.
 */
export async function fetchDevToken(
  fetchFn: typeof fetch = fetch,
  role = 'operator',
  sub = 'console',
): Promise<string> {
  const query = new URLSearchParams({ role, sub });
  const res = await fetchFn(`/auth/dev-token?${query.toString()}`);
  if (!res.ok) throw new Error(`dev token: HTTP ${res.status}`);
  const body = (await res.json()) as { token?: unknown };
  if (typeof body.token !== 'string') throw new Error('dev token: no token in response');
  return body.token;
}

/** The gateway's WebSocket URL on this page's origin: `ws(s)://<host>/ws`. */
export function gatewaySocketUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}
