import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { run } from '../src/bootstrap.js';
import { startGateway, TEST_SECRET } from './gateway-resource.js';
import { refusal } from './fixtures.js';
import { TestSocket } from './test-socket.js';

/** Development defaults (the test resource runs NODE_ENV=test, which has neither). */
const DEV = { NODE_ENV: 'development', DEV_TOKENS: 'true' };
const ADMIN = '/auth/dev-token?role=admin&sub=x';

/** Sends raw bytes and resolves with everything the server wrote before closing. */
function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    socket.on('data', (d) => (answer += d.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', (err) => (answer ? resolve(answer) : reject(err)));
  });
}

/** A local address that is not loopback (a test listener there sees a non-loopback peer). */
const nonLoopback = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

const sign = (claims: Record<string, unknown>, expSeconds?: number, iatSeconds?: number) => {
  let jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('op');
  if (iatSeconds !== undefined) jwt = jwt.setIssuedAt(iatSeconds);
  if (expSeconds !== undefined) jwt = jwt.setExpirationTime(expSeconds);
  return jwt.sign(new TextEncoder().encode(TEST_SECRET));
};

describe('development tokens stay on this machine', () => {
  it('serves a loopback client asking from no page or its own origin', async () => {
    await using gw = await startGateway(DEV);
    const plain = await fetch(`${gw.httpUrl}${ADMIN}`);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('cache-control')).toBe('no-store');
    const own = await fetch(`${gw.httpUrl}${ADMIN}`, {
      headers: { origin: gw.httpUrl, 'sec-fetch-site': 'same-origin' },
    });
    expect(own.status).toBe(200);
  });

  it('gives a foreign page no token and no credentialed CORS, even with ALLOWED_ORIGINS=*', async () => {
    for (const env of [DEV, { ...DEV, ALLOWED_ORIGINS: '*' }]) {
      await using gw = await startGateway(env);
      const res = await fetch(`${gw.httpUrl}${ADMIN}`, {
        headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ type: 'error', code: 'ORIGIN_NOT_ALLOWED' });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
      const preflight = await fetch(`${gw.httpUrl}${ADMIN}`, {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      // A page of this machine on another port (another dev server) is another origin too.
      const sibling = await fetch(`${gw.httpUrl}${ADMIN}`, {
        headers: { origin: `http://localhost:${gw.port ^ 1}`, 'sec-fetch-site': 'same-site' },
      });
      expect(sibling.status).toBe(403);
    }
  });

  it('refuses a DNS-rebinding page whose Host is a name other than localhost', async () => {
    await using gw = await startGateway(DEV);
    const res = await rawExchange(
      gw.port,
      `GET ${ADMIN} HTTP/1.1\r\nHost: evil.example:${gw.port}\r\nConnection: close\r\n\r\n`,
    );
    expect(res).toMatch(/^HTTP\/1\.1 403/);
    expect(res).toContain('"code":"ORIGIN_NOT_ALLOWED"');
  });

  it('refuses a client a trusted proxy forwards from another address', async () => {
    await using gw = await startGateway({ ...DEV, TRUSTED_PROXIES: 'loopback' });
    const res = await fetch(`${gw.httpUrl}${ADMIN}`, {
      headers: { 'x-forwarded-for': '203.0.113.7' },
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'FORBIDDEN' });
    // A forwarded loopback client (the console's Vite proxy, the cluster balancer) is served.
    const local = await fetch(`${gw.httpUrl}${ADMIN}`, {
      headers: { 'x-forwarded-for': '127.0.0.1' },
    });
    expect(local.status).toBe(200);
  });

  it('refuses a forwarded non-loopback hop even when no proxy is trusted', async () => {
    await using gw = await startGateway(DEV);
    const res = await fetch(`${gw.httpUrl}${ADMIN}`, {
      headers: { 'x-forwarded-for': '127.0.0.1, 198.51.100.4' },
    });
    expect(res.status).toBe(403);
  });

  it.runIf(nonLoopback)(`refuses a client on a non-loopback address (${nonLoopback})`, async () => {
    await using gw = await startGateway(DEV, { host: nonLoopback! });
    const res = await fetch(`${gw.httpUrl}${ADMIN}`);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'FORBIDDEN' });
    // DEV_TOKEN_CLIENTS widens it on purpose (docker-compose's private network).
    await using wide = await startGateway(
      { ...DEV, DEV_TOKEN_CLIENTS: `loopback,${nonLoopback}` },
      { host: nonLoopback! },
    );
    expect((await fetch(`${wide.httpUrl}${ADMIN}`)).status).toBe(200);
  });

  it('lets pages of this machine connect in development, and no others', async () => {
    await using gw = await startGateway(DEV);
    const token = await gw.token('admin', 'x');
    const evil = await refusal(
      TestSocket.open(gw.wsUrl, token, { origin: 'https://evil.example' }),
    );
    expect(evil.status).toBe(403);
    expect(evil.code).toBe('ORIGIN_NOT_ALLOWED');
    await using console = await TestSocket.open(gw.wsUrl, token, {
      origin: 'http://localhost:5173',
    });
    expect(await console.next('welcome')).toMatchObject({ role: 'admin' });
  });
});

