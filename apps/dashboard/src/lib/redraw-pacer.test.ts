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
    now: () => now,
    /** Moves time forward, firing each timer at its own due time, in order. */
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const next = timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
        if (!next) break;
        timers = timers.filter((t) => t !== next);
        now = next.at;
        next.fn();
      }
      now = end;
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
  it('redraws on the grid: once per interval under a stream, never dropping the last update', () => {
    const t = fakeClock();
    const draws: number[] = [];
    // Drawing right away stands in for the frame that would follow.
    const pacer: RedrawPacer = new RedrawPacer(() => {
      draws.push(t.now());
      pacer.drew();
    }, t.clock);
    t.advance(30);
    pacer.poke(200); // mid-step: drawn at the next grid instant
    for (let i = 0; i < 10; i++) {
      t.advance(50); // 20 updates a second
      pacer.poke(200);
    }
    expect(draws).toEqual([200, 400]);
    t.advance(200);
    expect(draws).toEqual([200, 400, 600]); // the trailing update is drawn too
    t.advance(1000);
    expect(draws).toHaveLength(3); // and nothing more once quiet
    expect(pacer.sinceDraw).toBe(1130); // drawn at 600, now 1730
  });

  it('puts every chart with the same interval on the same instants', () => {
    const t = fakeClock();
    const draws: string[] = [];
    const pacers = ['a', 'b', 'c'].map((name) => {
      const p: RedrawPacer = new RedrawPacer(() => {
        draws.push(`${name}@${t.now()}`);
        p.drew();
      }, t.clock);
      return p;
    });
    t.advance(10);
    pacers[0]!.poke(250);
    t.advance(70);
    pacers[1]!.poke(250);
    t.advance(90);
    pacers[2]!.poke(250);
    t.advance(100);
    expect(draws).toEqual(['a@250', 'b@250', 'c@250']);
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
