import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BusMessage } from './bus-message.js';
import type { Repeat } from './bus.js';
import { MemoryBus } from './memory-bus.js';

const WINDOW = 1000;

/** One step of a publisher's life: a publish (keyed or not) on a topic, or time passing. */
const step = fc.oneof(
  fc.record({
    kind: fc.constant('publish' as const),
    topic: fc.constantFrom('price.A', 'price.B'),
    key: fc.option(fc.constantFrom('dev-1:k1', 'dev-1:k2', 'dev-2:k1'), { nil: undefined }),
  }),
  fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 700 }) }),
);

describe('idempotent publish on the memory bus', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('a key seen within the window answers its first seq and stores nothing; otherwise it stores', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 60 }), async (steps) => {
        let now = 1_000_000;
        vi.spyOn(Date, 'now').mockImplementation(() => now);
        const bus = new MemoryBus(1000, WINDOW);
        const delivered: BusMessage[] = [];
        bus.onMessage((m) => delivered.push(m));
        // The model: per (topic, key), the seq it was stored as and when.
        const model = new Map<string, { seq: number; at: number }>();
        const lastSeq = new Map<string, number>();
        for (const s of steps) {
          if (s.kind === 'wait') {
            now += s.ms;
            continue;
          }
          const result: BusMessage | Repeat = await bus.publish(s.topic, { n: now }, s.key);
          const id = `${s.topic} ${s.key}`;
          const known = s.key === undefined ? undefined : model.get(id);
          if (known && now - known.at < WINDOW) {
            expect(result).toEqual({ repeat: true, topic: s.topic, seq: known.seq });
          } else {
            const seq = (lastSeq.get(s.topic) ?? 0) + 1;
            lastSeq.set(s.topic, seq);
            expect(result).toMatchObject({ topic: s.topic, seq });
            if (s.key !== undefined) model.set(id, { seq, at: now });
          }
        }
        // Only what was stored was delivered, once each, in order, gapless per topic.
        for (const topic of ['price.A', 'price.B']) {
          const seqs = delivered.filter((m) => m.topic === topic).map((m) => m.seq);
          expect(seqs).toEqual(Array.from({ length: lastSeq.get(topic) ?? 0 }, (_, i) => i + 1));
        }
        vi.restoreAllMocks();
      }),
      { numRuns: 200 },
    );
  });
});
