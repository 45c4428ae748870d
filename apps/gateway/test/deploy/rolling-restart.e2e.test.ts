import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../src/auth/token.service.js';
import { TEST_SECRET } from '../gateway-resource.js';
import { startRedis, type RedisServer } from '../redis/redis-server.js';
import { deployedGateway } from './deployed-gateway.js';
import {
  startGatewayProcess,
  startHaproxy,
  waitUntil,
  type GatewayProcess,
  type Haproxy,
} from './processes.js';
import { AckingPublisher, ResumingOperator } from './resuming-clients.js';

/**
 * A rolling restart through the real balancer (HAProxy on deploy/haproxy.cfg) of two real
 * gateway processes (the image's `pnpm deploy` folder, see deployed-gateway.ts) sharing a
 * Redis of their own, while operators are subscribed and
 * publishers keep publishing: every acked message reaches every operator exactly once, in seq
 * order, with no signal of loss needed.
 */
const secret = new TextEncoder().encode(TEST_SECRET);
const token = (role: 'operator' | 'feed', sub: string) => signToken(secret, { sub, role }, 600);

describe('rolling restart through HAProxy', () => {
  let redis: RedisServer;
  const gateways: GatewayProcess[] = [];
  let balancer: Haproxy;

  beforeAll(async () => {
    const [{ app }, started] = await Promise.all([deployedGateway(), startRedis()]);
    redis = started;
    const entry = join(app, 'dist/main.js');
    const env = {
      REDIS_URL: redis.url,
      TRUSTED_PROXIES: 'loopback',
      // Every update delivered (no conflation), quotas well above this test's rate.
      TOPIC_POLICIES: 'none',
      PUBLISH_LIMITS: 'device=10000/10000,feed=10000/10000,admin=10000/10000',
      CONNECT_RATE_PER_IP: '10000',
    };
    gateways.push(
      ...(await Promise.all([
        startGatewayProcess('gateway-1', env, entry),
        startGatewayProcess('gateway-2', env, entry),
      ])),
    );
    balancer = await startHaproxy(gateways);
  }, 180_000);

  afterAll(async () => {
    await balancer?.stop();
    await Promise.all(gateways.map((g) => g.stop()));
    await redis?.stop();
  });

  it('loses and repeats nothing while both gateways restart one after the other', async () => {
    const run = Date.now().toString(36);
    const topics = [`price.ROLL-${run}-A`, `price.ROLL-${run}-B`];
    // leastconn spreads them: half of each kind on each gateway.
    const operators: ResumingOperator[] = [];
    for (let i = 0; i < 4; i++) {
      const op = new ResumingOperator(balancer.wsUrl, await token('operator', `op-${i}`), topics);
      await op.start();
      operators.push(op);
    }
    const publishers: AckingPublisher[] = [];
    for (const [i, topic] of topics.entries()) {
      const pub = new AckingPublisher(balancer.wsUrl, await token('feed', `feed-${i}`), topic);
      await pub.start();
      publishers.push(pub);
    }
    expect(new Set(operators.map((o) => o.servers[0])).size).toBe(2);
    expect(new Set(publishers.map((p) => p.servers[0])).size).toBe(2);

    const publishing = publishers.map((p) => p.run(5));
    await waitUntil(() => publishers.every((p) => p.acked.size >= 50), 'publishing under way');

    const reconnectMs: number[] = [];
    for (const gw of gateways) {
      const onIt = [...operators, ...publishers].filter((c) => c.servers.at(-1) === gw.name);
      const backBefore = onIt.map((c) => c.backAt.length);
      const sigterm = Date.now();
      await gw.stop(); // SIGTERM: 1012 to its clients, drain, exit
      const acksAtExit = publishers.map((p) => p.acked.size);
      await waitUntil(
        () => onIt.every((c, i) => c.backAt.length > backBefore[i]!),
        `clients of ${gw.name} reconnected`,
      );
      const times = onIt.map((c) => c.backAt.at(-1)! - sigterm);
      reconnectMs.push(...times);
      console.log(
        `[rolling restart] ${gw.name}: ${onIt.length} clients back on the other gateway ` +
          `${Math.min(...times)}–${Math.max(...times)} ms after SIGTERM`,
      );
      expect(onIt.every((c) => c.closes.at(-1) === 1012)).toBe(true);
      expect(onIt.every((c) => c.servers.at(-1) !== gw.name)).toBe(true);
      await gw.restart();
      await waitUntil(async () => (await balancer.state(gw.name)) === 'UP', `${gw.name} UP`);
      // Publishing went on across the restart.
      await waitUntil(
        () => publishers.every((p, i) => p.acked.size > acksAtExit[i]! + 20),
        'publishing continues',
      );
    }

    publishers.forEach((p) => p.finish());
    await Promise.all(publishing);
    for (const [i, pub] of publishers.entries()) {
      const topic = topics[i]!;
      // Acked seqs: one per key, the topic's whole gapless sequence (nothing stored unacked).
      const seqs = [...pub.acked.values()].sort((a, b) => a - b);
      const n = seqs.length;
      expect(seqs).toEqual(Array.from({ length: n }, (_, k) => k + 1));
      for (const op of operators) {
        await waitUntil(
          () => (op.received.get(topic)!.at(-1)?.seq ?? 0) >= n,
          `an operator got ${topic} up to ${n}`,
        );
        const got = op.received.get(topic)!;
        expect(got.map((m) => m.seq)).toEqual(seqs);
        expect(new Set(got.map((m) => m.epoch)).size).toBe(1);
      }
    }
    for (const op of operators) expect(op.signals).toEqual([]);
    [...operators, ...publishers].forEach((c) => c.stop());
    const sorted = [...reconnectMs].sort((a, b) => a - b);
    console.log(
      `[rolling restart] ${publishers.map((p) => p.acked.size).join(' + ')} acked publishes, ` +
        `${operators.length} operators, reconnect after SIGTERM: median ` +
        `${sorted[sorted.length >> 1]} ms, max ${sorted.at(-1)} ms`,
    );
  }, 60_000);
});
