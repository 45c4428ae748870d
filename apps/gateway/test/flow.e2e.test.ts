import { CloseCode } from '@pulse/protocol';
import { describe, expect, it } from 'vitest';
import { startGateway } from './gateway-resource.js';
import { HeldBus } from './held-bus.js';
import { TestSocket, type UpgradeRefused } from './test-socket.js';
import { range, tick } from './fixtures.js';

const reading = (value: number) => ({ value, unit: 'C', ts: 1_700_000_000_000 });

describe('per-topic throttling', () => {
  it('caps a subscription at the policy rate, says so, and ends on the latest value', async () => {
    await using gw = await startGateway({ TOPIC_POLICIES: 'price.*=20:conflate' });
    await using op = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
    op.send({ type: 'subscribe', id: 1, topic: 'price.X', history: 0, maxRate: 100 });
    expect(await op.next('subscribed')).toMatchObject({ maxRate: 20 });
    op.send({ type: 'subscribe', id: 2, topic: 'price.Y', history: 0, maxRate: 5 });
    expect(await op.next('subscribed', (f) => f.id === 2)).toMatchObject({ maxRate: 5 });
    await using feed = await TestSocket.connect(gw.wsUrl, await gw.token('feed', 'f'));
    const started = Date.now();
    for (let i = 1; i <= 2000; i++)
      feed.send({ type: 'publish', topic: 'price.X', payload: tick(i) });
    feed.send({ type: 'publish', id: 1, topic: 'price.X', payload: tick(2001) });
    await feed.next('ack');
    const received = [];
    for (;;) {
      const [m] = await op.messages(1, 'price.X');
      received.push(m!);
      if (m!.seq === 2001) break;
    }
    const elapsed = Date.now() - started;
    // At most one per 50 ms (plus the leading one): far fewer than 2001, ending on the latest.
    expect(received.length).toBeLessThanOrEqual(Math.ceil(elapsed / 50) + 2);
    expect(received.at(-1)).toMatchObject({ seq: 2001, payload: { last: 2001 } });
    const seqs = received.map((m) => m.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('aggregate mode folds the interval into min/max/mean with the latest reading as payload', async () => {
    await using gw = await startGateway({ TOPIC_POLICIES: 'device.*.*=2:aggregate' });
    await using op = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
    op.send({ type: 'subscribe', id: 1, topic: 'device.*.temperature', history: 0 });
    expect(await op.next('subscribed')).toMatchObject({ maxRate: 2 });
    await using dev = await TestSocket.connect(gw.wsUrl, await gw.token('device', 'd1'));
    const values = [10, 30, 20, 25, 15];
    values.forEach((v, i) =>
      dev.send({ type: 'publish', id: i, topic: 'device.d1.temperature', payload: reading(v) }),
    );
    await dev.next('ack', (f) => f.id === 4);
    const [first, folded] = await op.exactly([1, 5]);
    expect(first).toMatchObject({ seq: 1, payload: { value: 10 } });
    expect(folded).toMatchObject({
      seq: 5,
      payload: { value: 15 },
      agg: { count: 4, min: 15, max: 30, mean: 22.5 },
    });
  });
});

describe('batching', () => {
  it('sends updates produced within the window as one batch frame, in order', async () => {
    await using gw = await startGateway({ BATCH_WINDOW_MS: '20' });
    await using op = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
    op.send({ type: 'subscribe', id: 1, topic: 'price.*', history: 0 });
    await op.next('subscribed');
    await using feed = await TestSocket.connect(gw.wsUrl, await gw.token('feed', 'f'));
    for (let i = 1; i <= 10; i++)
      feed.send({ type: 'publish', topic: 'price.X', payload: tick(i) });
    const batch = await op.next('batch');
    expect(batch.messages.length).toBeGreaterThan(1);
    expect(batch.messages.map((m) => m.seq)).toEqual(range(1, batch.messages.length));
    await op.exactly(range(batch.messages.length + 1, 10));
  });
});

describe('slow consumers', () => {
  it('closes a stalled client with 4100 while another keeps receiving', async () => {
    await using gw = await startGateway({
      SLOW_SOFT_BYTES: '4096',
      SLOW_HARD_BYTES: '262144',
      SLOW_MAX_MS: '200',
      PUBLISH_LIMITS: 'feed=1000000/1000000',
    });
    await using stalled = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'stalled'));
    await using healthy = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'healthy'));
    for (const s of [stalled, healthy]) {
      s.send({ type: 'subscribe', id: 1, topic: 'price.*', history: 0 });
      await s.next('subscribed');
    }
    // Stop reading: the kernel buffers fill, then the gateway's send buffer grows.
    stalled.pauseReading();
    await using feed = await TestSocket.connect(gw.wsUrl, await gw.token('feed', 'f'));
    const slowCloses = async () => {
      const text = await gw.metrics();
      return Number(/pulse_slow_consumer_closes_total (\d+)/.exec(text)?.[1] ?? 0);
    };
    let sent = 0;
    // Publish in rounds until the gateway gives up on the stalled client (bounded).
    // Loopback kernel buffers absorb megabytes before the gateway's own buffer grows.
    for (let round = 0; round < 60 && (await slowCloses()) === 0; round++) {
      for (let i = 0; i < 5000; i++)
        feed.send({
          type: 'publish',
          topic: `price.S${i % 50}`,
          payload: tick(++sent + 0.123456789),
        });
      feed.send({ type: 'publish', id: round, topic: 'price.S0', payload: tick(++sent) });
      await feed.next('ack', (f) => f.id === round);
    }
    expect(await slowCloses()).toBe(1);
    // Reading again, the stalled client finds its connection closed (the close frame, or a
    // reset when the gateway terminated it with its buffer unsent).
    stalled.resumeReading();
    expect([CloseCode.SLOW_CONSUMER, 1006]).toContain((await stalled.closed).code);
    // The healthy one got everything, in order.
    const got = await healthy.messages(sent);
    expect(got.length).toBe(sent);
  });
});

