import { HistoryResponseSchema, type HistoryResponse } from '@pulse/protocol';
import * as v from 'valibot';

/**
 * A bearer token, or a function that gets one: called again with `fresh` after a 401, so a
 * cached token is replaced.
 */
export type HistoryToken = string | ((fresh?: boolean) => string | Promise<string>);

export interface HistoryQuery {
  /** One exact topic (`device.d1.temperature`, `price.ACME`). */
  topic: string;
  /** Start and end of the window (ms since the epoch; `to` exclusive). */
  from: number;
  to: number;
  /** Bucket width in ms, `auto` (≤ HISTORY_AUTO_POINTS buckets) or `raw`. Default `auto`. */
  step?: number | 'auto' | 'raw';
}

/**
 * Why a window could not be loaded, as the operator is told. `unavailable`: the gateway has no
 * history store (404), it is degraded (503) or the network failed; `forbidden`: the token may
 * not read the topic; `rejected`: the gateway refused the query (400, with its code);
 * `invalid`: the answer does not match the protocol (a gateway of another version).
 */
export type HistoryProblem =
  | { kind: 'unavailable'; status: number | undefined; message: string }
  | { kind: 'forbidden'; status: number; message: string }
  | { kind: 'rejected'; status: number; code: string; message: string }
  | { kind: 'invalid'; message: string }
  | { kind: 'aborted'; message: string };

export type HistoryResult =
  { ok: true; history: HistoryResponse } | { ok: false; problem: HistoryProblem };

export interface HistoryFetchOptions {
  token: HistoryToken;
  fetchFn?: typeof fetch;
  signal?: AbortSignal;
}

/** The gateway's HTTP error body (protocol.md §24); only what the console reads. */
const ErrorBodySchema = v.object({ code: v.string(), message: v.optional(v.string()) });

/** `/history?topic=…&from=…&to=…&step=…` on this page's origin (proxied to the gateway). */
export function historyUrl(q: HistoryQuery): string {
  const params = new URLSearchParams({
    topic: q.topic,
    from: String(Math.floor(q.from)),
    to: String(Math.ceil(q.to)),
    step: String(q.step ?? 'auto'),
  });
  return `/history?${params.toString()}`;
}

/**
 * Loads one history window. Never throws: every failure comes back as a `HistoryProblem` the
 * chart can show, and the response is checked against the protocol's schema at this edge, so
 * the stitching and drawing code trusts its types.
 */
export async function fetchHistory(
  q: HistoryQuery,
  options: HistoryFetchOptions,
): Promise<HistoryResult> {
  const fetchFn = options.fetchFn ?? fetch;
  const url = historyUrl(q);
  try {
    let res = await request(fetchFn, url, await tokenOf(options.token), options.signal);
    // An expired token: a token function can mint another; try once more with it.
    if (res.status === 401 && typeof options.token === 'function') {
      res = await request(fetchFn, url, await options.token(true), options.signal);
    }
    if (!res.ok) return { ok: false, problem: await problemOf(res) };
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      return { ok: false, problem: { kind: 'invalid', message: 'History answer is not JSON' } };
    }
    const parsed = v.safeParse(HistoryResponseSchema, body);
    if (!parsed.success) {
      const issue = parsed.issues[0];
      const where = issue ? v.getDotPath(issue) : null;
      return {
        ok: false,
        problem: {
          kind: 'invalid',
          message: `History answer does not match the protocol${where ? ` (${where})` : ''}`,
        },
      };
    }
    return { ok: true, history: parsed.output };
  } catch (err) {
    if (options.signal?.aborted) {
      return { ok: false, problem: { kind: 'aborted', message: 'History request cancelled' } };
    }
    const reason = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      problem: {
        kind: 'unavailable',
        status: undefined,
        message: `History unavailable: ${reason}`,
      },
    };
  }
}

/** One line for the chart's note. */
export function describeProblem(p: HistoryProblem): string {
  return p.message;
}

async function tokenOf(token: HistoryToken): Promise<string> {
  return typeof token === 'function' ? await token() : token;
}

function request(
  fetchFn: typeof fetch,
  url: string,
  token: string,
  signal: AbortSignal | undefined,
): Promise<Response> {
  const init: RequestInit = { headers: { authorization: `Bearer ${token}` } };
  if (signal) init.signal = signal;
  return fetchFn(url, init);
}

async function problemOf(res: Response): Promise<HistoryProblem> {
  let code = '';
  let detail = '';
  try {
    const parsed = v.safeParse(ErrorBodySchema, await res.json());
    if (parsed.success) {
      code = parsed.output.code;
      detail = parsed.output.message ?? '';
    }
  } catch {
    // Not the gateway's JSON error (a proxy's HTML page): the status says enough.
  }
  const status = res.status;
  if (status === 401 || status === 403) {
    return {
      kind: 'forbidden',
      status,
      message: `History not allowed for this console (${code || status})`,
    };
  }
  if (status === 400) {
    return {
      kind: 'rejected',
      status,
      code: code || 'BAD_REQUEST',
      message: `History refused the window: ${detail || code || 'bad request'}`,
    };
  }
  if (status === 404) {
    return {
      kind: 'unavailable',
      status,
      message: 'History unavailable: this gateway has no history store',
    };
  }
  return {
    kind: 'unavailable',
    status,
    message: `History unavailable (${code || `HTTP ${status}`}${detail ? `: ${detail}` : ''})`,
  };
}
