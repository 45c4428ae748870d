import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { systemClock } from './clock.js';
import { createOpener } from './connection.js';
import { Rng } from './random.js';
import { PublisherSession } from './session.js';
import { Stats } from './stats.js';
import { createTokenSource } from './tokens.js';

const SECRET = 'test-secret';

interface Frame {
  type: string;
  id?: number;
  topic?: string;
  payload?: unknown;
  ts?: number;
}

/**
 * A scripted stand-in for the gateway: welcomes, records publishes and answers them with
 * whatever `reply` returns. Real sockets, port 0.
 */
async function fakeGateway(reply: (publish: Frame, n: number) => object | undefined) {
  const wss = new WebSocketServer({
    port: 0,
    handleProtocols: (offered) => [...offered][0] ?? false,
  });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const publishes: { frame: Frame; at: number }[] = [];
  const sockets: WebSocket[] = [];
  const tokens: string[] = [];
  wss.on('connection', (ws, req) => {
    sockets.push(ws);
    tokens.push(new URL(req.url ?? '/', 'http://x').searchParams.get('token') ?? '');
    ws.send(
      JSON.stringify({
        type: 'welcome',
        protocol: 1,
        serverId: 'fake',
        connectionId: 'c1',
        heartbeatMs: 15_000,
        role: 'device',
        subject: 'dev-001',
        limits: { maxFrameBytes: 65_536, maxSubscriptions: 100, historySize: 100 },
      }),
    );
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      if (frame.type === 'ping') return ws.send(JSON.stringify({ type: 'pong', ts: frame.ts }));
      if (frame.type !== 'publish') return;
      publishes.push({ frame, at: Date.now() });
      const answer = reply(frame, publishes.length);
      if (answer) ws.send(JSON.stringify(answer));
    });
  });
  const { port } = wss.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    publishes,
    sockets,
    tokens,
    [Symbol.asyncDispose]: () =>
      new Promise<void>((resolve) => {
        session?.stop();
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => resolve());
      }),
  };
}

let session: PublisherSession | undefined;
afterEach(() => session?.stop());

function deviceSession(url: string, stats: Stats) {
  const tokens = createTokenSource({ url, secret: SECRET });
  session = new PublisherSession({
    role: 'device',
    sub: 'dev-001',
    open: createOpener({ url, codec: 'json', tokens }),
    stats,
    clock: systemClock,
    rng: new Rng(1),
    ackRatio: 1,
    intervalMs: 100,
  });
  session.connect();
  return session;
}

describe('a device session over a real PulseClient', () => {
  it('connects with a minted token, and retries a RATE_LIMITED publish once after retryAfterMs', async () => {
    await using gw = await fakeGateway((p, n) =>
      n === 1
        ? {
            type: 'error',
            code: 'RATE_LIMITED',
            message: 'over quota',
            ref: p.id,
            retryAfterMs: 200,
          }
        : { type: 'ack', id: p.id, topic: p.topic, seq: n },
    );
    const stats = new Stats();
    const s = deviceSession(gw.url, stats);
    await vi.waitFor(() => expect(s.connected).toBe(true));
    const { payload } = await jwtVerify(gw.tokens[0]!, new TextEncoder().encode(SECRET));
    expect(payload).toMatchObject({ sub: 'dev-001', role: 'device' });

    const reading = { value: 21.5, unit: '°C', ts: Date.now() };
    expect(s.publisher.send('device.dev-001.temperature', reading)).toBe('sent');
    await vi.waitFor(() => expect(stats.pauses).toBe(1));
    expect(stats.rejected.get('RATE_LIMITED')).toBe(1);
    // Paused: the next reading is held back, not sent.
    expect(s.publisher.send('device.dev-001.temperature', reading)).toBe('held');

    await vi.waitFor(() => expect(stats.acked).toBe(1));
    expect(stats.retried).toBe(1);
    expect(gw.publishes).toHaveLength(2);
    const [first, retry] = gw.publishes;
    expect(retry!.frame).toMatchObject({ topic: 'device.dev-001.temperature', payload: reading });
    // The retry is the same publish: same idempotency key, so the gateway stores it once.
    expect((retry!.frame as { key?: string }).key).toMatch(/^[a-z0-9]{12}-\d+$/);
    expect((retry!.frame as { key?: string }).key).toBe((first!.frame as { key?: string }).key);
    expect(retry!.at - first!.at).toBeGreaterThanOrEqual(150);
    expect(s.publisher.send('device.dev-001.temperature', reading)).toBe('sent');
  });

  it('halves its rate on a SLOW_DOWN notice and counts a fire-and-forget rejection', async () => {
    await using gw = await fakeGateway(() => undefined);
    const stats = new Stats();
    const s = deviceSession(gw.url, stats);
    await vi.waitFor(() => expect(s.connected).toBe(true));
    gw.sockets[0]!.send(
      JSON.stringify({ type: 'notice', code: 'SLOW_DOWN', message: 'busy', retryAfterMs: 5000 }),
    );
    gw.sockets[0]!.send(
      JSON.stringify({
        type: 'error',
        code: 'FORBIDDEN',
        message: 'not yours',
        topic: 'device.x.y',
      }),
    );
    await vi.waitFor(() => expect(stats.slowDowns).toBe(1));
    await vi.waitFor(() => expect(stats.rejected.get('FORBIDDEN')).toBe(1));
    expect(s.flow.nextDelay(Date.now())).toBe(200);
  });

  it('counts a reconnect when the server drops the link', async () => {
    await using gw = await fakeGateway(() => undefined);
    const stats = new Stats();
    const s = deviceSession(gw.url, stats);
    await vi.waitFor(() => expect(s.connected).toBe(true));
    gw.sockets[0]!.close(1012, 'restart');
    await vi.waitFor(() => expect(stats.reconnects).toBe(1));
    expect(stats.connectFailures).toBe(1);
    expect(stats.lastFailure).toBe('1012 restart');
    expect(s.connected).toBe(true);
  });
});
