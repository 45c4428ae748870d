import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BusMessage } from '../bus/bus-message.js';
import { outboxSetup } from './test-outbox.js';

/** One step a client's traffic and its reader can take. */
type Op =
  | { op: 'live'; topic: 'A' | 'B' | 'C' }
  | { op: 'replay'; count: number }
  | { op: 'reply' }
  | { op: 'buffer'; bytes: number }
  | { op: 'stall'; on: boolean }
  | { op: 'read'; bytes: number }
  | { op: 'tick'; ms: number };

const ops = fc.array(
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        op: fc.constant('live' as const),
        topic: fc.constantFrom('A' as const, 'B' as const, 'C' as const),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant('replay' as const),
        count: fc.integer({ min: 1, max: 60 }),
      }),
    },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('reply' as const) }) },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant('buffer' as const),
        bytes: fc.constantFrom(0, 500, 1500, 5000),
      }),
    },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('stall' as const), on: fc.boolean() }) },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant('read' as const),
        bytes: fc.integer({ min: 100, max: 4000 }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({ op: fc.constant('tick' as const), ms: fc.constantFrom(1, 5, 20, 60) }),
    },
  ),
  { maxLength: 120 },
);

interface Frame {
  type: string;
  code?: string;
  skipped?: number;
  ts?: number;
  topic?: string;
  seq?: number;
  messages?: { topic: string; seq: number }[];
}

/**
 * The delivery rules of `outbox.ts` as a model: whatever the interleaving of live updates,
 * replays, replies and a reader that stalls, reads slowly or catches up,
 * - every reply and every replayed message arrives exactly once, in the order queued;
 * - no live update crosses a reply or a replay it was queued before or after;
 * - live updates of a topic arrive in increasing seq, end on the latest, and every one
 *   skipped is counted by a `notice CONFLATED` sent before the updates that follow;
 * unless the client was closed as a slow consumer (4100), after which nothing more is sent.
 */
describe('Outbox delivery rules (model-based)', () => {
  afterEach(() => vi.useRealTimers());

  it('hold for any interleaving of traffic and reader behaviour', () => {
    fc.assert(
      fc.property(ops, (steps: Op[]) => {
        vi.useFakeTimers();
        const { box, client, sink, frames } = outboxSetup({
          SLOW_SOFT_BYTES: '1024',
          SLOW_HARD_BYTES: '8192',
          SLOW_MAX_MS: '200',
        });
        // The queue as the model sees it: each item's position, by key.
        const order = new Map<string, number>();
        const liveSeq = { A: 0, B: 0, C: 0 };
        const replays: string[] = [];
        let replies = 0;
        let replayTopics = 0;
        const at = (key: string) => order.set(key, order.size);
        for (const s of steps) {
          switch (s.op) {
            case 'live': {
              const seq = ++liveSeq[s.topic];
              at(`${s.topic}#${seq}`);
              box.live(new BusMessage(s.topic, seq, 'e', 0, { v: seq }));
              break;
            }
            case 'replay': {
              const topic = `R${++replayTopics}`;
              const messages = Array.from({ length: s.count }, (_, i) => {
                at(`${topic}#${i + 1}`);
                replays.push(`${topic}#${i + 1}`);
                return new BusMessage(topic, i + 1, 'e', 0, { v: i });
              });
              box.replay(messages);
              break;
            }
            case 'reply':
              at(`reply#${++replies}`);
              client.send({ type: 'pong', ts: replies });
              break;
            case 'buffer':
              sink.bufferedAmount = s.bytes;
              break;
            case 'stall':
              sink.stalled = s.on;
              break;
            case 'read':
              sink.read(s.bytes);
              break;
            case 'tick':
              vi.advanceTimersByTime(s.ms);
              break;
          }
        }
        // The reader catches up; whatever is queued must now arrive.
        sink.stalled = false;
        sink.bufferedAmount = 0;
        for (let i = 0; i < 2000 && box.pending; i++) vi.advanceTimersByTime(20);
        vi.useRealTimers();

        const closed = sink.closedWith !== undefined;
        if (closed) expect(sink.closedWith).toBe(4100);
        else expect(box.pending).toBe(false);

        // Flatten what arrived, and check the notices as they pass.
        const got: string[] = [];
        let skippedTold = 0;
        let pendingNotice = false;
        for (const text of frames) {
          const f = JSON.parse(text) as Frame;
          if (f.type === 'notice') {
            expect(f.code).toBe('CONFLATED');
            skippedTold += f.skipped!;
            pendingNotice = true;
          } else if (f.type === 'pong') got.push(`reply#${f.ts}`);
          else if (f.type === 'message') got.push(`${f.topic}#${f.seq}`);
          else if (f.type === 'batch') for (const m of f.messages!) got.push(`${m.topic}#${m.seq}`);
          else throw new Error(`unexpected frame ${text}`);
          if (f.type !== 'notice') pendingNotice = false;
        }
        expect(pendingNotice).toBe(false);
        expect(new Set(got).size).toBe(got.length); // nothing twice

        // Replies and replays: all of them (unless closed), in queue order, nothing crossing them.
        const barriers = got.filter((k) => k.startsWith('reply') || k.startsWith('R'));
        const queuedBarriers = [...order.keys()].filter(
          (k) => k.startsWith('reply') || k.startsWith('R'),
        );
        if (closed) expect(queuedBarriers.slice(0, barriers.length)).toEqual(barriers);
        else expect(barriers).toEqual(queuedBarriers);
        let lastBarrier = -1;
        let segmentMax = -1;
        for (const k of got) {
          const pos = order.get(k)!;
          if (k.startsWith('reply') || k.startsWith('R')) {
            expect(pos).toBeGreaterThan(segmentMax); // no live update queued after it went first
            lastBarrier = pos;
            segmentMax = pos;
          } else {
            expect(pos).toBeGreaterThan(lastBarrier); // not queued before a barrier already sent
            segmentMax = Math.max(segmentMax, pos);
          }
        }

        // Live: increasing per topic, every skip told, and ending on the latest.
        let delivered = 0;
        for (const topic of ['A', 'B', 'C'] as const) {
          const seqs = got.filter((k) => k.startsWith(`${topic}#`)).map((k) => Number(k.slice(2)));
          for (let i = 1; i < seqs.length; i++) expect(seqs[i]!).toBeGreaterThan(seqs[i - 1]!);
          delivered += seqs.length;
          if (!closed && liveSeq[topic] > 0) expect(seqs.at(-1)).toBe(liveSeq[topic]);
        }
        const queuedLive = liveSeq.A + liveSeq.B + liveSeq.C;
        if (!closed) expect(skippedTold).toBe(queuedLive - delivered);
        else expect(skippedTold).toBeLessThanOrEqual(queuedLive - delivered);
      }),
      {
        numRuns: Number(process.env.PULSE_PROPERTY_RUNS ?? 300),
        seed: Number(process.env.PULSE_PROPERTY_SEED ?? 4711),
      },
    );
  });
});
