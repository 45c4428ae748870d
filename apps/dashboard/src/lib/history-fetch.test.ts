import { describe, expect, it } from 'vitest';
import { fetchHistory, historyUrl } from './history-fetch.js';

const query = { topic: 'device.d1.temperature', from: 1000, to: 61_000 };
const readings = {
  topic: 'device.d1.temperature',
  from: 0,
  to: 61_000,
  kind: 'readings',
  step: 60_000,
  source: '1m',
  points: [{ t: 0, count: 2, min: 1, max: 3, mean: 2, last: 3 }],
};

/** A fetch that answers from a list and records the requests. */
function fakeFetch(...answers: (Response | Error)[]) {
  const calls: { url: string; auth: string | null }[] = [];
  const fn = (async (url: string, init?: RequestInit) => {
    calls.push({ url, auth: new Headers(init?.headers).get('authorization') });
    const next = answers.shift();
    if (!next || next instanceof Error) throw next ?? new Error('no answer');
    return next;
  }) as typeof fetch;
  return { fn, calls };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const error = (status: number, code: string, message = 'm') =>
  json(status, { type: 'error', code, message });

describe('fetchHistory', () => {
  it('sends the window and a Bearer token and returns the checked response', async () => {
    const { fn, calls } = fakeFetch(json(200, readings));
    const result = await fetchHistory(query, { token: 'tok', fetchFn: fn });
    expect(result).toEqual({ ok: true, history: readings });
    expect(calls).toEqual([
      {
        url: '/history?topic=device.d1.temperature&from=1000&to=61000&step=auto',
        auth: 'Bearer tok',
      },
    ]);
  });

  it('refuses an answer that does not match the protocol schema', async () => {
    const bad = { ...readings, points: [{ t: 0, count: 0, min: 1, max: 3, mean: 2, last: 3 }] };
    const { fn } = fakeFetch(json(200, bad), new Response('<html>', { status: 200 }));
    const r1 = await fetchHistory(query, { token: 't', fetchFn: fn });
    expect(r1).toMatchObject({ ok: false, problem: { kind: 'invalid' } });
    expect(r1.ok || r1.problem.message).toContain('points.0.count');
    const r2 = await fetchHistory(query, { token: 't', fetchFn: fn });
    expect(r2).toMatchObject({ ok: false, problem: { kind: 'invalid' } });
  });

  it('maps gateway errors to what the operator is told', async () => {
    const cases: [Response | Error, string, RegExp][] = [
      [error(400, 'BAD_REQUEST', 'from after to'), 'rejected', /from after to/],
      [error(403, 'FORBIDDEN'), 'forbidden', /not allowed/],
      [error(404, 'NOT_FOUND'), 'unavailable', /no history store/],
      [error(503, 'UNAVAILABLE', 'store degraded'), 'unavailable', /UNAVAILABLE: store degraded/],
      [new Response('Bad Gateway', { status: 502 }), 'unavailable', /HTTP 502/],
      [new TypeError('Failed to fetch'), 'unavailable', /Failed to fetch/],
    ];
    for (const [answer, kind, message] of cases) {
      const { fn } = fakeFetch(answer);
      const result = await fetchHistory(query, { token: 't', fetchFn: fn });
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.problem.kind).toBe(kind);
      expect(result.problem.message).toMatch(message);
    }
  });

  it('asks a token function again after a 401, once', async () => {
    const { fn, calls } = fakeFetch(error(401, 'TOKEN_EXPIRED'), json(200, readings));
    let n = 0;
    const result = await fetchHistory(query, { token: () => `t${++n}`, fetchFn: fn });
    expect(result.ok).toBe(true);
    expect(calls.map((c) => c.auth)).toEqual(['Bearer t1', 'Bearer t2']);
    const again = fakeFetch(error(401, 'UNAUTHORIZED'), error(401, 'UNAUTHORIZED'));
    const refused = await fetchHistory(query, { token: () => 'x', fetchFn: again.fn });
    expect(refused).toMatchObject({ ok: false, problem: { kind: 'forbidden', status: 401 } });
    expect(again.calls).toHaveLength(2);
  });

  it('reports a cancelled request as aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const fn = ((_url: string, init?: RequestInit) =>
      Promise.reject(init?.signal?.reason as Error)) as typeof fetch;
    const result = await fetchHistory(query, {
      token: 't',
      fetchFn: fn,
      signal: controller.signal,
    });
    expect(result).toMatchObject({ ok: false, problem: { kind: 'aborted' } });
  });

  it('rounds the window outward to whole milliseconds', () => {
    expect(historyUrl({ topic: 'price.X', from: 10.7, to: 20.2, step: 'raw' })).toBe(
      '/history?topic=price.X&from=10&to=21&step=raw',
    );
  });
});
