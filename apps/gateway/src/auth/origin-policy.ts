import type { IncomingMessage } from 'node:http';
import { isLoopbackOrigin } from '../config/loopback.js';
import type { OriginList } from '../config/origins.js';

/**
 * Whether a request's page origin may use the gateway. Browsers always send `Origin` on
 * WebSocket upgrades and cross-origin fetches; a request without one is not from a browser
 * page (a device, a feed, curl), so the allow-list does not apply to it. A page served by the
 * gateway's own host is always allowed; in development (`loopback`), so is any page served from
 * this machine (the console on its Vite port), and no page from elsewhere.
 */
export function originAllowed(list: OriginList, req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined || list.any) return true;
  if (list.origins.has(origin)) return true;
  if (list.loopback && isLoopbackOrigin(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false; // "null" (sandboxed iframes, file://) or garbage
  }
}
