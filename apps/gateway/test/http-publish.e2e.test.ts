import { describe, expect, it } from 'vitest';
import { startGateway } from './gateway-resource.js';
import { TestSocket } from './test-socket.js';
import { tick } from './fixtures.js';

describe('POST /publish', () => {
  it('stores like a socket publish, acks with the seq, and subscribers receive it', async () => {
    await using gw = await startGateway();
    await using op = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
    op.send({ type: 'subscribe', id: 1, topic: 'price.X', history: 0 });
    await op.next('subscribed');
    const post = await poster(gw.httpUrl, await gw.token('feed', 'f'));
    expect(await post({ id: 7, topic: 'price.X', payload: tick(1) })).toMatchObject({
      status: 200,
      body: { type: 'ack', id: 7, topic: 'price.X', seq: 1 },
    });
    expect(await post({ type: 'publish', topic: 'price.X', payload: tick(2) })).toMatchObject({
      status: 200,
      body: { id: 0, seq: 2 },
    });
    expect((await op.messages(2)).map((m) => m.seq)).toEqual([1, 2]);
  });

  it('refuses with the protocol error code and its HTTP status', async () => {
    await using gw = await startGateway({ PUBLISH_LIMITS: 'feed=1/2' });
    const feed = await poster(gw.httpUrl, await gw.token('feed', 'f'));
    const operator = await poster(gw.httpUrl, await gw.token('operator', 'op'));
    const anonymous = await poster(gw.httpUrl, undefined);
    expect(await anonymous({ topic: 'price.X', payload: tick(1) })).toMatchObject({
      status: 401,
      body: { code: 'UNAUTHORIZED' },
    });
    expect(await operator({ id: 1, topic: 'price.X', payload: tick(1) })).toMatchObject({
      status: 403,
      body: { type: 'error', code: 'FORBIDDEN', ref: 1, topic: 'price.X' },
    });
    expect(await feed({ id: 2, topic: 'price.*', payload: tick(1) })).toMatchObject({
      status: 400,
      body: { code: 'INVALID_TOPIC', ref: 2 },
    });
    expect(await feed({ id: 3, topic: 'price.X', payload: { bid: 'high' } })).toMatchObject({
      status: 400,
      body: { code: 'INVALID_PAYLOAD', ref: 3 },
    });
    expect(await feed({ type: 'subscribe', id: 4, topic: 'price.X' })).toMatchObject({
      status: 400,
      body: { code: 'INVALID_MESSAGE' },
    });
    expect(await feed([1, 2, 3])).toMatchObject({ status: 400, body: { code: 'INVALID_MESSAGE' } });
    await feed({ topic: 'price.X', payload: tick(1) });
    await feed({ topic: 'price.X', payload: tick(1) });
    const limited = await feed({ id: 5, topic: 'price.X', payload: tick(1) });
    expect(limited).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED', ref: 5 } });
    expect(limited.retryAfter).toBe('1');
    expect((limited.body as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
  });
});

describe('CORS for browser pages on allowed origins', () => {
  it('answers the preflight for allowed origins only, and refuses others with 403', async () => {
    await using gw = await startGateway({ ALLOWED_ORIGINS: 'https://ops.example.com' });
    const preflight = (origin: string) =>
      fetch(`${gw.httpUrl}/publish`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
    const ok = await preflight('https://ops.example.com');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://ops.example.com');
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const res = await fetch(`${gw.httpUrl}/publish`, {
      method: 'POST',
      headers: {
        origin: 'https://evil.example',
        'content-type': 'application/json',
        authorization: `Bearer ${await gw.token('feed', 'f')}`,
      },
      body: JSON.stringify({ topic: 'price.X', payload: tick(1) }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'ORIGIN_NOT_ALLOWED' });
  });
});

async function poster(base: string, token: string | undefined) {
  return async (body: unknown) => {
    const res = await fetch(`${base}/publish`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      body: (await res.json()) as Record<string, unknown>,
    };
  };
}