describe('bind address', () => {
  it('is loopback unless HOST says otherwise', async () => {
    const app = await run({ PORT: '0', MQTT_PORT: '0', LOG_LEVEL: 'silent', HISTORY: 'off' });
    try {
      expect(app!.getHttpServer().address()).toMatchObject({ address: '127.0.0.1' });
    } finally {
      await app!.close();
    }
  });
});

describe('token lifetime', () => {
  it('refuses a token without exp, with 401 and a message saying why', async () => {
    await using gw = await startGateway();
    const forever = await sign({ role: 'operator' });
    const ws = await refusal(TestSocket.open(gw.wsUrl, forever));
    expect(ws.status).toBe(401);
    expect(JSON.parse(ws.body)).toMatchObject({
      code: 'UNAUTHORIZED',
      message: 'token has no exp claim: tokens must expire',
    });
    const http = await fetch(`${gw.httpUrl}/publish`, {
      method: 'POST',
      headers: { authorization: `Bearer ${forever}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(http.status).toBe(401);
    expect(await http.json()).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('refuses a token living longer than TOKEN_MAX_TTL, by iat or by what remains', async () => {
    await using gw = await startGateway({ TOKEN_MAX_TTL: '1h' });
    const now = Math.floor(Date.now() / 1000);
    for (const token of [
      await sign({ role: 'operator' }, now + 7200, now),
      await sign({ role: 'operator' }, now + 7200), // no iat: measured from now
      await sign({ role: 'operator' }, now + 7200, now + 3600), // a future iat buys nothing
    ]) {
      const refused = await refusal(TestSocket.open(gw.wsUrl, token));
      expect(refused.status).toBe(401);
      expect(JSON.parse(refused.body)).toMatchObject({
        code: 'UNAUTHORIZED',
        message: 'token lifetime over TOKEN_MAX_TTL (3600 s)',
      });
    }
    await using ok = await TestSocket.open(
      gw.wsUrl,
      await sign({ role: 'operator' }, now + 3600, now),
    );
    expect(await ok.next('welcome')).toMatchObject({ role: 'operator' });
  });

  it('mints development tokens no longer than TOKEN_MAX_TTL', async () => {
    await using gw = await startGateway({ ...DEV, TOKEN_MAX_TTL: '10m' });
    const { token } = (await (await fetch(`${gw.httpUrl}${ADMIN}`)).json()) as { token: string };
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as {
      exp: number;
      iat: number;
    };
    expect(claims.exp - claims.iat).toBe(600);
  });
});

describe("errors Node's HTTP parser answers", () => {
  it('answers oversize headers with 431 and the JSON error body', async () => {
    await using gw = await startGateway();
    const res = await rawExchange(
      gw.port,
      `GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(res).toMatch(/^HTTP\/1\.1 431 /);
    expect(res).toContain('Content-Type: application/json');
    expect(JSON.parse(res.slice(res.indexOf('\r\n\r\n') + 4))).toEqual({
      type: 'error',
      code: 'TOO_LARGE',
      message: 'request headers too large',
    });
  });

  it('answers a malformed request with 400 and the JSON error body, and keeps serving', async () => {
    await using gw = await startGateway();
    const res = await rawExchange(gw.port, 'HELLO THERE\r\n\r\n');
    expect(res).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(res.slice(res.indexOf('\r\n\r\n') + 4))).toMatchObject({
      type: 'error',
      code: 'BAD_REQUEST',
    });
    expect((await fetch(`${gw.httpUrl}/health/live`)).status).toBe(200);
  });
});