describe('rate limiting', () => {
  it('refuses a publisher over its quota with RATE_LIMITED and retryAfterMs, then closes abuse with 4102', async () => {
    await using gw = await startGateway({ PUBLISH_LIMITS: 'device=5/5', RATE_LIMIT_ABUSE: '20' });
    await using dev = await TestSocket.connect(gw.wsUrl, await gw.token('device', 'd1'));
    for (let i = 0; i < 10; i++)
      dev.send({ type: 'publish', id: i, topic: 'device.d1.temperature', payload: reading(i) });
    const limited = await dev.next('error', (f) => f.code === 'RATE_LIMITED');
    expect(limited.retryAfterMs).toBeGreaterThan(0);
    expect(limited.retryAfterMs).toBeLessThanOrEqual(200);
    await dev.next('ack', (f) => f.id === 4);
    for (let i = 10; i < 40; i++)
      dev.send({ type: 'publish', id: i, topic: 'device.d1.temperature', payload: reading(i) });
    expect((await dev.closed).code).toBe(CloseCode.RATE_LIMIT_ABUSE);
  });

  it('per-subject overrides raise one device quota', async () => {
    await using gw = await startGateway({
      PUBLISH_LIMITS: 'device=1/1',
      PUBLISH_LIMIT_OVERRIDES: 'vip=100/100',
    });
    await using vip = await TestSocket.connect(gw.wsUrl, await gw.token('device', 'vip'));
    for (let i = 0; i < 20; i++)
      vip.send({ type: 'publish', id: i, topic: 'device.vip.battery', payload: reading(i) });
    expect(await vip.next('ack', (f) => f.id === 19)).toMatchObject({ seq: 20 });
    expect(vip.frames.some((f) => f.type === 'error')).toBe(false);
  });

  it('limits control messages per connection', async () => {
    await using gw = await startGateway({ CONTROL_LIMIT: '5/5' });
    await using op = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
    for (let i = 0; i < 8; i++)
      op.send({ type: 'subscribe', id: i, topic: `price.S${i}`, history: 0 });
    const refused = await op.next('error', (f) => f.code === 'RATE_LIMITED');
    expect(refused).toMatchObject({ ref: 5 });
    expect(refused.retryAfterMs).toBeGreaterThan(0);
  });

  it('answers an address that connects too fast with HTTP 429 before the upgrade', async () => {
    await using gw = await startGateway({ CONNECT_RATE_PER_IP: '3' });
    const token = await gw.token('operator', 'op');
    const open = await Promise.allSettled(
      Array.from({ length: 5 }, () => TestSocket.open(gw.wsUrl, token)),
    );
    const refused = open
      .filter((r) => r.status === 'rejected')
      .map((r) => (r as PromiseRejectedResult).reason);
    expect(open.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(refused.map((e: UpgradeRefused) => e.status)).toEqual([429, 429]);
    for (const r of open) if (r.status === 'fulfilled') r.value.ws.terminate();
    expect(await gw.metrics()).toMatch(/pulse_rate_limited_total\{kind="connect"\} 2/);
  });
});

describe('inbound backpressure', () => {
  it('pauses publishers over the high mark, tells them to slow down, and loses no acked publish', async () => {
    let bus: HeldBus | undefined;
    await using gw = await startGateway(
      { INGEST_HIGH_WATER: '20', INGEST_LOW_WATER: '5' },
      { bus: (config) => (bus = new HeldBus(config.historySize)) },
    );
    await using op = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
    op.send({ type: 'subscribe', id: 1, topic: 'price.X', history: 0 });
    await op.next('subscribed');
    await using feed = await TestSocket.connect(gw.wsUrl, await gw.token('feed', 'f'));
    const N = 5000; // more than one TCP read, so pausing the socket has something to hold back
    for (let i = 1; i <= N; i++)
      feed.send({ type: 'publish', id: i, topic: 'price.X', payload: tick(i) });
    expect(await feed.next('notice')).toMatchObject({ code: 'SLOW_DOWN' });
    // Paused: the gateway stopped reading, so it holds about the high mark plus one read, not all.
    await new Promise((r) => setTimeout(r, 100)); // give unpaused reading a chance to show up
    expect(bus!.heldCount).toBeGreaterThanOrEqual(20);
    expect(bus!.heldCount).toBeLessThan(N);
    bus!.release();
    const all = Array.from({ length: N }, (_, i) => i + 1);
    const acks = [];
    for (let i = 1; i <= N; i++) acks.push(await feed.next('ack', (f) => f.id === i));
    expect(acks.map((a) => a.seq)).toEqual(all);
    await op.exactly(all);
    const metrics = await gw.metrics();
    expect(metrics).toMatch(/pulse_inbound_pauses_total [1-9]/);
  });
});
