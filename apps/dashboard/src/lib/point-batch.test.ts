import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forEachPoint, packRing, PointBatch, unpackRing } from './point-batch.js';
import { RingBuffer } from './ring-buffer.js';

const contents = (ring: RingBuffer) => ring.toPoints();

describe('the chart worker gets every point the page stored', () => {
  it('backfill at open, then per-frame batches, rebuild the page ring exactly (any interleaving)', () => {
    const point = fc.record({
      chart: fc.integer({ min: 1, max: 3 }),
      // Steps may go back in time: the ring clamps, and the worker's ring must clamp alike.
      dx: fc.integer({ min: -50, max: 1000 }),
      y: fc.double({ noNaN: false }),
      frameEnds: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(point, { maxLength: 200 }),
        fc.array(fc.nat({ max: 200 }), { minLength: 3, maxLength: 3 }),
        (capacity, points, openAt) => {
          const page = new Map<number, RingBuffer>();
          const worker = new Map<number, RingBuffer>();
          const batch = new PointBatch();
          const deliver = () => {
            const data = batch.take();
            if (!data) return;
            // Transferred: the worker gets a copy of the buffer, the page keeps nothing.
            forEachPoint(structuredClone(data), (id, x, y) => worker.get(id)?.push(x, y));
          };
          let x = 1_000_000;
          points.forEach((p, i) => {
            for (const id of [1, 2, 3]) {
              // A chart opens mid-stream: what the page holds goes as its backfill, in order
              // with the batches before it (a message is read after those posted earlier).
              if (openAt[id - 1] === i && !worker.has(id)) {
                deliver();
                const ring = page.get(id) ?? new RingBuffer(capacity);
                page.set(id, ring);
                worker.set(id, unpackRing(capacity, structuredClone(packRing(ring))));
              }
            }
            x += p.dx;
            const ring = page.get(p.chart) ?? new RingBuffer(capacity);
            page.set(p.chart, ring);
            ring.push(x, p.y);
            const stored = ring.at(ring.length - 1)!;
            if (worker.has(p.chart)) batch.add(p.chart, stored.x, stored.y);
            if (p.frameEnds) deliver();
          });
          deliver();
          for (const [id, ring] of worker) expect(contents(ring)).toEqual(contents(page.get(id)!));
        },
      ),
    );
  });

  it('a batch is taken once: the next frame starts empty', () => {
    const batch = new PointBatch();
    expect(batch.take()).toBeUndefined();
    batch.add(7, 1, 2);
    batch.add(8, 3, 4);
    expect(batch.size).toBe(6);
    expect([...batch.take()!]).toEqual([7, 1, 2, 8, 3, 4]);
    expect(batch.take()).toBeUndefined();
  });
});
