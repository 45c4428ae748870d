import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HistoryBudget } from './history-budget.js';
import { TopicLog } from './topic-log.js';

/** A message's size is its payload here, so the model knows each message's bytes. */
const sizeOf = (m: { payload: unknown }) => m.payload as number;

interface Op {
  topic: number;
  bytes: number;
}

const scenario = fc.record({
  topics: fc.integer({ min: 1, max: 6 }),
  capacity: fc.integer({ min: 1, max: 12 }),
  maxBytes: fc.integer({ min: 1, max: 400 }),
  ops: fc.array(fc.record({ topic: fc.nat(5), bytes: fc.integer({ min: 1, max: 60 }) }), {
    maxLength: 300,
  }),
});

/** Publishes `ops` into logs sharing one budget, checking the budget's rules after each. */
function run(topics: number, capacity: number, maxBytes: number, ops: Op[]) {
  const budget = new HistoryBudget(maxBytes);
  const logs = Array.from(
    { length: topics },
    (_, i) => new TopicLog(`price.T${i}`, 'e', capacity, budget, sizeOf),
  );
  const sizes = logs.map(() => new Map<number, number>()); // the model: seq → bytes published
  for (const op of ops) {
    const log = logs[op.topic % topics]!;
    const seq = log.append(op.bytes, 0).seq;
    sizes[op.topic % topics]!.set(seq, op.bytes);

    let held = 0;
    let count = 0;
    for (const [i, l] of logs.entries()) {
      if (l.lastSeq === 0) continue;
      const kept = l.after(l.oldestSeq - 1)!;
      // A contiguous run ending at the latest, within HISTORY_SIZE, never empty.
      expect(kept.map((m) => m.seq)).toEqual(
        Array.from({ length: l.lastSeq - l.oldestSeq + 1 }, (_, k) => l.oldestSeq + k),
      );
      expect(kept.length).toBeGreaterThanOrEqual(1);
      expect(kept.length).toBeLessThanOrEqual(capacity);
      // Each message is the one published under that seq.
      for (const m of kept) expect(m.payload).toBe(sizes[i]!.get(m.seq));
      held += kept.reduce((sum, m) => sum + sizeOf(m), 0);
      count += kept.length;
    }
    // The accounting matches what is held...
    expect(budget.bytes).toBe(held);
    expect(budget.messages).toBe(count);
    // ...and stays within the budget unless only latest values are left.
    if (budget.bytes > maxBytes) {
      for (const l of logs) if (l.lastSeq > 0) expect(l.lastSeq).toBe(l.oldestSeq);
    }
  }
  return { budget, logs };
}

describe('HistoryBudget (model)', () => {
  it('holds a contiguous suffix per topic, accounts every byte, and evicts only when over', () => {
    fc.assert(
      fc.property(scenario, ({ topics, capacity, maxBytes, ops }) => {
        run(topics, capacity, maxBytes, ops);
      }),
      { numRuns: 500, seed: 4711 },
    );
  });

  it('with room to spare it is the plain ring: nothing evicted', () => {
    fc.assert(
      fc.property(scenario, ({ topics, capacity, ops }) => {
        const { budget, logs } = run(topics, capacity, Number.POSITIVE_INFINITY, ops);
        expect(budget.evicted).toBe(0);
        for (const l of logs)
          expect(l.lastSeq - l.oldestSeq + 1).toBe(Math.min(l.lastSeq, capacity));
      }),
      { numRuns: 200, seed: 4712 },
    );
  });

  it('evicts the oldest first: a quiet topic keeps its history while it is the newest', () => {
    const budget = new HistoryBudget(100);
    const quiet = new TopicLog('price.Q', 'e', 100, budget, sizeOf);
    const busy = new TopicLog('price.B', 'e', 100, budget, sizeOf);
    for (let i = 0; i < 5; i++) busy.append(10, 0);
    for (let i = 0; i < 4; i++) quiet.append(10, 0);
    busy.append(10, 0); // 100 bytes: at the budget
    busy.append(10, 0); // over: busy's oldest (seq 1) goes first, not quiet's
    expect(busy.oldestSeq).toBe(2);
    expect(quiet.oldestSeq).toBe(1);
    for (let i = 0; i < 5; i++) busy.append(10, 0); // busy's 2..6 go, then quiet's 1..
    expect(quiet.oldestSeq).toBe(2);
    expect(budget.evicted).toBe(6);
  });
});
