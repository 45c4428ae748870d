import { createServer, connect, type Server, type Socket } from 'node:net';
import { PulseClient } from '@pulse/client';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Stats } from '../../src/metrics/stats.js';
import { freshPrefix, startGateway, type GatewayResource } from '../gateway-resource.js';
import { reading } from '../fixtures.js';
import { TestSocket } from '../test-socket.js';
import { startRedis, type RedisServer } from './redis-server.js';

/**
 * The guarantee of issue #11 part 2, as a property over every publish of a run: publishers that
 * retry as the docs say (`retry: true`: same key on UNAVAILABLE, OUTCOME_UNKNOWN, a lost
 * connection) through a fault; then, per publish marker, acked ⇒ stored exactly once in Redis's
 * history and delivered once to a subscriber on the other gateway; nothing stored twice.
 */

const PUBLISHERS = 4;
const topicOf = (p: number) => `device.p${p}.temperature`;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A TCP forwarder standing in for a balancer: each new connection goes to `target()`. */
async function forwarder(target: () => number): Promise<Server & AsyncDisposable> {
  const sockets = new Set<Socket>();
  const server = createServer((down) => {
    const up = connect(target(), '127.0.0.1');
    for (const s of [down, up]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        sockets.delete(s);
        down.destroy();
        up.destroy();
      });
    }
    down.pipe(up);
    up.pipe(down);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(server, {
    [Symbol.asyncDispose]: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  });
}

interface Outcome {
  readonly published: number;
  readonly acked: number;
  readonly failed: string[];
  readonly retries: number;
  /** Markers stored more than once. */
  readonly duplicates: number;
  /** Acked markers not stored at all. */
  readonly lost: number;
  readonly delivered: number;
}

/**
 * Publishes a marker per publisher every 10 ms while `fault` runs, waits until every publish has
 * settled, then checks the history in Redis and the subscriber's stream marker by marker.
 */
async function run(
  redis: RedisServer,
  prefix: string,
  urls: () => string[],
  subscriber: TestSocket,
  token: (sub: string) => Promise<string>,
  fault: () => Promise<void>,
): Promise<Outcome> {
  const clients = await Promise.all(
    Array.from({ length: PUBLISHERS }, async (_, p) => {
      const client = new PulseClient({
        url: urls()[p % urls().length]!,
        token: await token(`p${p}`),
        WebSocket,
        backoff: () => 50,
        publishRetryDeadlineMs: 30_000,
      });
      client.connect();
      return client;
    }),
  );
  const acks = new Map<number, Promise<number>>();
  let i = 0;
  const timer = setInterval(() => {
    for (const [p, client] of clients.entries()) {
      const marker = p * 1_000_000 + i;
      const ack = client.publish(topicOf(p) as 'device.x.temperature', reading(marker), {
        ack: true,
        retry: true,
      });
      acks.set(
        marker,
        ack.then((a) => a.seq),
      );
    }
    i++;
  }, 10);
  try {
    await fault();
  } finally {
    clearInterval(timer);
  }
  const settled = await Promise.allSettled([...acks.values()]);
  const markers = [...acks.keys()];
  const acked = new Set(markers.filter((_, k) => settled[k]!.status === 'fulfilled'));
  const failed = settled.flatMap((s) =>
    s.status === 'rejected' ? [String((s.reason as { code?: string }).code)] : [],
  );
  const retries = clients.reduce((n, c) => n + c.stats.publishRetries, 0);
  for (const c of clients) c.close();

  // The truth: what Redis holds, per marker.
  const admin = redis.admin();
  const stored = new Map<number, number>();
  for (let p = 0; p < PUBLISHERS; p++) {
    const entries = await admin.xrange(`${prefix}:{${topicOf(p)}}:log`, '-', '+');
    for (const [, fields] of entries) {
      const frame = JSON.parse(fields[1]!) as { payload: { value: number } };
      stored.set(frame.payload.value, (stored.get(frame.payload.value) ?? 0) + 1);
    }
  }
  const storedTotal = [...stored.values()].reduce((a, b) => a + b, 0);
  // What the subscriber on the other gateway saw: every stored message, once.
  const seen = await subscriber.messages(storedTotal);
  const delivered = new Map<number, number>();
  for (const m of seen) {
    const v = (m.payload as { value: number }).value;
    delivered.set(v, (delivered.get(v) ?? 0) + 1);
  }
  const outcome: Outcome = {
    published: markers.length,
    acked: acked.size,
    failed,
    retries,
    duplicates: [...stored.values()].filter((n) => n > 1).length,
    lost: [...acked].filter((m) => !stored.has(m)).length,
    delivered: seen.length,
  };
  console.log(`idempotent-faults ${expect.getState().currentTestName}: ${JSON.stringify(outcome)}`);
  expect(outcome.failed).toEqual([]);
  expect(outcome.duplicates).toBe(0);
  expect(outcome.lost).toBe(0);
  expect([...delivered.entries()].filter(([, n]) => n !== 1)).toEqual([]);
  expect(new Set(delivered.keys())).toEqual(new Set(stored.keys()));
  return outcome;
}

