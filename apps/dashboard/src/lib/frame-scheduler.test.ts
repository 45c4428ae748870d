import { describe, expect, it } from 'vitest';
import { FrameScheduler, type FrameSource } from './frame-scheduler.js';

/** Frames that run only when the test says so. */
function fakeFrames() {
  const queued = new Map<number, (time: number) => void>();
  let next = 1;
  let time = 0;
  const source: FrameSource = {
    request(cb) {
      queued.set(next, cb);
      return next++;
    },
    cancel(handle) {
      queued.delete(handle);
    },
  };
  return {
    source,
    get requested() {
      return queued.size;
    },
    /** Runs the callbacks queued before this frame, like the browser does. */
    frame() {
      time += 16;
      const due = [...queued.values()];
      queued.clear();
      for (const cb of due) cb(time);
    },
  };
}

describe('FrameScheduler', () => {
  it('coalesces many invalidations into one draw per frame', () => {
    const frames = fakeFrames();
    let draws = 0;
    const scheduler = new FrameScheduler(() => draws++, frames.source);
    for (let i = 0; i < 1000; i++) scheduler.invalidate();
    expect(frames.requested).toBe(1);
    expect(draws).toBe(0);
    frames.frame();
    expect(draws).toBe(1);
  });

  it('asks for no frame while nothing changed', () => {
    const frames = fakeFrames();
    let draws = 0;
    const scheduler = new FrameScheduler(() => draws++, frames.source);
    scheduler.invalidate();
    frames.frame();
    frames.frame();
    frames.frame();
    expect(draws).toBe(1);
    expect(frames.requested).toBe(0);
    expect(scheduler.pending).toBe(false);
  });

  it('draws again on the next frame when data changes during a draw', () => {
    const frames = fakeFrames();
    let draws = 0;
    const scheduler = new FrameScheduler(() => {
      draws++;
      if (draws === 1) scheduler.invalidate();
    }, frames.source);
    scheduler.invalidate();
    frames.frame();
    expect(draws).toBe(1);
    expect(scheduler.pending).toBe(true);
    frames.frame();
    expect(draws).toBe(2);
  });

  it('cancels the pending frame on dispose and ignores later invalidations', () => {
    const frames = fakeFrames();
    let draws = 0;
    const scheduler = new FrameScheduler(() => draws++, frames.source);
    scheduler.invalidate();
    scheduler.dispose();
    expect(frames.requested).toBe(0);
    scheduler.invalidate();
    frames.frame();
    expect(draws).toBe(0);
  });
});
