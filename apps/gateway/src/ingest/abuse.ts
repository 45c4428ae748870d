import type { Connection } from '../fanout/connection.js';

export const ABUSE_WINDOW_MS = 10_000;

/**
 * Counts a rate-limited request against the connection. Returns true when it has now been
 * refused `max` times within the window and must be closed (4102): a publisher that honours
 * `retryAfterMs` never gets near this.
 */
export function countRateLimited(conn: Connection, max: number, now = Date.now()): boolean {
  if (now - conn.rateLimitedWindowStart > ABUSE_WINDOW_MS) {
    conn.rateLimitedWindowStart = now;
    conn.rateLimitedCount = 0;
  }
  conn.rateLimitedCount += 1;
  return conn.rateLimitedCount >= max;
}
