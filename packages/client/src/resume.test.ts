import { describe, expect, it } from 'vitest';
import type { TopicMessage } from '@pulse/protocol';
import { ResumeTracker } from './resume.js';

const msg = (topic: string, seq: number, epoch = 'e1'): TopicMessage<unknown> => ({
  type: 'message',
  topic,
  seq,
  epoch,
  ts: 1,
  payload: null,
});

describe('ResumeTracker', () => {
  it('drops seqs at or below the last one of the same epoch, per topic', () => {
    const t = new ResumeTracker();
    expect(t.accept(msg('price.A', 3))).toBe(true);
    expect(t.accept(msg('price.A', 3))).toBe(false);
    expect(t.accept(msg('price.A', 2))).toBe(false);
    expect(t.accept(msg('price.B', 1))).toBe(true);
    expect(t.accept(msg('price.A', 5))).toBe(true); // gaps are fine (throttling skips seqs)
  });

  it('a new epoch starts the numbering over', () => {
    const t = new ResumeTracker();
    t.accept(msg('price.A', 40));
    expect(t.accept(msg('price.A', 1, 'e2'))).toBe(true);
    expect(t.accept(msg('price.A', 2, 'e2'))).toBe(true);
    expect(t.resumeFor('price.A')).toEqual({ since: 2, epoch: 'e2' });
  });

  it('builds since/epoch for topics and positions for patterns, or nothing when unseen', () => {
    const t = new ResumeTracker();
    t.accept(msg('device.a.temp', 4));
    t.accept(msg('device.b.temp', 9, 'x'));
    t.accept(msg('device.a.rpm', 1));
    expect(t.resumeFor('device.a.temp')).toEqual({ since: 4, epoch: 'e1' });
    expect(t.resumeFor('device.*.temp')).toEqual({
      positions: {
        'device.a.temp': { seq: 4, epoch: 'e1' },
        'device.b.temp': { seq: 9, epoch: 'x' },
      },
    });
    expect(t.resumeFor('device.c.temp')).toBeUndefined();
    expect(t.resumeFor('price.*')).toBeUndefined();
  });

  it('forgets topics no remaining pattern covers', () => {
    const t = new ResumeTracker();
    t.accept(msg('device.a.temp', 4));
    t.accept(msg('price.X', 2));
    t.retain(['price.*']);
    expect(t.resumeFor('device.a.temp')).toBeUndefined();
    expect(t.resumeFor('price.X')).toEqual({ since: 2, epoch: 'e1' });
  });
});
