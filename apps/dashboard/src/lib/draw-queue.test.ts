import { describe, expect, it } from 'vitest';
import { DrawQueue } from './draw-queue.js';
import type { FrameSource } from './frame-scheduler.js';

/** Frames run by hand; each draw costs `cost` ms on a fake clock. */
function setup(budgetMs: number, cost: number) {
  let queued: ((t: number) => void) | undefined;
  let now = 0;
  const frames: FrameSource = {
    request(cb) {
      queued = cb;
      return 1;
    },
    cancel() {
      queued = undefined;
    },
  };
  const queue = new DrawQueue(budgetMs, frames, () => now);
  const drawn: string[] = [];
  const chart = (name: string) => () => {
    drawn.push(name);
    now += cost;
  };
  return {
    queue,
    drawn,
    chart,
    frame() {
      const cb = queued;
      queued = undefined;
      cb?.(now);
      const out = [...drawn];
      drawn.length = 0;
      return out;
    },
    get scheduled() {
      return queued !== undefined;
    },
  };
}

describe('DrawQueue', () => {
  it('spreads many charts over frames within the budget, oldest first', () => {
    const t = setup(6, 2);
    const charts = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((n) => t.chart(n));
    for (const c of charts) t.queue.request(c);
    expect(t.frame()).toEqual(['a', 'b', 'c']);
    expect(t.frame()).toEqual(['d', 'e', 'f']);
    expect(t.frame()).toEqual(['g']);
    expect(t.scheduled).toBe(false); // nothing left: no idle frames
  });

  it('draws a chart once however often it asks before its frame', () => {
    const t = setup(6, 1);
    const a = t.chart('a');
    for (let i = 0; i < 20; i++) t.queue.request(a);
    expect(t.frame()).toEqual(['a']);
    expect(t.frame()).toEqual([]);
  });

  it('always draws at least one chart per frame, even an expensive one', () => {
    const t = setup(6, 50);
    t.queue.request(t.chart('slow'));
    t.queue.request(t.chart('next'));
    expect(t.frame()).toEqual(['slow']);
    expect(t.frame()).toEqual(['next']);
  });

  it('forgets a cancelled chart and keeps going when a draw throws', async () => {
    const t = setup(100, 1);
    const gone = t.chart('gone');
    t.queue.request(gone);
    t.queue.request(() => {
      throw new Error('boom');
    });
    t.queue.request(t.chart('ok'));
    t.queue.cancel(gone);
    const original = globalThis.queueMicrotask;
    const thrown = new Promise((resolve) => {
      globalThis.queueMicrotask = (cb) =>
        original(() => {
          try {
            cb();
          } catch (e) {
            resolve(e);
          }
        });
    });
    try {
      expect(t.frame()).toEqual(['ok']);
      expect(await thrown).toBeInstanceOf(Error);
    } finally {
      globalThis.queueMicrotask = original;
    }
  });
});
