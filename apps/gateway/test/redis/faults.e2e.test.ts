import { describe, expect, it } from 'vitest';
import type { ServerMessage } from '@pulse/protocol';
import { freshPrefix, startGateway, type GatewayResource } from '../gateway-resource.js';
import { TestSocket } from '../test-socket.js';
import { startRedis } from './redis-server.js';
import { publishN, range, reading } from '../fixtures.js';

/** Readiness follows Redis with no event to wait on from outside: poll it, with a deadline. */
async function untilReadiness(gw: GatewayResource, status: 200 | 503): Promise<unknown> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await fetch(`${gw.httpUrl}/health/ready`);
    const body: unknown = await res.json();
    if (res.status === status) return body;
    if (Date.now() > deadline)
      throw new Error(`readiness stayed ${res.status}: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('Redis faults', () => {
  it('Redis stops: publishers get UNAVAILABLE at once, readiness is 503 with the reason, sockets stay', async () => {
    await using redis = await startRedis();
    await using gw = await startGateway({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: freshPrefix() });
    await using op = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
    await using dev = await TestSocket.connect(gw.wsUrl, await gw.token('device', 'd1'));
    op.send({ type: 'subscribe', id: 1, topic: 'device.d1.temperature', history: 0 });
    await op.next('subscribed');
    await publishN(dev, 'device.d1.temperature', 1, 3);
    await op.messages(3);

    await redis.kill();
    expect(await untilReadiness(gw, 503)).toMatchObject({
      status: 'not ready',
      bus: 'redis',
      reason: expect.stringContaining('redis') as unknown,
    });
    const sentAt = Date.now();
    dev.send({ type: 'publish', id: 4, topic: 'device.d1.temperature', payload: reading(4) });
    expect(await dev.next('error')).toMatchObject({
      code: 'UNAVAILABLE',
      ref: 4,
      topic: 'device.d1.temperature',
      retryAfterMs: 1000,
    });
    expect(Date.now() - sentAt).toBeLessThan(500); // refused, not queued
    op.send({ type: 'subscribe', id: 2, topic: 'price.X' });
    expect(await op.next('error')).toMatchObject({ code: 'UNAVAILABLE', ref: 2 });
    // Nobody was disconnected.
    op.send({ type: 'ping', ts: 1 });
    expect(await op.next('pong')).toEqual({ type: 'pong', ts: 1 });
    expect(dev.ws.readyState).toBe(1);

    // Back: the pattern whose subscribe failed can be subscribed (nothing stuck), publishes flow.
    await redis.restart();
    await untilReadiness(gw, 200);
    op.send({ type: 'subscribe', id: 3, topic: 'price.X', history: 0 });
    expect(await op.next('subscribed')).toMatchObject({ id: 3, seq: 0 });
    await publishN(dev, 'device.d1.temperature', 5, 5);
    expect((await op.messages(1))[0]).toMatchObject({ seq: 1, payload: { value: 5 } });
  });

  it('Redis hangs: a publish is OUTCOME_UNKNOWN after the command timeout, readiness says so, and the retry with its key finds it stored', async () => {
    await using redis = await startRedis();
    await using gw = await startGateway({
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: freshPrefix(),
      REDIS_COMMAND_TIMEOUT_MS: '300',
    });
    await using feed = await TestSocket.connect(gw.wsUrl, await gw.token('feed', 'f'));
    const payload = { bid: 1, ask: 2, last: 1.5, volume: 1, ts: 1 };
    redis.pause();
    try {
      const sentAt = Date.now();
      feed.send({ type: 'publish', id: 1, topic: 'price.X', key: 'k1', payload });
      // Written to Redis, unanswered: it may be stored (it will be, once Redis resumes).
      expect(await feed.next('error')).toMatchObject({
        code: 'OUTCOME_UNKNOWN',
        ref: 1,
        retryAfterMs: 1000,
      });
      expect(Date.now() - sentAt).toBeLessThan(2000);
      expect(await untilReadiness(gw, 503)).toMatchObject({
        reason: expect.stringContaining('not answering') as unknown,
      });
    } finally {
      redis.resume();
    }
    await untilReadiness(gw, 200);
    feed.send({ type: 'publish', id: 2, topic: 'price.X', key: 'k1', payload });
    expect(await feed.next('ack')).toMatchObject({ id: 2, seq: 1 }); // the first one, stored once
    feed.send({ type: 'publish', id: 3, topic: 'price.X', payload });
    expect(await feed.next('ack')).toMatchObject({ id: 3, seq: 2 });
  });

  it('Redis restarts empty: the gateways heal without a restart, with a new epoch, EPOCH_CHANGED for live subscribers and recovered:false for resumes', async () => {
    await using redis = await startRedis();
    const prefix = freshPrefix();
    await using a = await startGateway({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix });
    await using b = await startGateway({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix });
    const topic = 'device.d1.temperature';
    await using op = await TestSocket.connect(a.wsUrl, await a.token('operator', 'op'));
    await using wild = await TestSocket.connect(a.wsUrl, await a.token('operator', 'w'));
    op.send({ type: 'subscribe', id: 1, topic, history: 0 });
    const { epoch } = await op.next('subscribed');
    wild.send({ type: 'subscribe', id: 1, topic: 'device.*.temperature', history: 0 });
    await wild.next('subscribed');
    const dev = await TestSocket.connect(b.wsUrl, await b.token('device', 'd1'));
    await publishN(dev, topic, 1, 5);
    expect((await op.messages(5)).map((m) => m.seq)).toEqual(range(1, 5));
    await wild.messages(5);

    await redis.restart();
    await Promise.all([untilReadiness(a, 200), untilReadiness(b, 200)]);
    await publishN(dev, topic, 6, 7);
    // Same sockets, same subscriptions: the stream goes on in the epoch the new Redis made,
    // and each live subscriber is told first that the old epoch ended at what it was sent.
    const [told] = await inOrderUntil(op, (f) => f.type === 'notice');
    expect(told).toMatchObject({ type: 'notice', code: 'EPOCH_CHANGED', topic, epoch, seq: 5 });
    expect(await wild.next('notice', (n) => n.code === 'EPOCH_CHANGED')).toMatchObject({
      topic,
      epoch,
      seq: 5,
    });
    const after = await op.messages(2);
    expect(after.map((m) => m.seq)).toEqual([1, 2]);
    expect(after[0]!.epoch).not.toBe(epoch);
    expect(after.map((m) => (m.payload as { value: number }).value)).toEqual([6, 7]);
    expect((await wild.messages(2)).map((m) => m.seq)).toEqual([1, 2]);
    // Operators see it on /metrics: the reconnects and the script round trips.
    const metrics = await b.metrics();
    expect(metricValue(metrics, 'pulse_bus_reconnects_total')).toBeGreaterThanOrEqual(2);
    expect(
      metricValue(metrics, 'pulse_bus_command_duration_seconds_count{command="publish"}'),
    ).toBeGreaterThanOrEqual(2);

    await using back = await TestSocket.connect(b.wsUrl, await b.token('operator', 'op'));
    back.send({ type: 'subscribe', id: 1, topic, since: 5, epoch });
    expect(await back.next('subscribed')).toMatchObject({ recovered: false, seq: 2 });
    expect((await back.messages(1))[0]).toMatchObject({ seq: 2, payload: { value: 7 } });
    dev.close();
  });

  it('a Redis that lost acknowledged writes (a promoted replica) starts a new epoch, never reuses a seq', async () => {
    await using redis = await startRedis();
    const prefix = freshPrefix();
    await using a = await startGateway({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix });
    await using b = await startGateway({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix });
    const topic = 'device.d1.temperature';
    await using op = await TestSocket.connect(b.wsUrl, await b.token('operator', 'op'));
    op.send({ type: 'subscribe', id: 1, topic, history: 0 });
    const { epoch } = await op.next('subscribed');
    await using dev = await TestSocket.connect(a.wsUrl, await a.token('device', 'd1'));
    await publishN(dev, topic, 1, 5);
    expect((await op.messages(5)).map((m) => m.seq)).toEqual(range(1, 5));

    // What a replica promoted before it had the last two writes holds: seq 3, same epoch.
    await redis.admin().hset(`${prefix}:{${topic}}:meta`, 'seq', 3);
    dev.send({ type: 'publish', id: 6, topic, payload: reading(6) });
    expect(await dev.next('ack', (f) => f.id === 6)).toMatchObject({ seq: 1 });
    const [next] = await op.messages(1);
    expect(next).toMatchObject({ seq: 1, payload: { value: 6 } });
    expect(next!.epoch).not.toBe(epoch);

    await using back = await TestSocket.connect(b.wsUrl, await b.token('operator', 'back'));
    back.send({ type: 'subscribe', id: 1, topic, since: 5, epoch });
    expect(await back.next('subscribed')).toMatchObject({ recovered: false, seq: 1 });

    // B never published this topic, but it watches it: the seqs it received are its floor.
    await publishN(dev, topic, 7, 9); // seq 2..4 in the new epoch
    expect((await op.messages(3)).map((m) => m.seq)).toEqual([2, 3, 4]);
    await redis.admin().hset(`${prefix}:{${topic}}:meta`, 'seq', 2);
    await using devOnB = await TestSocket.connect(b.wsUrl, await b.token('device', 'd1'));
    devOnB.send({ type: 'publish', id: 10, topic, payload: reading(10) });
    expect(await devOnB.next('ack', (f) => f.id === 10)).toMatchObject({ seq: 1 });
    const [third] = await op.messages(1);
    expect(third).toMatchObject({ seq: 1, payload: { value: 10 } });
    expect([epoch, next!.epoch]).not.toContain(third!.epoch);
  });

  it('a dropped subscriber connection (Redis still up) heals: missed messages arrive in order, once', async () => {
    await using redis = await startRedis();
    const prefix = freshPrefix();
    await using a = await startGateway({
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: prefix,
      SERVER_ID: 'gw-a',
    });
    await using b = await startGateway({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix });
    const topic = 'device.d1.temperature';
    await using op = await TestSocket.connect(a.wsUrl, await a.token('operator', 'op'));
    await using wild = await TestSocket.connect(a.wsUrl, await a.token('operator', 'w'));
    op.send({ type: 'subscribe', id: 1, topic, history: 0 });
    await op.next('subscribed');
    wild.send({ type: 'subscribe', id: 1, topic: 'device.d1.*', history: 0 });
    await wild.next('subscribed');
    await using dev = await TestSocket.connect(b.wsUrl, await b.token('device', 'd1'));
    await publishN(dev, topic, 1, 5);
    await op.messages(5);
    await wild.messages(5);

    const admin = redis.admin();
    const list = (await admin.client('LIST')) as string;
    const sub = list.split('\n').find((l) => l.includes('name=pulse:gw-a:sub'));
    const id = /id=(\d+)/.exec(sub ?? '')?.[1];
    expect(id).toBeDefined();
    await admin.client('KILL', 'ID', id!);
    // Published while A's subscriber reconnects (its backoff is at least 25 ms).
    await publishN(dev, topic, 6, 25);
    await publishN(dev, 'device.d1.humidity', 1, 3); // a topic A first hears of meanwhile
    await untilReadiness(a, 200);
    await publishN(dev, topic, 26, 30);
    expect((await op.messages(25)).map((m) => m.seq)).toEqual(range(6, 30));
    const got = await wild.messages(28);
    expect(got.filter((m) => m.topic === topic).map((m) => m.seq)).toEqual(range(6, 30));
    expect(got.filter((m) => m.topic !== topic).map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it('messages lost between Redis and a gateway beyond history are announced: notice LOST before the next one', async () => {
    await using redis = await startRedis();
    const prefix = freshPrefix();
    const env = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix, HISTORY_SIZE: '10' };
    await using a = await startGateway({ ...env, SERVER_ID: 'gw-a' });
    await using b = await startGateway(env);
    const topic = 'device.d1.temperature';
    await using op = await TestSocket.connect(a.wsUrl, await a.token('operator', 'op'));
    op.send({ type: 'subscribe', id: 1, topic, history: 0 });
    await op.next('subscribed');
    await using dev = await TestSocket.connect(b.wsUrl, await b.token('device', 'd1'));
    await publishN(dev, topic, 1, 5);
    await op.exactly(range(1, 5));

    // A's subscriber connection drops and cannot come back until 40 more messages are stored:
    // history (10) no longer holds 6..35 when it heals.
    const admin = redis.admin();
    const clients = (await admin.client('LIST')) as string;
    const sub = clients.split('\n').find((l) => l.includes('name=pulse:gw-a:sub'));
    const id = /id=(\d+)/.exec(sub ?? '')?.[1];
    expect(id).toBeDefined();
    const connected = clients.trim().split('\n').length;
    await admin.config('SET', 'maxclients', String(connected - 1));
    try {
      await admin.client('KILL', 'ID', id!);
      await publishN(dev, topic, 6, 45);
    } finally {
      await admin.config('SET', 'maxclients', '10000');
    }
    await untilReadiness(a, 200);
    // In arrival order: the notice, then 36..45 and nothing else.
    const frames = await inOrderUntil(op, (f) => seqsOf(f).includes(45));
    expect(frames[0]).toMatchObject({ type: 'notice', code: 'LOST', topic, seq: 5, skipped: 30 });
    expect(frames.slice(1).flatMap(seqsOf)).toEqual(range(36, 45));
    await op.exactly([]);
  });

  it('stores frames as clients receive them, history bounded by count and by time', async () => {
    await using redis = await startRedis();
    const prefix = freshPrefix();
    await using gw = await startGateway({
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: prefix,
      HISTORY_SIZE: '5',
      REDIS_HISTORY_TTL_S: '60',
      BATCH_WINDOW_MS: '0', // one frame per message, to compare bytes with what Redis stored
    });
    const topic = 'price.EUR';
    await using op = await TestSocket.connect(gw.wsUrl, await gw.token('operator', 'op'));
    const raw: string[] = [];
    op.ws.on('message', (data: Buffer) => raw.push(data.toString()));
    op.send({ type: 'subscribe', id: 1, topic, history: 0 });
    await op.next('subscribed');
    await using feed = await TestSocket.connect(gw.wsUrl, await gw.token('feed', 'f'));
    for (let i = 1; i <= 12; i++)
      feed.send({
        type: 'publish',
        id: i,
        topic,
        payload: { bid: i, ask: i, last: i, volume: 0, ts: 1 },
      });
    await feed.next('ack', (f) => f.id === 12);
    await op.messages(12);

    const admin = redis.admin();
    const log = `${prefix}:{${topic}}:log`;
    const meta = `${prefix}:{${topic}}:meta`;
    const stored = await admin.xrange(log, '-', '+');
    expect(stored.map(([id]) => id)).toEqual(['8-0', '9-0', '10-0', '11-0', '12-0']);
    // Byte for byte what the JSON socket got: no decode and re-encode on the way.
    expect(stored.map(([, fields]) => fields[1])).toEqual(
      raw.filter((r) => r.includes('"message"')).slice(-5),
    );
    expect(await admin.hget(meta, 'last')).toBe(stored.at(-1)![1][1]);
    for (const key of [log, meta, `${prefix}:{price.*}:topics`]) {
      const ttl = await admin.pttl(key);
      expect(ttl).toBeGreaterThan(50_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
    }
  });
});

/** The value of one sample line of a Prometheus text page (NaN when absent). */
function metricValue(page: string, sample: string): number {
  const line = page.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : NaN;
}

/** Frames in arrival order (batches whole) until one matches `last`, consuming them. */
async function inOrderUntil(
  s: TestSocket,
  last: (f: ServerMessage) => boolean,
): Promise<ServerMessage[]> {
  const out: ServerMessage[] = [];
  for (;;) {
    const f = await s.next(() => true);
    out.push(f);
    if (last(f)) return out;
  }
}

/** The seqs a frame carries (a batch's in order). */
function seqsOf(f: ServerMessage): number[] {
  if (f.type === 'message') return [f.seq];
  if (f.type === 'batch') return f.messages.map((m) => m.seq);
  return [];
}
