import { isIP } from 'node:net';

/**
 * Whether `host` (a bind address, a `Host` header's name or an origin's hostname) names this
 * machine only: `localhost` (and `*.localhost`, which browsers resolve to loopback), 127/8, ::1.
 */
export function isLoopbackHost(host: string): boolean {
  const name = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  return name === '::1' || name.startsWith('::ffff:127.');
}

/** Whether `origin` (`scheme://host[:port]`) is a page served from this machine. */
export function isLoopbackOrigin(origin: string): boolean {
  try {
    return isLoopbackHost(new URL(origin).hostname);
  } catch {
    return false; // "null" (sandboxed iframes, file://) or garbage
  }
}
