/** Timers and time, injectable so tests can drive them. */
export interface Clock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Milliseconds since the Unix epoch (ping timestamps travel on the wire). */
  now(): number;
}

type TimerId = Parameters<typeof globalThis.clearTimeout>[0];

/** The real clock; wrappers so the handle type differs freely between Node and browsers. */
export const systemClock: Clock = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as TimerId),
  now: () => Date.now(),
};
