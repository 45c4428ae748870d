import { CloseCode } from '@pulse/protocol';
import { describe, expect, it } from 'vitest';
import { startGateway } from './gateway-resource.js';
import { SseReader } from './sse-reader.js';
import { TestSocket } from './test-socket.js';

/** JWT `exp` has whole seconds: a 2 s token expires 1-2 s from now. */
const SHORT_TTL_S = 2;

describe('token expiry while connected', () => {
  it('warns with TOKEN_EXPIRING, then closes with 4002 at expiry, on a socket and on SSE', async () => {
    await using gw = await startGateway({ TOKEN_EXPIRY_NOTICE_MS: '1500' });
    const token = await gw.token('operator', 'op', SHORT_TTL_S);
    await using s = await TestSocket.connect(gw.wsUrl, token);
    await using sse = await SseReader.open(`${gw.httpUrl}/sse?topics=price.X&token=${token}`);
    const notice = await s.next('notice');
    expect(notice).toMatchObject({ code: 'TOKEN_EXPIRING' });
    expect(notice.retryAfterMs).toBeGreaterThan(0);
    expect(notice.retryAfterMs).toBeLessThanOrEqual(2000);
    expect(await s.closed).toMatchObject({
      code: CloseCode.TOKEN_EXPIRED,
      reason: 'token expired',
    });
    await sse.ended;
    expect(sse.frames).toContainEqual(
      expect.objectContaining({ type: 'notice', code: 'TOKEN_EXPIRING' }),
    );
    expect(sse.events.at(-1)).toEqual({
      event: 'close',
      data: JSON.stringify({ code: CloseCode.TOKEN_EXPIRED, reason: 'token expired' }),
    });
  });

  it('keeps the connection and its subscriptions when the client refreshes in time', async () => {
    await using gw = await startGateway({ TOKEN_EXPIRY_NOTICE_MS: '1500' });
    const short = await gw.token('operator', 'op', SHORT_TTL_S);
    await using s = await TestSocket.connect(gw.wsUrl, short);
    s.send({ type: 'subscribe', id: 1, topic: 'price.X', history: 0 });
    await s.next('subscribed');
    await s.next('notice', (n) => n.code === 'TOKEN_EXPIRING');
    const fresh = await gw.token('operator', 'op', 3600);
    s.send({ type: 'auth', id: 2, token: fresh });
    const ok = await s.next('authenticated');
    expect(ok.id).toBe(2);
    expect(ok.expiresAt).toBeGreaterThan(Date.now() + 3500_000);
    // Past the old expiry the connection is still up and still subscribed.
    await new Promise((r) => setTimeout(r, SHORT_TTL_S * 1000));
    await using feed = await TestSocket.connect(gw.wsUrl, await gw.token('feed', 'f'));
    feed.send({
      type: 'publish',
      topic: 'price.X',
      payload: { bid: 1, ask: 2, last: 1, volume: 1, ts: 1 },
    });
    expect((await s.messages(1))[0]).toMatchObject({ topic: 'price.X', seq: 1 });
    s.send({ type: 'ping', ts: 7 });
    expect(await s.next('pong')).toEqual({ type: 'pong', ts: 7 });
    const metrics = await gw.metrics();
    expect(metrics).toMatch(/pulse_token_refreshes_total 1/);
  });

  it('refuses a refresh with a bad, expired or different-identity token, with a code', async () => {
    await using gw = await startGateway();
    await using s = await TestSocket.connect(gw.wsUrl, await gw.token('device', 'd1'));
    s.send({ type: 'auth', id: 1, token: 'garbage' });
    expect(await s.next('error')).toMatchObject({ code: 'UNAUTHORIZED', ref: 1 });
    s.send({ type: 'auth', id: 2, token: await gw.token('device', 'd1', -5) });
    expect(await s.next('error')).toMatchObject({ code: 'TOKEN_EXPIRED', ref: 2 });
    s.send({ type: 'auth', id: 3, token: await gw.token('admin', 'd1') });
    expect(await s.next('error')).toMatchObject({ code: 'FORBIDDEN', ref: 3 });
    s.send({ type: 'auth', id: 4, token: await gw.token('device', 'd2') });
    expect(await s.next('error')).toMatchObject({ code: 'FORBIDDEN', ref: 4 });
    s.send({ type: 'auth', id: 5, token: await gw.token('device', 'd1') });
    expect(await s.next('authenticated')).toMatchObject({ id: 5 });
  });

  it('accepts a refresh whose topic allow-list is the same set in another order', async () => {
    await using gw = await startGateway();
    const topics = ['device.d1.*', 'price.X'];
    await using s = await TestSocket.connect(
      gw.wsUrl,
      await gw.token('device', 'd1', 3600, topics),
    );
    s.send({
      type: 'auth',
      id: 1,
      token: await gw.token('device', 'd1', 3600, topics.toReversed()),
    });
    expect(await s.next((f) => f.type === 'authenticated' || f.type === 'error')).toEqual({
      type: 'authenticated',
      id: 1,
      expiresAt: expect.any(Number) as number,
    });
    // A different set is still refused.
    s.send({ type: 'auth', id: 2, token: await gw.token('device', 'd1', 3600, ['device.d1.*']) });
    expect(await s.next('error')).toMatchObject({ code: 'FORBIDDEN', ref: 2 });
  });
});
