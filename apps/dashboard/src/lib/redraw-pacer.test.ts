import { describe, expect, it } from 'vitest';
import { RedrawPacer, redrawInterval, type PacerClock } from './redraw-pacer.js';

function fakeClock() {
  let now = 0;
  let timers: { at: number; fn: () => void }[] = [];
  const clock: PacerClock = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const t = { at: now + ms, fn };
      timers.push(t);
      return t;
    },
    clearTimeout: (h) => {
      timers = timers.filter((t) => t !== h);
    },
  };
  return {
    clock,
    advance(ms: number) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      for (const t of due) t.fn();
    },
  };
}

describe('redrawInterval', () => {
  it('redraws when the time axis has moved a pixel, within 30 fps and 250 ms', () => {
    expect(redrawInterval(60_000, 300)).toBe(200);
    expect(redrawInterval(15 * 60_000, 600)).toBe(250); // the newest value stays fresh
    expect(redrawInterval(10_000, 1200)).toBeCloseTo(33.3, 1); // never over 30 fps
  });
});

describe('RedrawPacer', () => {
  it('draws the first update at once, then at most once per interval, never dropping the last', () => {
    const t = fakeClock();
    let requests = 0;
    // Drawing right away stands in for the frame that would follow.
    const pacer: RedrawPacer = new RedrawPacer(() => {
      requests++;
      pacer.drew();
    }, t.clock);
    pacer.poke(200);
    expect(requests).toBe(1);
    for (let i = 0; i < 10; i++) {
      t.advance(50); // 20 updates a second
      pacer.poke(200);
    }
    // 500 ms of 20/s updates: drawn at 0, 200 and 400 ms.
    expect(requests).toBe(3);
    t.advance(200);
    expect(requests).toBe(4); // the trailing update is drawn too
    t.advance(1000);
    expect(requests).toBe(4); // and nothing more once quiet
    pacer.dispose();
  });

  it('stops waiting when disposed', () => {
    const t = fakeClock();
    let requests = 0;
    const pacer = new RedrawPacer(() => requests++, t.clock);
    pacer.drew();
    pacer.poke(200);
    pacer.dispose();
    t.advance(500);
    expect(requests).toBe(0);
  });
});
