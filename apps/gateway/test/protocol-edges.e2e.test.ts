import { describe, expect, it } from 'vitest';
import { publishN, reading } from './fixtures.js';
import { startGateway } from './gateway-resource.js';
import { SseReader } from './sse-reader.js';
import { TestSocket, UpgradeRefused } from './test-socket.js';

/**
 * The corners of docs/protocol.md an outside client author asked about, each pinned to what
 * the gateway does (§6, §9.3, §9.6, §2.1, §11, §12, §13.3, §22).
 */
describe('protocol edges, as documented', () => {
  it('§9.6: maxRate without a topic policy keeps the latest value and adds no agg', async () => {
    await using gw = await startGateway({ TOPIC_POLICIES: 'none' });
    await using op = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
    await using dev = await TestSocket.connect(gw.wsUrl, await gw.token('device', 'd1'));
    const topic = 'device.d1.temperature';
    op.send({ type: 'subscribe', id: 1, topic, history: 0, maxRate: 2 });
    await op.next('subscribed');
    await publishN(dev, topic, 1, 30);
    // Delivery ends on the true latest value; whatever came before it, nothing carries `agg`.
    const got = [];
    for (;;) {
      const [m] = await op.messages(1, topic);
      got.push(m!);
      if (m!.seq === 30) break;
    }
    expect(got.length).toBeLessThan(30);
    expect(got.at(-1)!.payload).toEqual(reading(30));
    for (const m of got) expect(m).not.toHaveProperty('agg');
  });

  it('§9.3: since beyond the latest seq answers recovered: false and the latest value', async () => {
    await using gw = await startGateway();
    await using dev = await TestSocket.connect(gw.wsUrl, await gw.token('device', 'd1'));
    const topic = 'device.d1.temperature';
    await publishN(dev, topic, 1, 3);
    await using op = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
    op.send({ type: 'subscribe', id: 1, topic, history: 1 });
    const [latest] = await op.messages(1, topic);
    op.send({ type: 'unsubscribe', id: 2, topic });
    await op.next('unsubscribed');
    op.send({ type: 'subscribe', id: 3, topic, since: 99, epoch: latest!.epoch });
    expect(await op.next('subscribed', (f) => f.id === 3)).toMatchObject({ recovered: false });
    const [again] = await op.messages(1, topic);
    expect(again).toMatchObject({ seq: 3, payload: reading(3) });
  });

  it('§13.3: the invalid frame that reaches the limit is answered before the 4003 close', async () => {
    await using gw = await startGateway({ MAX_INVALID_FRAMES: '10' });
    await using s = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
    for (let i = 1; i <= 10; i++) s.send({ type: 'teleport', id: i });
    const { code } = await s.closed;
    expect(code).toBe(4003);
    const refs = s.frames.filter((f) => f.type === 'error').map((f) => f.ref);
    expect(refs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('§11: a single update is a message frame, never a batch of one', async () => {
    await using gw = await startGateway({ BATCH_WINDOW_MS: '20' });
    await using op = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
    await using dev = await TestSocket.connect(gw.wsUrl, await gw.token('device', 'd1'));
    op.send({ type: 'subscribe', id: 1, topic: 'device.d1.temperature', history: 0 });
    await op.next('subscribed');
    await publishN(dev, 'device.d1.temperature', 1, 1);
    const frame = await op.next((f) => f.type === 'message' || f.type === 'batch');
    expect(frame).toMatchObject({ type: 'message', seq: 1 });
  });

  it('§22: on SSE the server numbers subscribed ids 1..n in topics order', async () => {
    await using gw = await startGateway();
    const token = await gw.token('operator', 'op');
    await using sse = await SseReader.open(
      `${gw.httpUrl}/sse?topics=price.B,device.*.temperature,price.A&history=0`,
      { authorization: `Bearer ${token}` },
    );
    await sse.until((r) => r.frames.filter((f) => f.type === 'subscribed').length === 3);
    const subscribed = sse.frames.filter((f) => f.type === 'subscribed');
    expect(subscribed.map((f) => [f.id, f.topic])).toEqual([
      [1, 'price.B'],
      [2, 'device.*.temperature'],
      [3, 'price.A'],
    ]);
  });

  it('§12: a silent client is closed with 4101 after 2 to 3 heartbeat intervals', async () => {
    const heartbeatMs = 200;
    await using gw = await startGateway({ HEARTBEAT_MS: String(heartbeatMs) });
    const token = await gw.token('operator', 'op');
    const openedAt = performance.now();
    // TestSocket answers no ping: from the upgrade on, this client is silent.
    await using s = await TestSocket.connect(gw.wsUrl, token);
    const { code } = await s.closed;
    const silentFor = performance.now() - openedAt;
    expect(code).toBe(4101);
    expect(silentFor).toBeGreaterThan(2 * heartbeatMs);
    // 3 intervals is the bound; the rest is slack for a busy test machine.
    expect(silentFor).toBeLessThan(3 * heartbeatMs + 1000);
  });

  it('§2.1: a plain GET /ws answers 404 NOT_FOUND, even without a token', async () => {
    await using gw = await startGateway();
    const res = await fetch(`${gw.httpUrl}/ws`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ type: 'error', code: 'NOT_FOUND' });
  });

  it('§2.1: a 429 body carries retryAfterMs, matching Retry-After', async () => {
    await using gw = await startGateway({ CONNECT_RATE_PER_IP: '1' });
    const token = await gw.token('operator', 'op');
    let refused: UpgradeRefused | undefined;
    const open: TestSocket[] = [];
    for (let i = 0; i < 5 && !refused; i++) {
      try {
        open.push(await TestSocket.open(gw.wsUrl, token));
      } catch (err) {
        refused = err as UpgradeRefused;
      }
    }
    for (const s of open) await s[Symbol.asyncDispose]();
    expect(refused).toBeInstanceOf(UpgradeRefused);
    expect(refused!.status).toBe(429);
    const retryAfterS = Number(refused!.headers['retry-after']);
    expect(JSON.parse(refused!.body)).toMatchObject({
      type: 'error',
      code: 'RATE_LIMITED',
      retryAfterMs: retryAfterS * 1000,
    });
  });
});
