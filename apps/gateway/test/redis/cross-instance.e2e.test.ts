import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { freshPrefix, gatewaysOn, type Gateways } from '../gateway-resource.js';
import { TestSocket } from '../test-socket.js';
import { publishN, range, reading } from '../fixtures.js';

const tick = (last: number) => ({ bid: last, ask: last + 1, last, volume: 1, ts: 1 });

/** The seqs of the next `n` acks. */
async function acks(s: TestSocket, n: number): Promise<number[]> {
  const seqs: number[] = [];
  while (seqs.length < n) seqs.push((await s.next('ack')).seq);
  return seqs;
}

/** Two gateways (A and B) on one Redis namespace, disposed together. */
async function pair(start: Gateways, env: Record<string, string> = {}) {
  const prefix = freshPrefix();
  const a = await start({ REDIS_KEY_PREFIX: prefix, SERVER_ID: 'gw-a', ...env });
  const b = await start({ REDIS_KEY_PREFIX: prefix, SERVER_ID: 'gw-b', ...env });
  return {
    a,
    b,
    prefix,
    [Symbol.asyncDispose]: async () => {
      await Promise.all([a.close(), b.close()]);
    },
  };
}

describe.each(['redis', 'cluster'] as const)('two gateways on one %s', (bus) => {
  const start = gatewaysOn(bus);

  /** How many connections subscribe to a channel, over every node. */
  async function subscribers(channel: string): Promise<number> {
    const nodes = bus === 'redis' ? [start.redis()!] : start.cluster()!.nodes;
    const counts = await Promise.all(
      nodes.map(async (node) => {
        const admin = new Redis(node.port, '127.0.0.1');
        try {
          const reply = (await admin.call(
            'PUBSUB',
            bus === 'redis' ? 'NUMSUB' : 'SHARDNUMSUB',
            channel,
          )) as [string, number];
          return Number(reply[1]);
        } finally {
          admin.disconnect();
        }
      }),
    );
    return counts.reduce((s, n) => s + n, 0);
  }

  /** Redis has no event for "unsubscribed"; poll its count briefly. */
  async function untilSubscribers(channel: string, n: number): Promise<void> {
    const deadline = Date.now() + 5000;
    while ((await subscribers(channel)) !== n) {
      if (Date.now() > deadline) throw new Error(`${channel} never had ${n} subscribers`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('a publish on A reaches subscribers on A and B in order with the same gapless seq', async () => {
    await using gw = await pair(start);
    const topic = 'device.d1.temperature';
    await using onA = await TestSocket.connect(gw.a.wsUrl, await gw.a.token('operator', 'a'));
    await using onB = await TestSocket.connect(gw.b.wsUrl, await gw.b.token('operator', 'b'));
    for (const s of [onA, onB]) {
      s.send({ type: 'subscribe', id: 1, topic, history: 0 });
      await s.next('subscribed');
    }
    await using dev = await TestSocket.connect(gw.a.wsUrl, await gw.a.token('device', 'd1'));
    await publishN(dev, topic, 1, 200);
    const [gotA, gotB] = await Promise.all([onA.messages(200), onB.messages(200)]);
    expect(gotB.map((m) => m.seq)).toEqual(range(1, 200));
    expect(gotB.map((m) => (m.payload as { value: number }).value)).toEqual(range(1, 200));
    expect(gotB).toEqual(gotA);
  });

  it('concurrent publishes to one topic on both instances form one gapless sequence', async () => {
    await using gw = await pair(start);
    const topic = 'price.BTC';
    await using onA = await TestSocket.connect(gw.a.wsUrl, await gw.a.token('operator', 'a'));
    await using onB = await TestSocket.connect(gw.b.wsUrl, await gw.b.token('operator', 'b'));
    for (const s of [onA, onB]) {
      s.send({ type: 'subscribe', id: 1, topic, history: 0 });
      await s.next('subscribed');
    }
    await using feedA = await TestSocket.connect(gw.a.wsUrl, await gw.a.token('feed', 'fa'));
    await using feedB = await TestSocket.connect(gw.b.wsUrl, await gw.b.token('feed', 'fb'));
    for (let i = 1; i <= 150; i++) {
      feedA.send({ type: 'publish', id: i, topic, payload: tick(i) });
      feedB.send({ type: 'publish', id: i, topic, payload: tick(1000 + i) });
    }
    const acked = (await Promise.all([acks(feedA, 150), acks(feedB, 150)])).flat();
    expect(acked.sort((x, y) => x - y)).toEqual(range(1, 300));
    const [gotA, gotB] = await Promise.all([onA.messages(300), onB.messages(300)]);
    expect(gotA.map((m) => m.seq)).toEqual(range(1, 300));
    expect(gotB).toEqual(gotA);
    const lasts = gotA.map((m) => (m.payload as { last: number }).last);
    expect(lasts.filter((l) => l < 1000)).toEqual(range(1, 150)); // each feed's order kept
    expect(lasts.filter((l) => l > 1000)).toEqual(range(1001, 1150));
  });

  it('a burst over many topics, batched into Redis, arrives gapless per topic, through wildcards too', async () => {
    await using gw = await pair(start);
    const metrics = ['m0', 'm1', 'm2', 'm3'];
    const patterns = ['device.d1.*', 'device.*.m1', 'device.d1.m2'];
    const ops = await Promise.all(
      patterns.map(async (topic, i) => {
        const op = await TestSocket.connect(gw.b.wsUrl, await gw.b.token('operator', `op${i}`));
        op.send({ type: 'subscribe', id: 1, topic, history: 0 });
        await op.next('subscribed');
        return op;
      }),
    );
    await using dev = await TestSocket.connect(gw.a.wsUrl, await gw.a.token('device', 'd1'));
    for (let i = 1; i <= 400; i++) {
      const topic = `device.d1.${metrics[i % metrics.length]!}`;
      dev.send({ type: 'publish', id: i, topic, payload: reading(i) });
    }
    await dev.next('ack', (f) => f.id === 400);
    const [all, m1, m2] = await Promise.all([
      ops[0]!.messages(400),
      ops[1]!.messages(100),
      ops[2]!.messages(100),
    ]);
    const seqs = (got: { topic: string; seq: number }[], topic: string) =>
      got.filter((m) => m.topic === topic).map((m) => m.seq);
    for (const metric of metrics) expect(seqs(all, `device.d1.${metric}`)).toEqual(range(1, 100));
    expect(seqs(m1, 'device.d1.m1')).toEqual(range(1, 100));
    expect(seqs(m2, 'device.d1.m2')).toEqual(range(1, 100));
    await Promise.all(ops.map((op) => op[Symbol.asyncDispose]()));
  });

  it('wildcard subscriptions on B receive matching topics published on A', async () => {
    await using gw = await pair(start);
    await using op = await TestSocket.connect(gw.b.wsUrl, await gw.b.token('operator', 'op'));
    op.send({ type: 'subscribe', id: 1, topic: 'device.*.temperature', history: 0 });
    await op.next('subscribed');
    await using d1 = await TestSocket.connect(gw.a.wsUrl, await gw.a.token('device', 'd1'));
    await using d2 = await TestSocket.connect(gw.a.wsUrl, await gw.a.token('device', 'd2'));
    d1.send({ type: 'publish', topic: 'device.d1.temperature', payload: reading(1) });
    d1.send({ type: 'publish', topic: 'device.d1.humidity', payload: reading(2) });
    await publishN(d2, 'device.d2.temperature', 3, 3);
    const got = await op.messages(2);
    expect(got.map((m) => `${m.topic}#${m.seq}`).sort()).toEqual([
      'device.d1.temperature#1',
      'device.d2.temperature#1',
    ]);
    // The snapshot of a wildcard comes from Redis too, whichever instance published.
    await using late = await TestSocket.connect(gw.b.wsUrl, await gw.b.token('operator', 'l'));
    late.send({ type: 'subscribe', id: 1, topic: 'device.*.temperature' });
    await late.next('subscribed');
    expect((await late.messages(2)).map((m) => m.topic).sort()).toEqual([
      'device.d1.temperature',
      'device.d2.temperature',
    ]);
  });

  it('an instance subscribes in Redis only to what its clients watch, once per pattern', async () => {
    await using gw = await pair(start);
    const channel = `${gw.prefix}:{price.ETH}`;
    expect(await subscribers(channel)).toBe(0);
    await using a1 = await TestSocket.connect(gw.a.wsUrl, await gw.a.token('operator', 'a1'));
    await using a2 = await TestSocket.connect(gw.a.wsUrl, await gw.a.token('operator', 'a2'));
    for (const s of [a1, a2]) {
      s.send({ type: 'subscribe', id: 1, topic: 'price.ETH', history: 0 });
      await s.next('subscribed');
    }
    expect(await subscribers(channel)).toBe(1); // A, once for both of its clients
    await using b1 = await TestSocket.connect(gw.b.wsUrl, await gw.b.token('operator', 'b1'));
    b1.send({ type: 'subscribe', id: 1, topic: 'price.ETH', history: 0 });
    await b1.next('subscribed');
    expect(await subscribers(channel)).toBe(2);
    b1.send({ type: 'unsubscribe', id: 2, topic: 'price.ETH' });
    await b1.next('unsubscribed');
    await untilSubscribers(channel, 1);
    a1.close();
    a2.close();
    await Promise.all([a1.closed, a2.closed]);
    await untilSubscribers(channel, 0);
    // Nothing else of this namespace is subscribed: B never hears of price.ETH.
    expect(await subscribers(`${gw.prefix}:{price.*}`)).toBe(0);
  });

  it('a client resumes on B exactly where it left A, or is told recovered:false', async () => {
    await using gw = await pair(start, { HISTORY_SIZE: '20' });
    const topic = 'device.d1.humidity';
    await using dev = await TestSocket.connect(gw.a.wsUrl, await gw.a.token('device', 'd1'));
    const first = await TestSocket.connect(gw.a.wsUrl, await gw.a.token('operator', 'op'));
    first.send({ type: 'subscribe', id: 1, topic, history: 0 });
    const { epoch } = await first.next('subscribed');
    await publishN(dev, topic, 1, 10);
    const last = (await first.messages(10)).at(-1)!.seq;
    first.ws.terminate();
    await first.closed;
    await publishN(dev, topic, 11, 25);

    await using again = await TestSocket.connect(gw.b.wsUrl, await gw.b.token('operator', 'op'));
    again.send({ type: 'subscribe', id: 1, topic, since: last, epoch });
    expect(await again.next('subscribed')).toMatchObject({ recovered: true, epoch, seq: 25 });
    await publishN(dev, topic, 26, 30);
    expect((await again.messages(20)).map((m) => m.seq)).toEqual(range(11, 30));

    await using stale = await TestSocket.connect(gw.b.wsUrl, await gw.b.token('operator', 'op'));
    stale.send({ type: 'subscribe', id: 1, topic, since: 3, epoch }); // 4..10 trimmed (20 kept)
    expect(await stale.next('subscribed')).toMatchObject({ recovered: false, seq: 30 });
    expect((await stale.messages(1))[0]).toMatchObject({ seq: 30, payload: { value: 30 } });
  });

  it("a killed instance's clients resume on the other one with no loss and no duplicates", async () => {
    await using gw = await pair(start);
    const topic = 'device.d3.pressure';
    await using dev = await TestSocket.connect(gw.b.wsUrl, await gw.b.token('device', 'd3'));
    const op = await TestSocket.connect(gw.a.wsUrl, await gw.a.token('operator', 'op'));
    op.send({ type: 'subscribe', id: 1, topic, history: 0 });
    const { epoch } = await op.next('subscribed');
    await publishN(dev, topic, 1, 10);
    const seen = await op.messages(10);

    await gw.a.crash();
    expect((await op.closed).code).toBe(1006);
    await publishN(dev, topic, 11, 20); // while the client is away

    await using back = await TestSocket.connect(gw.b.wsUrl, await gw.b.token('operator', 'op'));
    back.send({ type: 'subscribe', id: 1, topic, since: seen.at(-1)!.seq, epoch });
    expect(await back.next('subscribed')).toMatchObject({ recovered: true, seq: 20 });
    await publishN(dev, topic, 21, 25);
    expect((await back.messages(15)).map((m) => m.seq)).toEqual(range(11, 25));
  });

  it('presence is shared across instances and a dead instance’s devices expire', async () => {
    await using gw = await pair(start, { PRESENCE_TTL_MS: '600' });
    await using op = await TestSocket.connect(gw.b.wsUrl, await gw.b.token('operator', 'op'));
    op.send({ type: 'subscribe', id: 1, topic: 'presence.*', history: 0 });
    await op.next('subscribed');

    await TestSocket.connect(gw.a.wsUrl, await gw.a.token('device', 'dev-7'));
    expect((await op.messages(1))[0]).toMatchObject({
      topic: 'presence.dev-7',
      payload: { deviceId: 'dev-7', online: true },
    });
    // A second connection on B and its close change nothing: dev-7 is still on A.
    const alsoOnB = await TestSocket.connect(gw.b.wsUrl, await gw.b.token('device', 'dev-7'));
    alsoOnB.close();
    await alsoOnB.closed;
    await using other = await TestSocket.connect(gw.b.wsUrl, await gw.b.token('device', 'dev-8'));
    expect((await op.messages(1))[0]).toMatchObject({
      topic: 'presence.dev-8',
      payload: { online: true },
    });

    // A dies without a word: dev-7's lease runs out and B says it is offline.
    const diedAt = Date.now();
    await gw.a.crash();
    const [offline] = await op.messages(1);
    expect(offline).toMatchObject({
      topic: 'presence.dev-7',
      seq: 2,
      // The transport of the connection that brought it online, kept with the leases.
      payload: { deviceId: 'dev-7', online: false, transport: 'ws' },
    });
    expect(Date.now() - diedAt).toBeGreaterThanOrEqual(300);
    expect(other.ws.readyState).toBe(1);
  });
});
