import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { BUSES, gatewaysOn } from './gateway-resource.js';
import { TestSocket, UpgradeRefused } from './test-socket.js';

const reading = { value: 1, unit: 'C', ts: 1_700_000_000_000 };

async function refusedStatus(p: Promise<unknown>): Promise<number> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UpgradeRefused);
  return (err as UpgradeRefused).status;
}

describe.each(BUSES)('authentication before the upgrade (%s bus)', (bus) => {
  const startGateway = gatewaysOn(bus);

  it('refuses a missing, malformed, wrongly signed or expired token with HTTP 401', async () => {
    await using gw = await startGateway();
    const wrongKey = await new SignJWT({ role: 'operator' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('op')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('another-secret-another-secret-another!'));
    const expired = await gw.token('operator', 'op', -10);
    expect(await refusedStatus(TestSocket.open(gw.wsUrl))).toBe(401);
    expect(await refusedStatus(TestSocket.open(gw.wsUrl, 'not-a-jwt'))).toBe(401);
    expect(await refusedStatus(TestSocket.open(gw.wsUrl, wrongKey))).toBe(401);
    expect(await refusedStatus(TestSocket.open(gw.wsUrl, expired))).toBe(401);
  });

  it('refuses a token whose role is unknown', async () => {
    await using gw = await startGateway();
    const { TEST_SECRET } = await import('./gateway-resource.js');
    const bad = await new SignJWT({ role: 'root' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(TEST_SECRET));
    expect(await refusedStatus(TestSocket.open(gw.wsUrl, bad))).toBe(401);
  });

  it('accepts the token in an Authorization header', async () => {
    await using gw = await startGateway();
    const token = await gw.token('operator', 'op');
    await using s = await TestSocket.open(gw.wsUrl, undefined, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await s.next('welcome')).toMatchObject({ role: 'operator', subject: 'op', protocol: 1 });
  });

  it('lets a device publish only to its own topics, and operators not at all', async () => {
    await using gw = await startGateway();
    await using dev = await TestSocket.connect(gw.wsUrl, await gw.token('device', 'd1'));
    dev.send({ type: 'publish', id: 1, topic: 'device.d2.temperature', payload: reading });
    expect(await dev.next('error')).toMatchObject({
      code: 'FORBIDDEN',
      ref: 1,
      topic: 'device.d2.temperature',
    });
    dev.send({ type: 'publish', id: 2, topic: 'price.X', payload: reading });
    expect(await dev.next('error')).toMatchObject({ code: 'FORBIDDEN', ref: 2 });
    dev.send({
      type: 'publish',
      id: 3,
      topic: 'presence.d1',
      payload: { deviceId: 'd1', online: true, lastSeen: 1 },
    });
    expect(await dev.next('error')).toMatchObject({ code: 'FORBIDDEN', ref: 3 });
    dev.send({ type: 'publish', id: 4, topic: 'device.d1.temperature', payload: reading });
    expect(await dev.next('ack')).toMatchObject({ id: 4, seq: 1 });

    await using op = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
    op.send({ type: 'publish', id: 5, topic: 'device.d1.temperature', payload: reading });
    expect(await op.next('error')).toMatchObject({ code: 'FORBIDDEN', ref: 5 });
  });

  it('serves development tokens only when enabled, and checks their parameters', async () => {
    await using dev = await startGateway({ DEV_TOKENS: 'true' });
    const ok = await fetch(`${dev.httpUrl}/auth/dev-token?role=operator&sub=console`);
    expect(ok.status).toBe(200);
    const { token } = (await ok.json()) as { token: string };
    await using s = await TestSocket.open(dev.wsUrl, token);
    expect(await s.next('welcome')).toMatchObject({ role: 'operator', subject: 'console' });
    expect((await fetch(`${dev.httpUrl}/auth/dev-token?role=root&sub=x`)).status).toBe(400);
    expect((await fetch(`${dev.httpUrl}/auth/dev-token?role=device&sub=a.b`)).status).toBe(400);

    await using prod = await startGateway({ DEV_TOKENS: 'false' });
    expect((await fetch(`${prod.httpUrl}/auth/dev-token?role=operator&sub=console`)).status).toBe(
      404,
    );
  });
});
