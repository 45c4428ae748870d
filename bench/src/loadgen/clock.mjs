// One clock for every process of a run: wall-clock milliseconds with sub-millisecond resolution.
// Processes on one machine share it, so a time stamped by a publisher in one process can be
// subtracted from a receive time in another (performance.timeOrigin is taken in µs at start).

/** Wall-clock ms (fractional). */
export const now = () => performance.timeOrigin + performance.now();

/** Resolves after `ms` (≥ 0). */
export const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** Resolves at wall-clock time `at` (ms). */
export const sleepUntil = (at) => sleep(at - now());
