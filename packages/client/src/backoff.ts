/** Delay in ms before reconnect attempt `attempt` (1-based). */
export type Backoff = (attempt: number) => number;

export interface FullJitterOptions {
  /** Upper bound of the first attempt's delay. Default 250. */
  readonly minMs?: number;
  /** Cap on the upper bound. Default 10 000. */
  readonly maxMs?: number;
  /** Uniform [0, 1) source; inject a fixed one in tests. Default Math.random. */
  readonly random?: () => number;
}

/**
 * Full jitter: a uniform delay in [0, min(maxMs, minMs·2^(attempt-1))). Spreading the whole
 * range (not ±x %) keeps a restarted server from being hit by every client at once.
 */
export function fullJitterBackoff(options: FullJitterOptions = {}): Backoff {
  const { minMs = 250, maxMs = 10_000, random = Math.random } = options;
  return (attempt) => {
    const ceiling = Math.min(maxMs, minMs * 2 ** Math.max(0, attempt - 1));
    return Math.floor(random() * ceiling);
  };
}
