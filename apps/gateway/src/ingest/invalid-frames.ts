import type { Connection } from '../fanout/connection.js';

export const INVALID_FRAME_WINDOW_MS = 10_000;

/**
 * Counts a bad frame against the connection. Returns true when it has now sent `max` within the
 * window and must be closed (4003): a few mistakes are answered, a stream of garbage is not.
 */
export function countInvalidFrame(conn: Connection, max: number, now = Date.now()): boolean {
  if (now - conn.invalidWindowStart > INVALID_FRAME_WINDOW_MS) {
    conn.invalidWindowStart = now;
    conn.invalidFrames = 0;
  }
  conn.invalidFrames += 1;
  return conn.invalidFrames >= max;
}
