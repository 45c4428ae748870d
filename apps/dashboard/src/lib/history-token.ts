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
  return getContext<HistoryToken | undefined>(KEY) ?? (() => fetchDevToken());
}
