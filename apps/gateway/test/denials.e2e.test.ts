import { connect } from 'node:net';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { startGateway, TEST_SECRET } from './gateway-resource.js';
import { refusal } from './fixtures.js';
import { TestSocket, UpgradeRefused } from './test-socket.js';

const reading = { value: 1, unit: 'C', ts: 1_700_000_000_000 };

const signWith = (secret: string, claims: Record<string, unknown>, ttl = '1h') =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('x')
    .setExpirationTime(ttl)
    .sign(new TextEncoder().encode(secret));

describe('every denial has a status or a code', () => {
  it('refuses before the upgrade: no token, bad signature, expired, unknown role', async () => {
    await using gw = await startGateway();
    const cases: [string | undefined, number, string][] = [
      [undefined, 401, 'UNAUTHORIZED'],
      ['not-a-jwt', 401, 'UNAUTHORIZED'],
      [
        await signWith('another-secret-another-secret-another!', { role: 'operator' }),
        401,
        'UNAUTHORIZED',
      ],
      [await gw.token('operator', 'op', -10), 401, 'TOKEN_EXPIRED'],
      [await signWith(TEST_SECRET, { role: 'root' }), 401, 'UNAUTHORIZED'],
    ];
    for (const [token, status, code] of cases) {
      const r = await refusal(TestSocket.open(gw.wsUrl, token));
      expect([r.status, r.code]).toEqual([status, code]);
      expect(r.headers['content-type']).toBe('application/json');
    }
  });

  it('refuses a wrong role or another device’s topic with FORBIDDEN and keeps the socket', async () => {
    await using gw = await startGateway();
    await using op = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
    op.send({ type: 'publish', id: 1, topic: 'price.X', payload: reading });
    expect(await op.next('error')).toMatchObject({ code: 'FORBIDDEN', ref: 1 });
    await using dev = await TestSocket.connect(gw.wsUrl, await gw.token('device', 'd1'));
    dev.send({ type: 'publish', id: 2, topic: 'device.d2.temperature', payload: reading });
    expect(await dev.next('error')).toMatchObject({ code: 'FORBIDDEN', ref: 2 });
    dev.send({ type: 'publish', id: 3, topic: 'device.d1.temperature', payload: reading });
    expect(await dev.next('ack')).toMatchObject({ id: 3 });
  });

  it('holds a token to its topics allow-list', async () => {
    await using gw = await startGateway();
    const kiosk = await gw.token('operator', 'kiosk', 3600, ['price.*']);
    await using s = await TestSocket.connect(gw.wsUrl, kiosk);
    s.send({ type: 'subscribe', id: 1, topic: 'price.*' });
    expect(await s.next('subscribed')).toMatchObject({ id: 1 });
    s.send({ type: 'subscribe', id: 2, topic: 'device.*.temperature' });
    expect(await s.next('error')).toMatchObject({ code: 'FORBIDDEN', ref: 2 });
    const feed = await gw.token('feed', 'f', 3600, ['price.BTC']);
    await using f = await TestSocket.connect(gw.wsUrl, feed);
    f.send({ type: 'publish', id: 3, topic: 'price.ETH', payload: tick() });
    expect(await f.next('error')).toMatchObject({ code: 'FORBIDDEN', ref: 3 });
    f.send({ type: 'publish', id: 4, topic: 'price.BTC', payload: tick() });
    expect(await f.next('ack')).toMatchObject({ id: 4 });
  });

  it('accepts the token from the pulse_token cookie', async () => {
    await using gw = await startGateway();
    const token = await gw.token('operator', 'cookie-user');
    await using s = await TestSocket.open(gw.wsUrl, undefined, {
      headers: { cookie: `theme=dark; pulse_token=${token}` },
    });
    expect(await s.next('welcome')).toMatchObject({ subject: 'cookie-user' });
  });

  it('refuses browser pages from unknown origins with 403, and lets non-browsers in', async () => {
    await using gw = await startGateway({ ALLOWED_ORIGINS: 'https://ops.example.com' });
    const token = await gw.token('operator', 'op');
    const r = await refusal(TestSocket.open(gw.wsUrl, token, { origin: 'https://evil.example' }));
    expect([r.status, r.code]).toEqual([403, 'ORIGIN_NOT_ALLOWED']);
    for (const origin of ['https://ops.example.com', `http://127.0.0.1:${gw.port}`, undefined]) {
      await using s = await TestSocket.open(gw.wsUrl, token, origin ? { origin } : {});
      expect(await s.next('welcome')).toMatchObject({ subject: 'op' });
    }
  });

  it('caps connections per address (429) and gives the slot back when one closes', async () => {
    await using gw = await startGateway({ MAX_CONNECTIONS_PER_IP: '2' });
    const token = await gw.token('operator', 'op');
    const a = await TestSocket.connect(gw.wsUrl, token);
    await using _b = await TestSocket.connect(gw.wsUrl, token);
    const r = await refusal(TestSocket.open(gw.wsUrl, token));
    expect([r.status, r.code, r.headers['retry-after']]).toEqual([
      429,
      'TOO_MANY_CONNECTIONS',
      '5',
    ]);
    a.close();
    await a.closed;
    await expect(waitForSlot(() => TestSocket.connect(gw.wsUrl, token))).resolves.toBeDefined();
  });

  it('counts per-address caps by X-Forwarded-For only behind a trusted proxy (TRUSTED_PROXIES)', async () => {
    const via = (address: string) => ({ headers: { 'x-forwarded-for': address } });
    // Untrusted: the header is ignored, so a client cannot dodge its cap by making one up.
    await using open = await startGateway({ MAX_CONNECTIONS_PER_IP: '1' });
    const token = await open.token('operator', 'op');
    await using _first = await TestSocket.open(open.wsUrl, token, via('10.0.0.1'));
    const spoofed = await refusal(TestSocket.open(open.wsUrl, token, via('10.0.0.2')));
    expect([spoofed.status, spoofed.code]).toEqual([429, 'TOO_MANY_CONNECTIONS']);

    // Behind a trusted balancer (here: loopback), each forwarded client has its own cap.
    await using proxied = await startGateway({
      MAX_CONNECTIONS_PER_IP: '1',
      TRUSTED_PROXIES: 'loopback',
    });
    const t = await proxied.token('operator', 'op');
    await using _a = await TestSocket.open(proxied.wsUrl, t, via('10.0.0.1'));
    await using _b = await TestSocket.open(proxied.wsUrl, t, via('10.0.0.2'));
    const again = await refusal(TestSocket.open(proxied.wsUrl, t, via('10.0.0.1')));
    expect([again.status, again.code]).toEqual([429, 'TOO_MANY_CONNECTIONS']);
    // A client that prepends its own entry is still counted by what the proxy saw.
    const prepended = await refusal(TestSocket.open(proxied.wsUrl, t, via('10.9.9.9, 10.0.0.2')));
    expect(prepended.status).toBe(429);
  });

  it('caps connections in all with 503', async () => {
    await using gw = await startGateway({ MAX_CONNECTIONS: '1' });
    await using _a = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'a'));
    const r = await refusal(TestSocket.open(gw.wsUrl, await gw.token('operator', 'b')));
    expect([r.status, r.code]).toEqual([503, 'OVER_CAPACITY']);
  });

  it('drops a TCP connection that does not finish its request within AUTH_TIMEOUT_MS', async () => {
    await using gw = await startGateway({ AUTH_TIMEOUT_MS: '200' });
    const started = Date.now();
    const socket = connect(gw.port, '127.0.0.1');
    socket.on('connect', () => socket.write('GET /ws HTTP/1.1\r\nHost: x\r\n')); // never finished
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('close', resolve));
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

function tick() {
  return { bid: 1, ask: 2, last: 1.5, volume: 1, ts: 1_700_000_000_000 };
}

/** The server frees the slot when it sees the close; retry briefly until it has. */
async function waitForSlot<T>(open: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await open();
    } catch (err) {
      if (i > 50 || !(err instanceof UpgradeRefused)) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
