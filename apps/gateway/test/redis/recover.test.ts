import type { ResumePosition } from '@pulse/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BusMessage } from '../../src/bus/bus-message.js';
import type { Recovery } from '../../src/bus/bus.js';
import { RedisBus } from '../../src/bus/redis/redis-bus.js';
import { freshPrefix } from '../gateway-resource.js';
import { startRedis, type RedisServer } from './redis-server.js';

/** History kept per topic in these tests. */
const HISTORY = 5;

/**
 * The Redis bus's replay (`recover`) on its own, against a private redis-server: the resume
 * rule for exact topics and patterns, positions in the same epoch, another epoch and beyond
 * history, and `history` N. (The e2e tests see it only through a gateway.)
 */
describe('RedisBus.recover', () => {
  let redis: RedisServer;
  let bus: RedisBus;

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis?.stop());
  afterEach(() => bus?.close());

  async function openBus(): Promise<RedisBus> {
    bus = new RedisBus({
      url: redis.url,
      commandTimeoutMs: 2000,
      connectionName: 'pulse:recover-test',
      keyPrefix: freshPrefix(),
      historySize: HISTORY,
      historyTtlMs: 60_000,
      instanceId: 'recover-test',
      presenceTtlMs: 15_000,
      idempotencyWindowMs: 120_000,
    });
    expect(await bus.start(5000)).toBe(true);
    return bus;
  }

  /** Publishes values `from`..`to` on `topic`; returns the last message (its epoch and seq). */
  async function publish(topic: string, from: number, to: number): Promise<BusMessage> {
    let last: BusMessage | undefined;
    for (let v = from; v <= to; v++) last = await bus.publish(topic, { v });
    return last!;
  }

  const recover = (
    pattern: string,
    positions: Record<string, ResumePosition> = {},
    history = 0,
  ): Promise<Recovery> =>
    bus.recover(pattern, { positions: new Map(Object.entries(positions)), history });

  const seqs = (r: Recovery) => r.messages.map((m) => `${m.topic}#${m.seq}`);

  describe('an exact topic', () => {
    it('replays exactly what follows a position in the same epoch, and says recovered', async () => {
      await openBus();
      const { epoch } = await publish('price.A', 1, 8);
      const r = await recover('price.A', { 'price.A': { seq: 5, epoch } });
      expect(r).toMatchObject({ recovered: true, state: { epoch, seq: 8 } });
      expect(seqs(r)).toEqual(['price.A#6', 'price.A#7', 'price.A#8']);
      expect(r.messages.map((m) => m.payload)).toEqual([{ v: 6 }, { v: 7 }, { v: 8 }]);
      // Caught up: nothing to replay, still recovered.
      const none = await recover('price.A', { 'price.A': { seq: 8, epoch } });
      expect(none).toMatchObject({ recovered: true, messages: [] });
    });

    it('gives the latest value, not recovered, for a position from another epoch', async () => {
      await openBus();
      const { epoch } = await publish('price.A', 1, 4);
      const r = await recover('price.A', { 'price.A': { seq: 2, epoch: `${epoch}-older` } });
      expect(r).toMatchObject({ recovered: false, state: { epoch, seq: 4 } });
      expect(seqs(r)).toEqual(['price.A#4']);
    });

    it('gives the latest value, not recovered, for a position older than history', async () => {
      await openBus();
      const { epoch } = await publish('price.A', 1, 12); // history keeps 8..12
      const lost = await recover('price.A', { 'price.A': { seq: 6, epoch } });
      expect(lost).toMatchObject({ recovered: false, state: { epoch, seq: 12 } });
      expect(seqs(lost)).toEqual(['price.A#12']);
      // The oldest position history still covers replays all of it.
      const kept = await recover('price.A', { 'price.A': { seq: 7, epoch } });
      expect(kept.recovered).toBe(true);
      expect(seqs(kept)).toEqual([
        'price.A#8',
        'price.A#9',
        'price.A#10',
        'price.A#11',
        'price.A#12',
      ]);
    });

    it('sends the last `history` messages without a position, and says nothing about recovery', async () => {
      await openBus();
      const { epoch } = await publish('price.A', 1, 7);
      const three = await recover('price.A', {}, 3);
      expect(three.recovered).toBeUndefined();
      expect(three.state).toEqual({ epoch, seq: 7 });
      expect(seqs(three)).toEqual(['price.A#5', 'price.A#6', 'price.A#7']);
      expect(seqs(await recover('price.A', {}, 100))).toEqual(
        [3, 4, 5, 6, 7].map((s) => `price.A#${s}`),
      );
      expect(seqs(await recover('price.A', {}, 0))).toEqual([]);
    });

    it('reports seq 0 for a topic never published', async () => {
      await openBus();
      const r = await recover('price.NEW', {}, 3);
      expect(r.messages).toEqual([]);
      expect(r.state).toMatchObject({ seq: 0 });
    });
  });

  describe('a pattern', () => {
    it('replays each topic from its own position, and is recovered when all are', async () => {
      await openBus();
      const a = await publish('price.A', 1, 4);
      const b = await publish('price.B', 1, 6);
      await publish('device.d1.temperature', 1, 2); // another pattern: never part of the replay
      const r = await recover('price.*', {
        'price.A': { seq: 2, epoch: a.epoch },
        'price.B': { seq: 5, epoch: b.epoch },
      });
      expect(r.recovered).toBe(true);
      expect(r.state).toBeUndefined();
      expect(seqs(r).sort()).toEqual(['price.A#3', 'price.A#4', 'price.B#6']);
      // Per topic, in order.
      expect(seqs(r).filter((s) => s.startsWith('price.A'))).toEqual(['price.A#3', 'price.A#4']);
    });

    it('is not recovered when one topic lost its place, and gives that topic its latest value', async () => {
      await openBus();
      const a = await publish('price.A', 1, 4);
      const b = await publish('price.B', 1, 12); // history keeps 8..12
      const r = await recover('price.*', {
        'price.A': { seq: 3, epoch: a.epoch },
        'price.B': { seq: 2, epoch: b.epoch },
      });
      expect(r.recovered).toBe(false);
      expect(seqs(r).sort()).toEqual(['price.A#4', 'price.B#12']);
      const otherEpoch = await recover('price.*', {
        'price.A': { seq: 3, epoch: `${a.epoch}-older` },
        'price.B': { seq: 11, epoch: b.epoch },
      });
      expect(otherEpoch.recovered).toBe(false);
      expect(seqs(otherEpoch).sort()).toEqual(['price.A#4', 'price.B#12']);
    });

    it('is not recovered for a position on a topic Redis does not know', async () => {
      await openBus();
      const a = await publish('price.A', 1, 2);
      const r = await recover('price.*', {
        'price.A': { seq: 2, epoch: a.epoch },
        'price.GONE': { seq: 9, epoch: a.epoch },
      });
      expect(r.recovered).toBe(false);
      expect(seqs(r)).toEqual([]);
    });

    it('sends the last `history` messages of every matching topic', async () => {
      await openBus();
      await publish('price.A', 1, 7);
      await publish('price.B', 1, 2);
      const r = await recover('price.*', {}, 3);
      expect(r.recovered).toBeUndefined();
      expect(seqs(r).sort()).toEqual([
        'price.A#5',
        'price.A#6',
        'price.A#7',
        'price.B#1',
        'price.B#2',
      ]);
    });
  });
});
