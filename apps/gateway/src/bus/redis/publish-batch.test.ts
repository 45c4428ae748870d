import { describe, expect, it } from 'vitest';
import { MAX_BATCH, PublishBatch, type PendingPublish, type TopicGroup } from './publish-batch.js';

const item = (n: number): PendingPublish => ({
  payload: n,
  json: String(n),
  key: '',
  resolve: () => {},
  reject: () => {},
});

/** The calls a batch made: topic → payloads, per call. */
function recorder(maxTopicsPerCall = Infinity) {
  const calls: Record<string, unknown[]>[] = [];
  const batch = new PublishBatch((groups: TopicGroup[]) => {
    calls.push(Object.fromEntries(groups.map((g) => [g.topic, g.items.map((i) => i.payload)])));
  }, maxTopicsPerCall);
  return { batch, calls };
}

const endOfTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('PublishBatch', () => {
  it('sends the publishes of one turn together, grouped by topic in publish order', async () => {
    const { batch, calls } = recorder();
    batch.add('a', item(1));
    batch.add('b', item(2));
    batch.add('a', item(3));
    expect(calls).toEqual([]);
    await endOfTurn();
    expect(calls).toEqual([{ a: [1, 3], b: [2] }]);
    batch.add('a', item(4));
    await endOfTurn();
    expect(calls).toEqual([{ a: [1, 3], b: [2] }, { a: [4] }]);
  });

  it('sends a full batch at once and keeps collecting the rest', async () => {
    const { batch, calls } = recorder();
    for (let i = 0; i < MAX_BATCH + 3; i++) batch.add('t', item(i));
    expect(calls).toHaveLength(1);
    expect(calls[0]!.t).toHaveLength(MAX_BATCH);
    await endOfTurn();
    expect(calls[1]!.t).toEqual([MAX_BATCH, MAX_BATCH + 1, MAX_BATCH + 2]);
  });

  it('puts at most maxTopicsPerCall topics in one call (one slot per script on Cluster)', async () => {
    const { batch, calls } = recorder(1);
    batch.add('a', item(1));
    batch.add('b', item(2));
    batch.add('a', item(3));
    await endOfTurn();
    expect(calls).toEqual([{ a: [1, 3] }, { b: [2] }]);
  });
});
