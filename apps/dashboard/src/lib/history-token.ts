import { getContext, setContext } from 'svelte';
import { fetchDevToken } from './dev-token.js';
import type { HistoryToken } from './history-fetch.js';

const KEY = Symbol('history-token');

/** The token long charts send to `GET /history` (the app passes the one its client uses). */
export function provideHistoryToken(token: HistoryToken): void {
  setContext(KEY, token);
}

/** The provided token, or a development token from this origin's gateway. */
export function useHistoryToken(): HistoryToken {
  return getContext<HistoryToken | undefined>(KEY) ?? cachedToken(() => fetchDevToken());
}

/**
 * One token for every chart's requests (sixteen symbols at 24 h would otherwise fetch
 * thirty-two), fetched again after `maxAgeMs`, after a failure, or when asked `fresh` (a 401).
 */
export function cachedToken(
  get: () => Promise<string>,
  maxAgeMs = 60_000,
  now: () => number = Date.now,
): (fresh?: boolean) => Promise<string> {
  let cached: { at: number; token: Promise<string> } | undefined;
  return (fresh = false) => {
    if (fresh || !cached || now() - cached.at > maxAgeMs) {
      const entry = { at: now(), token: get() };
      cached = entry;
      entry.token.catch(() => {
        if (cached === entry) cached = undefined;
      });
    }
    return cached.token;
  };
}