/** Two gateways on one Redis namespace, a subscriber on `b` to every publisher's topic. */
async function pair(redis: RedisServer, env: Record<string, string> = {}) {
  const prefix = freshPrefix();
  const config = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix, HISTORY_SIZE: '100000', ...env };
  const a = await startGateway(config);
  const b = await startGateway(config);
  const sub = await TestSocket.connect(b.wsUrl, await b.token('operator', 'op'));
  sub.send({ type: 'subscribe', id: 1, topic: 'device.*.temperature', history: 0 });
  await sub.next('subscribed');
  return { prefix, a, b, sub };
}

function gatewayErrors(...gws: GatewayResource[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const gw of gws) {
    for (const [code, n] of Object.entries(gw.app.get(Stats).errors))
      out[code] = (out[code] ?? 0) + n;
  }
  return out;
}

describe('idempotent publish under faults (two gateways, one Redis)', () => {
  it('Redis paused (SIGSTOP) for 4 s: OUTCOME_UNKNOWN, not UNAVAILABLE; retries store nothing twice', async () => {
    await using redis = await startRedis();
    const { prefix, a, b, sub } = await pair(redis);
    await using _a = a;
    await using _b = b;
    await using _sub = sub;
    const token = (s: string) => a.token('device', s);
    await run(
      redis,
      prefix,
      () => [a.wsUrl, b.wsUrl],
      sub,
      token,
      async () => {
        await pause(300);
        redis.pause();
        try {
          await pause(4000);
        } finally {
          redis.resume();
        }
        await pause(500);
      },
    );
    const errors = gatewayErrors(a, b);
    const repeats = a.app.get(Stats).publishRepeats + b.app.get(Stats).publishRepeats;
    console.log(`idempotent-faults SIGSTOP errors ${JSON.stringify(errors)} repeats ${repeats}`);
    // Every publish of those seconds was written to Redis: none may be called "not stored".
    expect(errors['OUTCOME_UNKNOWN']).toBeGreaterThan(0);
    expect(errors['UNAVAILABLE'] ?? 0).toBe(0);
    expect(repeats).toBeGreaterThan(0);
  }, 60_000);

  it('Redis killed (SIGKILL) and restarted with its append-only file: no duplicates, no acked loss', async () => {
    await using redis = await startRedis(['--appendonly', 'yes', '--appendfsync', 'always']);
    const { prefix, a, b, sub } = await pair(redis);
    await using _a = a;
    await using _b = b;
    await using _sub = sub;
    const token = (s: string) => a.token('device', s);
    await run(
      redis,
      prefix,
      () => [a.wsUrl, b.wsUrl],
      sub,
      token,
      async () => {
        await pause(300);
        await redis.kill();
        await pause(1000);
        await redis.restart();
        await pause(1000);
      },
    );
    console.log(`idempotent-faults SIGKILL errors ${JSON.stringify(gatewayErrors(a, b))}`);
  }, 60_000);

  for (const victim of ['a', 'b'] as const) {
    it(`gateway ${victim} killed: its publishers reconnect to the other and retry; nothing doubled or lost`, async () => {
      await using redis = await startRedis();
      const { prefix, a, b, sub: subOnB } = await pair(redis);
      await using _a = a;
      await using _b = b;
      await using _subOnB = subOnB;
      // The subscriber sits on the survivor.
      const survivor = victim === 'a' ? b : a;
      const dead = victim === 'a' ? a : b;
      let sub = subOnB;
      if (victim === 'b') {
        sub = await TestSocket.connect(a.wsUrl, await a.token('operator', 'op2'));
        sub.send({ type: 'subscribe', id: 1, topic: 'device.*.temperature', history: 0 });
        await sub.next('subscribed');
      }
      await using _sub = sub;
      // Publishers reach the gateways through a balancer: alternately, then the survivor only.
      let alive = [a.port, b.port];
      let turn = 0;
      await using lb = await forwarder(() => alive[turn++ % alive.length]!);
      const url = `ws://127.0.0.1:${(lb.address() as { port: number }).port}/ws`;
      const token = (s: string) => a.token('device', s);
      await run(
        redis,
        prefix,
        () => [url],
        sub,
        token,
        async () => {
          await pause(500);
          alive = [survivor.port];
          await dead.crash();
          await pause(1000);
        },
      );
    }, 60_000);
  }
});
